"""The public index's search (public.published_claims): a GIN full-text index on the
statement and the rationale of published claims only.

The expression must stay byte-for-byte the one public.PUBLIC_SEARCH_VECTOR queries, or
PostgreSQL will not use the index; so must the WHERE (status = 'published'). Without it
the search read every published claim with ILIKE: at 100,000 published claims, p50 254 ms
(13.5 ms with it; docs/benchmarks.md). Built CONCURRENTLY (not atomic) and without a pending list, as the statement
indexes (0004, 0007). Database only: the model state is unchanged.
"""

from django.db import migrations

INDEX = "claim_public_search_fts"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("claims", "0012_factcheck_import_run")]

    operations = [
        migrations.RunSQL(
            sql=(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON claims_claim USING gin "
                "(to_tsvector('english'::regconfig, statement || ' ' || rationale)) "
                "WITH (fastupdate = off) WHERE status = 'published'"
            ),
            reverse_sql=f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}",
        ),
    ]
