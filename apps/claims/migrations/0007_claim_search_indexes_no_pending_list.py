"""The claim search's GIN indexes without a pending list.

With GIN's fast update, new claims wait in an unsorted pending list (up to 4 MB) that every
search reads through: after a bulk load of 10,000 claims the full-text leg took 45 ms a
query, against 5 ms once the list was merged. Claims are written far less often than
searched, so each insert pays to update the index directly."""

from django.db import migrations

INDEXES = ("claim_statement_fts", "claim_statement_trgm")


class Migration(migrations.Migration):
    dependencies = [("claims", "0006_claim_embeddings_match_tiers")]

    operations = [
        migrations.RunSQL(
            sql=[f"ALTER INDEX IF EXISTS {name} SET (fastupdate = off)" for name in INDEXES]
            + [
                f"SELECT gin_clean_pending_list('{name}'::regclass) "
                f"WHERE to_regclass('{name}') IS NOT NULL"
                for name in INDEXES
            ],
            reverse_sql=[f"ALTER INDEX IF EXISTS {name} SET (fastupdate = on)" for name in INDEXES],
        )
    ]
