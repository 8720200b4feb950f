"""Recompute every stored near-duplicate signature with the current hashing scheme
(dedupe.SCHEME: word CRC-32s mixed per shingle with arrays, instead of one SHA-1 call per
shingle string). Signatures made one way cannot be compared with signatures made the
other way, so all of them are remade, in batches. Reversing leaves them as they are:
the code that made the old ones is gone with this change."""

from django.db import migrations

BATCH = 500


def recompute(apps, schema_editor):
    from apps.ingestion import dedupe

    signatures = apps.get_model("ingestion", "ArticleSignature")
    last = 0
    while True:
        batch = list(
            signatures.objects.filter(article_id__gt=last)
            .order_by("article_id")
            .values_list("article_id", "article__text")[:BATCH]
        )
        if not batch:
            return
        stale, fresh = [], []
        for article_id, text in batch:
            computed = dedupe.compute(text or "")
            if computed is None:
                stale.append(article_id)
                continue
            fresh.append(
                signatures(
                    article_id=article_id,
                    minhash=computed.minhash.tobytes(),
                    bands=computed.bands,
                    shingle_count=computed.shingle_count,
                )
            )
        signatures.objects.bulk_update(fresh, ["minhash", "bands", "shingle_count"])
        signatures.objects.filter(article_id__in=stale).delete()
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [("ingestion", "0002_pipeline")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
