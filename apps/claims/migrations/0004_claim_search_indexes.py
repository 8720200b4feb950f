"""Indexes for the claim matcher's candidate retrieval (apps/claims/matching.py).

* pg_trgm (TrigramExtension is CREATE EXTENSION IF NOT EXISTS, so the api app's migration
  enabling it too is harmless);
* a GIN trigram index on the statement (typed fragments, misspelt names);
* a GIN full-text index on to_tsvector('english', statement): the expression must stay
  byte-for-byte the one matching.py queries, or PostgreSQL will not use the index.

Built CONCURRENTLY (so the migration is not atomic): on a large claims table the build
does not block writes. The indexes live in the database only; the model state is
unchanged, so makemigrations does not try to drop them.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

FTS_INDEX = "claim_statement_fts"
TRGM_INDEX = "claim_statement_trgm"


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("claims", "0003_suggestions_runs_differences")]

    operations = [
        TrigramExtension(),
        migrations.RunSQL(
            sql=(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {TRGM_INDEX} "
                "ON claims_claim USING gin (statement gin_trgm_ops)"
            ),
            reverse_sql=f"DROP INDEX CONCURRENTLY IF EXISTS {TRGM_INDEX}",
        ),
        migrations.RunSQL(
            sql=(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {FTS_INDEX} "
                "ON claims_claim USING gin (to_tsvector('english'::regconfig, statement))"
            ),
            reverse_sql=f"DROP INDEX CONCURRENTLY IF EXISTS {FTS_INDEX}",
        ),
    ]
