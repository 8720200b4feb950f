"""What storing one article costs PostgreSQL, by index: the bench's article texts inserted
into a scratch table, one row per statement (as the store thread does), with no index,
with the article table's btree indexes on two 64-character keys, and with its full-text
GIN index (`to_tsvector('english', title || ' ' || text)`, as `article_search_gin`).

    .venv/bin/python bench/ingest_store_cost.py            # 600 texts from 84 KB pages

Uses the benchmark's database (bench.ingest_settings: embedded 'claimtrack_bench_ingest',
or DATABASE_URL) and drops its scratch table at the end. Wall time of the statements from
one client, which on a quiet machine is the server's work plus a loopback round trip.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCRATCH = "bench_store_cost"
FULL_TEXT = "USING gin (to_tsvector('english', coalesce(title, '') || ' ' || coalesce(text, '')))"
VARIANTS = [
    ("no index", []),
    ("two btree keys (url_hash, content_hash)", ["(url_hash)", "(content_hash)"]),
    ("full-text GIN (fastupdate on, the default)", [FULL_TEXT]),
    ("full-text GIN, fastupdate off", [FULL_TEXT + " WITH (fastupdate = off)"]),
]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.ingest_settings")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=600, help="texts (default 600)")
    parser.add_argument("--clutter", type=int, default=6, help="page size factor")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from apps.ingestion.extraction import extract_html
    from bench.ingest_throughput import page

    call_command("migrate", verbosity=0)
    texts = [
        extract_html(page(n, args.clutter).decode(), url="http://127.0.0.1/").text
        for n in range(args.n)
    ]
    print(f"{len(texts)} article texts, {sum(map(len, texts)) / len(texts):,.0f} characters each")
    with connection.cursor() as cursor:
        for label, indexes in VARIANTS:
            cursor.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
            cursor.execute(
                f"CREATE TABLE {SCRATCH} (id bigserial PRIMARY KEY, title text, text text, "
                "url_hash varchar(64), content_hash varchar(64))"
            )
            for index in indexes:
                cursor.execute(f"CREATE INDEX ON {SCRATCH} {index}")
            started = time.perf_counter()
            for i, text in enumerate(texts):
                cursor.execute(
                    f"INSERT INTO {SCRATCH} (title, text, url_hash, content_hash) "
                    "VALUES (%s, %s, %s, %s)",
                    [f"Story {i}", text, f"{i:064x}", f"{i * 7919:064x}"],
                )
            per_row = (time.perf_counter() - started) * 1000 / len(texts)
            print(f"  {label}: {per_row:.2f} ms a row")
        started = time.perf_counter()
        cursor.execute(f"SELECT sum(length(to_tsvector('english', text))) FROM {SCRATCH}")
        per_row = (time.perf_counter() - started) * 1000 / len(texts)
        print(f"  to_tsvector('english', text) alone: {per_row:.2f} ms a row")
        cursor.execute(f"DROP TABLE {SCRATCH}")


if __name__ == "__main__":
    main()
