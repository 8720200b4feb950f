""""Has this been checked?" latency: match_claims against N claims, and encoding on save.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrack_bench_match \\
        .venv/bin/python bench/claims_matching.py --clef PATH/clef2020-task2 [--claims 1000000]

Uses its own database (refuses the default ``claimtrack``); migrates it. The pool is the
10,375 fact-checked claims of CLEF CheckThat! 2020 task 2, loaded once with their
embeddings (as on save, `embeddings.embed_missing`). With ``--claims`` above that, filler
claims are added by COPY: each a fact-checked claim with a few words swapped in from
another, so the full-text index sees realistic word statistics. Filler gets random unit
vectors (timing only: scores do not matter there); above ``CLAIMS_DENSE_INDEX_MAX``
(200,000) the in-memory dense leg is off and retrieval is lexical, as in production.

Queries are the dev tweets as people paste them, one client, in process, after one warm-up
query (the model and the dense matrix load once per process). Prints p50/p95/max of
`match_claims` and its parts, and p50/p95 of encoding one claim on save.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _copy_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ").replace("\r", " ")


def repair_hashes() -> None:
    """Rows stored before the statement hash became md5 carry another hash of the same
    text; without this the first searches would re-encode them (timing the encoder)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE claims_claimembedding e SET statement_hash = left(md5(c.statement), 16) "
            "FROM claims_claim c WHERE c.id = e.claim_id "
            "AND e.statement_hash <> left(md5(c.statement), 16)"
        )


def load_pool(claims: list[str]) -> None:
    from apps.claims.embeddings import embed_missing
    from apps.claims.models import Claim

    repair_hashes()
    if Claim.objects.filter(statement=claims[0]).exists():
        print(f"Reusing the pool ({Claim.objects.count():,} claims).")
        return
    started = time.perf_counter()
    Claim.objects.bulk_create([Claim(statement=text) for text in claims], batch_size=2000)
    encoded = embed_missing()
    seconds = time.perf_counter() - started
    print(f"Loaded {len(claims):,} claims, encoded {encoded:,} in {seconds:.0f} s")


def add_filler(total: int, claims: list[str], seed: int) -> None:
    import numpy as np
    from django.db import connection

    from apps.claims.embeddings import statement_hash
    from apps.claims.nlp import encoder

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM claims_claim")
        have = cursor.fetchone()[0]
    if have >= total:
        return
    rng = random.Random(seed)
    vocabulary = [w for text in claims for w in text.split() if len(w) > 3]
    started = time.perf_counter()
    connection.ensure_connection()
    raw = connection.connection
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE claims_claim DISABLE TRIGGER USER")
        # A bulk load drops the search indexes and builds them again after, as one should.
        cursor.execute("DROP INDEX IF EXISTS claim_statement_fts")
        cursor.execute("DROP INDEX IF EXISTS claim_statement_trgm")
        cursor.execute("SELECT coalesce(max(id), 0) FROM claims_claim")
        next_id = cursor.fetchone()[0] + 1
    batch = 50_000
    with raw.cursor() as cursor:
        for offset in range(0, total - have, batch):
            count = min(batch, total - have - offset)
            rows, vectors = io.StringIO(), io.StringIO()
            random_vectors = np.random.default_rng(seed + offset).standard_normal(
                (count, encoder.DIMENSION)
            )
            random_vectors /= np.linalg.norm(random_vectors, axis=1, keepdims=True)
            for i in range(count):
                words = rng.choice(claims).split()
                for _ in range(min(3, len(words))):
                    words[rng.randrange(len(words))] = rng.choice(vocabulary)
                claim_id = next_id + offset + i
                rows.write(
                    f"{claim_id}\t{_copy_escape(' '.join(words))}\tnew\t\t\t1\t{{}}\t"
                    "2024-01-01\t2024-01-01\n"
                )
                blob = encoder.to_bytes(random_vectors[i]).hex()
                digest = statement_hash(" ".join(words))
                vectors.write(
                    f"{claim_id}\t{encoder.MODEL_ID}\t\\\\x{blob}\t{digest}\t2024-01-01\n"
                )
            with cursor.copy(
                "COPY claims_claim (id, statement, status, verdict, rationale, version, tags, "
                "created_at, updated_at) FROM STDIN"
            ) as copy:
                copy.write(rows.getvalue())
            with cursor.copy(
                "COPY claims_claimembedding (claim_id, model, vector, statement_hash, updated_at) "
                "FROM STDIN"
            ) as copy:
                copy.write(vectors.getvalue())
            raw.commit()
            print(f"  filler {have + offset + count:,}", end="\r", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE claims_claim ENABLE TRIGGER USER")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(
            "CREATE INDEX claim_statement_fts ON claims_claim USING gin "
            "(to_tsvector('english'::regconfig, statement)) WITH (fastupdate = off)"
        )
        cursor.execute(
            "CREATE INDEX claim_statement_trgm ON claims_claim USING gin "
            "(statement gin_trgm_ops) WITH (fastupdate = off)"
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('claims_claim', 'id'), max(id)) FROM claims_claim"
        )
        cursor.execute("ANALYZE claims_claim")
    print(f"\nAdded {total - have:,} filler claims in {time.perf_counter() - started:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clef", required=True, help="The clef2020-task2 folder.")
    parser.add_argument("--claims", type=int, default=0, help="Pad the table to N claims.")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    if connection.settings_dict["NAME"] == "claimtrack":
        print("Refusing to fill the main database; set DATABASE_URL to a bench database.")
        return 2
    call_command("migrate", verbosity=0)
    from apps.claims import matching
    from apps.claims.embeddings import embed_claims
    from apps.claims.models import Claim
    from apps.claims.nlp import clef

    dev = clef.read_clef(args.clef, "dev")
    pool = [" ".join(text.split()) for _, text, _ in dev.claims]
    load_pool(pool)
    if args.claims > len(pool):
        add_filler(args.claims, pool, args.seed)
    total = Claim.objects.count()

    started = time.perf_counter()
    matching.warm_up()
    matching.match_claims("warm up the caches", limit=10)
    warm = time.perf_counter() - started
    times, parts = [], {}
    for _, text in dev.queries:
        timings: dict = {}
        started = time.perf_counter()
        matching.match_claims(text, limit=10, timings=timings)
        times.append((time.perf_counter() - started) * 1000)
        for name, value in timings.items():
            parts.setdefault(name, []).append(value)
    saves = []
    with transaction.atomic():
        for _, text in dev.queries[:100]:
            claim = Claim.objects.create(statement=" ".join(text.split())[:500])
            started = time.perf_counter()
            embed_claims([claim])
            saves.append((time.perf_counter() - started) * 1000)
        transaction.set_rollback(True)

    print(f"\n{total:,} claims; {len(times)} queries (CLEF dev tweets), one client, in process")
    print(
        f"first query (loads the model, the dense matrix and the gazetteer): {warm * 1000:.0f} ms"
    )
    print("| measure | p50 ms | p95 ms | max ms |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| match_claims | {percentile(times, 0.5):.1f} | {percentile(times, 0.95):.1f} | "
          f"{max(times):.1f} |")  # fmt: skip
    for name in sorted(parts):
        values = parts[name]
        print(f"| {name} | {percentile(values, 0.5):.1f} | {percentile(values, 0.95):.1f} | "
              f"{max(values):.1f} |")  # fmt: skip
    print(f"| encode a claim on save | {percentile(saves, 0.5):.1f} | "
          f"{percentile(saves, 0.95):.1f} | {max(saves):.1f} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
