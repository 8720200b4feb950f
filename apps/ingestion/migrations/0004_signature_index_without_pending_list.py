"""The near-duplicate bands index without GIN's pending list (fastupdate off).

Every ingest searches this index right after inserting into it. With fastupdate on, new
entries wait in an unsorted pending list (up to gin_pending_list_limit, 4 MB) that every
search scans in full until a vacuum flushes it: measured on the benchmark database, the
chunk's candidate query took 224 ms with a full list and 3.5 ms once it was flushed.
Altered in place (no rebuild); the entries already pending are moved into the index."""

import django.contrib.postgres.indexes
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("ingestion", "0003_recompute_signatures")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER INDEX articlesignature_bands_gin SET (fastupdate = off); "
                    "SELECT gin_clean_pending_list('articlesignature_bands_gin');",
                    "ALTER INDEX articlesignature_bands_gin RESET (fastupdate);",
                )
            ],
            state_operations=[
                migrations.RemoveIndex(
                    model_name="articlesignature", name="articlesignature_bands_gin"
                ),
                migrations.AddIndex(
                    model_name="articlesignature",
                    index=django.contrib.postgres.indexes.GinIndex(
                        fastupdate=False, fields=["bands"], name="articlesignature_bands_gin"
                    ),
                ),
            ],
        )
    ]
