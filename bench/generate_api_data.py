"""Fill a separate PostgreSQL database with API benchmark data: 1,000,000 claims, 100,000
articles, 2,000,000 appearances (and outlets, claimants, sources, evidence), by COPY.

    CLAIMTRACK_EMBEDDED_DB=claimtrack_bench .venv/bin/python bench/generate_api_data.py

Never run it against a database you care about: it empties the tables it fills. With
DATABASE_URL unset it uses the embedded server and the database named by
CLAIMTRACK_EMBEDDED_DB (refused when that is the default, `claimtrack`).

History triggers (pghistory) are switched off for the load (session_replication_role =
replica), so the history tables stay empty: the benchmark measures reads.

The indexes proposed for the claims full-text search (see docs/benchmarks.md) are
created here too, with the exact Django Index definitions, until their migration lands.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.api_settings")

WORDS_SEED = 6
N_WORDS = 4000
STATUSES = [("new", 0.35), ("researching", 0.25), ("in_review", 0.1), ("published", 0.3)]
VERDICTS = ["true", "mostly_true", "mixed", "misleading", "false", "unproven", "not_checkable"]
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 2 * 365 * 86400


def vocabulary(rng: random.Random) -> list[str]:
    """Pronounceable pseudo-words; the order sets their frequency (Zipf-like below)."""
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    words: set[str] = set()
    while len(words) < N_WORDS:
        length = rng.choice((2, 3, 3, 4))
        words.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(length)))
    return sorted(words)


def zipf_weights(n: int) -> list[float]:
    return [1 / (rank + 10) for rank in range(n)]


def esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def ts(seconds: float) -> str:
    return (EPOCH + timedelta(seconds=seconds)).isoformat()


class Loader:
    def __init__(self, conn, batch_rows: int = 20000):
        self.conn = conn
        self.batch_rows = batch_rows

    def copy(self, table: str, columns: list[str], rows) -> int:
        count = 0
        quoted = ", ".join(f'"{c}"' for c in columns)
        sql = f"COPY {table} ({quoted}) FROM STDIN"
        with self.conn.cursor() as cur, cur.copy(sql) as copy:
            buffer: list[str] = []
            for row in rows:
                buffer.append("\t".join(row))
                count += 1
                if len(buffer) >= self.batch_rows:
                    copy.write("\n".join(buffer) + "\n")
                    buffer = []
            if buffer:
                copy.write("\n".join(buffer) + "\n")
        return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--appearances-per-claim", type=int, default=2)
    parser.add_argument("--skip-migrate", action="store_true")
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL") and os.environ.get(
        "CLAIMTRACK_EMBEDDED_DB", "claimtrack"
    ) in ("", "claimtrack"):
        sys.exit("Set CLAIMTRACK_EMBEDDED_DB=claimtrack_bench (a database to fill and empty).")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.monotonic()
    if not args.skip_migrate:
        call_command("migrate", verbosity=0)
    print(f"migrated in {time.monotonic() - started:.0f}s", flush=True)

    rng = random.Random(WORDS_SEED)
    words = vocabulary(rng)
    weights = zipf_weights(len(words))
    cum_weights = list(itertools.accumulate(weights))
    tags = [f"tag{n}" for n in range(200)]
    n_outlets, n_claimants, n_users = 500, 20_000, 20

    connection.ensure_connection()
    conn = connection.connection
    conn.autocommit = True
    loader = Loader(conn)
    with conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # no triggers, no FK checks
        cur.execute(
            "TRUNCATE evidence_evidencelink, evidence_source, claims_appearance, claims_claim, "
            "claims_claimant, articles_article, articles_outlet RESTART IDENTITY CASCADE"
        )
        cur.execute("SELECT min(id) FROM auth_user")
        first_user = cur.fetchone()[0]
    if first_user is None:
        from django.contrib.auth.models import User

        for n in range(n_users):
            User.objects.create_user(username=f"bench{n}")
        first_user = User.objects.order_by("id").first().id

    def timed(label, table, columns, rows):
        t0 = time.monotonic()
        count = loader.copy(table, columns, rows)
        print(f"{label}: {count:,} rows in {time.monotonic() - t0:.0f}s", flush=True)

    def sentence(k: int) -> str:
        return " ".join(rng.choices(words, cum_weights=cum_weights, k=k))

    timed(
        "outlets",
        "articles_outlet",
        ["id", "name", "domain", "country", "language", "created_at", "updated_at"],
        (
            [str(i), f"Outlet {i}", f"outlet{i}.example", "GB", "en", ts(0), ts(0)]
            for i in range(1, n_outlets + 1)
        ),
    )

    def articles():
        for i in range(1, args.articles + 1):
            when = ts(rng.random() * SPAN_SECONDS)
            url = f"https://outlet{i % n_outlets + 1}.example/news/{i}"
            yield [
                str(i),
                url,
                url,
                f"{i:064x}",
                esc(sentence(8).capitalize()),
                "[]",
                str(i % n_outlets + 1),
                when,
                "en",
                esc(sentence(120)),
                f"{i:064d}",
                "extracted",
                "",
                "url",
                "",
                when,
                when,
            ]

    timed(
        "articles",
        "articles_article",
        [
            "id", "url", "canonical_url", "url_hash", "title", "authors", "outlet_id",
            "published_at", "language", "text", "content_hash", "status", "failure_reason",
            "origin", "source_name", "created_at", "updated_at",
        ],
        articles(),
    )  # fmt: skip

    timed(
        "claimants",
        "claims_claimant",
        ["id", "name", "key", "kind", "role", "affiliation", "aliases", "created_at", "updated_at"],
        (
            [
                str(i), f"Person {i}", f"person {i}", "person" if i % 5 else "organization",
                "", "", "{}", ts(0), ts(0),
            ]
            for i in range(1, n_claimants + 1)
        ),
    )  # fmt: skip

    status_names = [s for s, _ in STATUSES]
    status_cum = list(itertools.accumulate(w for _, w in STATUSES))
    claim_status: list[str] = [""] * (args.claims + 1)

    def claims():
        for i in range(1, args.claims + 1):
            status = rng.choices(status_names, cum_weights=status_cum)[0]
            claim_status[i] = status
            created = rng.random() * SPAN_SECONDS
            updated = min(created + rng.random() * 86400 * 30, SPAN_SECONDS)
            verdict = rng.choice(VERDICTS) if status != "new" else ""
            picked = rng.sample(tags, rng.choice((0, 1, 1, 2)))
            yield [
                str(i),
                esc(sentence(rng.randint(8, 16)).capitalize()),
                status,
                verdict,
                "Sourced rationale." if verdict else "",
                "1",
                "{" + ",".join(picked) + "}",
                str(first_user + i % n_users) if i % 7 == 0 else "\\N",
                "\\N",
                "\\N",
                ts(created) if status in ("in_review", "published") else "\\N",
                ts(updated) if status == "published" else "\\N",
                ts(created),
                ts(updated),
            ]

    timed(
        "claims",
        "claims_claim",
        [
            "id", "statement", "status", "verdict", "rationale", "version", "tags",
            "assignee_id", "created_by_id", "proposed_by_id", "submitted_at", "published_at",
            "created_at", "updated_at",
        ],
        claims(),
    )  # fmt: skip

    def appearances():
        pk = 0
        for claim in range(1, args.claims + 1):
            for _ in range(args.appearances_per_claim):
                pk += 1
                start = rng.randint(0, 400)
                quote = sentence(rng.randint(6, 12))
                yield [
                    str(pk),
                    str(claim),
                    str(rng.randint(1, args.articles)),
                    str(rng.randint(1, n_claimants)),
                    str(start),
                    str(start + len(quote)),
                    esc(quote),
                    "",
                    "",
                    "analyst",
                    "f",
                    "\\N",
                    ts(0),
                    ts(0),
                ]

    timed(
        "appearances",
        "claims_appearance",
        [
            "id", "claim_id", "article_id", "claimant_id", "start", "end", "quote", "prefix",
            "suffix", "origin", "orphaned", "tagged_by_id", "created_at", "updated_at",
        ],
        appearances(),
    )  # fmt: skip

    n_sources = 100_000
    timed(
        "sources",
        "evidence_source",
        ["id", "url", "title", "publisher", "kind", "fetch_error", "created_at", "updated_at"],
        (
            [str(i), f"https://records.example/{i}", f"Record {i}", "Records office",
             "official_record", "", ts(0), ts(0)]
            for i in range(1, n_sources + 1)
        ),
    )  # fmt: skip

    def evidence():
        pk = 0
        for claim in range(1, args.claims + 1):
            if claim_status[claim] in ("in_review", "published"):
                pk += 1
                yield [
                    str(pk), str(claim), str(rng.randint(1, n_sources)),
                    rng.choice(("supports", "refutes", "context")), "", "", "\\N", ts(0), ts(0),
                ]  # fmt: skip

    timed(
        "evidence",
        "evidence_evidencelink",
        ["id", "claim_id", "source_id", "stance", "quote", "note", "linked_by_id",
         "created_at", "updated_at"],
        evidence(),
    )  # fmt: skip

    with conn.cursor() as cur:
        for table in (
            "articles_outlet", "articles_article", "claims_claimant", "claims_claim",
            "claims_appearance", "evidence_source", "evidence_evidencelink",
        ):  # fmt: skip
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 1))"
            )
        cur.execute("SET session_replication_role = DEFAULT")

    t0 = time.monotonic()
    create_proposed_indexes(connection)
    print(f"proposed search indexes in {time.monotonic() - t0:.0f}s", flush=True)
    with conn.cursor() as cur:
        t0 = time.monotonic()
        cur.execute("VACUUM ANALYZE")
        print(f"vacuum analyze in {time.monotonic() - t0:.0f}s", flush=True)
    print(f"total {time.monotonic() - started:.0f}s", flush=True)


def create_proposed_indexes(connection) -> None:
    """The indexes asked for in docs/benchmarks.md, built from the same Django Index
    objects the migration will hold (so the query and index expressions match)."""
    from django.db import ProgrammingError

    from bench.api_indexes import PROPOSED

    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '512MB'")
    with connection.schema_editor(atomic=False) as editor:
        for model, index in PROPOSED:
            try:
                editor.add_index(model, index)
            except ProgrammingError as exc:  # already there (a re-run, or the migration)
                if "already exists" not in str(exc):
                    raise
                connection.rollback() if not connection.get_autocommit() else None


if __name__ == "__main__":
    main()
