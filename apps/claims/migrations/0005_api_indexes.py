"""Indexes the client API's queries need (see apps/api/filters.py and apps/api/history.py):

* full-text GIN on appearance quotes, with exactly the expression `q` filters on;
* a partial index over delete events for the tombstone feed (/api/claims/deleted).

Built CONCURRENTLY so a large table is not locked; database-only, like 0004.
"""

from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("claims", "0004_claim_search_indexes")]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS appearance_quote_fts "
                "ON claims_appearance USING gin (to_tsvector('english'::regconfig, quote))"
            ),
            reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS appearance_quote_fts",
        ),
        migrations.RunSQL(
            sql=(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS claimevent_tombstones "
                "ON claims_claimevent (pgh_created_at, pgh_id) WHERE pgh_label = 'delete'"
            ),
            reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS claimevent_tombstones",
        ),
    ]
