"""Claim matching at scale: candidate retrieval and full matching times at N claims.

    CLAIMTRACK_EMBEDDED_DB=claimtrack_bench python bench/claims_matching.py [--claims 1000000]
        [--queries 300] [--seed 1] [--regenerate]

Uses its own database (the embedded server's ``claimtrack_bench`` unless
CLAIMTRACK_EMBEDDED_DB or DATABASE_URL says otherwise; it refuses the default
``claimtrack`` database). Migrates it, then fills ``claims_claim`` with N generated,
news-like claim statements by COPY (history triggers off during the load, the search
indexes dropped and rebuilt afterwards, as a bulk load should be). A database that holds
N claims already is reused.

The queries are a mix a newsroom sends: paraphrases of stored claims (synonyms swapped,
as a spinner or a translation would), the 60 annotated sample quotes, and short typed
fragments. For each it times ``matching.candidate_ids`` (the SQL retrieval alone) and
``matching.match_claims`` (retrieval plus the Python re-ranking), and prints p50, p95 and
max, plus how often the paraphrased claim came back first.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CLAIMTRACK_EMBEDDED_DB", "claimtrack_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

ACTORS = """Russia|Moscow|the Kremlin|North Korea|Pyongyang|China|Beijing|the United States|
Washington|the White House|Ukraine|Kyiv|Iran|Tehran|Japan|South Korea|Seoul|Germany|
France|the European Union|NATO|the United Nations|the World Bank|the IMF|India|Brazil|
Turkey|Israel|Poland|Finland|the UK government|the Pentagon|the defence ministry|
the central bank|the finance ministry|the health ministry|the opposition|the army|
Wagner|Gazprom|Rosneft|Samsung|the city council|the governor|the prime minister|
the president|the foreign minister|Vladimir Putin|Kim Jong Un|Xi Jinping|Joe Biden|
Volodymyr Zelensky|Sergei Shoigu|John Kirby|Jake Sullivan|Olaf Scholz|Emmanuel Macron
""".replace("\n", "").split("|")
VERBS = [
    "supplied {obj} to {target}",
    "bought {obj} from {target}",
    "is running out of {obj}",
    "promised {obj} to {target}",
    "imposed sanctions on {target} over {obj}",
    "delivered {obj} to {target}",
    "produced {num} {unit} of {obj}",
    "spent {money} on {obj}",
    "cut its spending on {obj} by {pct}",
    "increased exports of {obj} to {target} by {pct}",
    "signed an agreement with {target} on {obj}",
    "exchanged letters with {target} about {obj}",
    "held a summit with {target} in {place}",
    "visited {place} to discuss {obj}",
    "warned {target} of consequences for selling {obj}",
    "blocked a UN resolution on {obj}",
    "needs {obj} and food aid",
    "used {num} {unit} of {obj} in {year}",
    "tested {obj} near {place}",
    "denied sending {obj} to {target}",
]
OBJECTS = """artillery shells|ammunition|missiles|rockets|drones|tanks|fighter jets|grain|
wheat|fertiliser|oil|gas|coal|electricity|vaccines|semiconductors|steel|rare earth metals|
satellite technology|nuclear technology|submarines|air defence systems|small arms|
rifles|machine guns|body armour|trucks|fuel|medical supplies|humanitarian aid|cash|
loans|food supplies|rice|fish|timber|copper|gold|uranium|naval vessels|radar systems|
spare parts|military advisers|troops|mercenaries|cyber weapons|anti-tank missiles|
ballistic missiles|cruise missiles|artillery systems|armoured vehicles|shells
""".replace("\n", "").split("|")
PLACES = """Vladivostok|Moscow|Pyongyang|Beijing|Kyiv|Odesa|Kharkiv|Donetsk|Crimea|Minsk|
Tehran|Seoul|Tokyo|Berlin|Paris|Brussels|Warsaw|Helsinki|Geneva|Istanbul|Ankara|
the Vostochny Cosmodrome|the Amur region|the Black Sea|the Baltic Sea|the Korean Peninsula
""".replace("\n", "").split("|")
UNITS = ["tonnes", "million shells", "thousand units", "barrels", "million doses", "units"]
TAILS = [
    "",
    " last year",
    " in 2022",
    " in 2023",
    " this month",
    " last week",
    ", officials said",
    ", according to the Royal United Services Institute",
    ", the ministry said",
    ", a report found",
    " since 2019",
    ", analysts estimate",
]
PARAPHRASE = {
    "supplied": "provided",
    "bought": "purchased",
    "is running out of": "is short of",
    "delivered": "shipped",
    "artillery shells": "artillery rounds",
    "ammunition": "munitions",
    "missiles": "rockets",
    "last year": "12 months ago",
    "agreement": "deal",
    "summit": "meeting",
    "visited": "travelled to",
    "warned": "cautioned",
    "consequences": "penalties",
    "food aid": "humanitarian assistance",
    "Moscow": "Russia",
    "Pyongyang": "North Korea",
    "Washington": "the United States",
    "spent": "used",
    "armoured vehicles": "armored vehicles",
}


def statement(rng: random.Random) -> str:
    actor = rng.choice(ACTORS)
    verb = rng.choice(VERBS).format(
        obj=rng.choice(OBJECTS),
        target=rng.choice(ACTORS),
        place=rng.choice(PLACES),
        num=rng.choice(["1.5", "2", "3", "7", "12", "40", "152", "300", "9,000"]),
        unit=rng.choice(UNITS),
        money=rng.choice(["$1.2 billion", "€300 million", "$40 million", "2% of GDP"]),
        pct=rng.choice(["5 percent", "12%", "a third", "half"]),
        year=rng.choice(["2021", "2022", "2023"]),
    )
    text = f"{actor} {verb}{rng.choice(TAILS)}."
    return text[0].upper() + text[1:]


def paraphrase(text: str, rng: random.Random) -> str:
    for a, b in PARAPHRASE.items():
        if a in text and rng.random() < 0.8:
            text = text.replace(a, b)
    return text


def _copy_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def fill(n: int, seed: int, regenerate: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM claims_claim")
        have = cursor.fetchone()[0]
    if have >= n and not regenerate:
        print(f"Reusing {have:,} claims in {connection.settings_dict['NAME']}.")
        return
    rng = random.Random(seed)
    started = time.perf_counter()
    raw = connection.connection  # psycopg 3
    if raw is None:
        connection.ensure_connection()
        raw = connection.connection
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE claims_claim CASCADE")
        cursor.execute("ALTER TABLE claims_claim DISABLE TRIGGER USER")
        cursor.execute("DROP INDEX IF EXISTS claim_statement_fts")
        cursor.execute("DROP INDEX IF EXISTS claim_statement_trgm")
    columns = "(statement, status, verdict, rationale, version, tags, created_at, updated_at)"
    batch = 100_000
    with raw.cursor() as cursor:
        for offset in range(0, n, batch):
            buffer = io.StringIO()
            for _ in range(min(batch, n - offset)):
                buffer.write(
                    f"{_copy_escape(statement(rng))}\tnew\t\t\t1\t{{}}\t2024-01-01\t2024-01-01\n"
                )
            with cursor.copy(f"COPY claims_claim {columns} FROM STDIN") as copy:
                copy.write(buffer.getvalue())
            print(f"  copied {offset + batch:,}", end="\r", flush=True)
    raw.commit()
    loaded = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE claims_claim ENABLE TRIGGER USER")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        index_started = time.perf_counter()
        cursor.execute(
            "CREATE INDEX claim_statement_fts ON claims_claim "
            "USING gin (to_tsvector('english'::regconfig, statement))"
        )
        fts = time.perf_counter() - index_started
        index_started = time.perf_counter()
        cursor.execute(
            "CREATE INDEX claim_statement_trgm ON claims_claim USING gin (statement gin_trgm_ops)"
        )
        trgm = time.perf_counter() - index_started
        cursor.execute("ANALYZE claims_claim")
    print(
        f"Loaded {n:,} claims in {loaded:.0f} s; full-text index {fts:.0f} s, "
        f"trigram index {trgm:.0f} s."
    )


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if name == "claimtrack":
        print("Refusing to fill the main database; set CLAIMTRACK_EMBEDDED_DB=claimtrack_bench.")
        return 2
    fill(args.claims, args.seed, args.regenerate)

    from apps.claims import matching
    from apps.claims.models import Claim

    rng = random.Random(args.seed + 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id), min(id) FROM claims_claim")
        top, bottom = cursor.fetchone()
    queries: list[tuple[str, str, int | None]] = []
    third = args.queries // 3
    while len(queries) < third:
        claim = Claim.objects.filter(pk=rng.randint(bottom, top)).first()
        if claim:
            queries.append(("paraphrase", paraphrase(claim.statement, rng), claim.pk))
    annotation = json.loads((ROOT / "fixtures/eval/seed-claims.json").read_text("utf-8"))
    quotes = [c["quote"] for c in annotation["claims"]]
    queries += [("sample quote", rng.choice(quotes), None) for _ in range(third)]
    while len(queries) < args.queries:
        words = rng.choice(quotes).split()
        start = rng.randrange(max(1, len(words) - 3))
        queries.append(("typed fragment", " ".join(words[start : start + rng.randint(2, 3)]), None))

    matching.match_claims("warm up the caches", limit=10)
    timings: dict[str, dict[str, list[float]]] = {}
    first = {"hits": 0, "top10": 0, "of": 0}
    for kind, text, target in queries:
        started = time.perf_counter()
        ids = matching.candidate_ids(text)
        retrieval = time.perf_counter() - started
        started = time.perf_counter()
        found = matching.match_claims(text, limit=10)
        full = time.perf_counter() - started
        bucket = timings.setdefault(kind, {"retrieval": [], "match": [], "candidates": []})
        bucket["retrieval"].append(retrieval * 1000)
        bucket["match"].append(full * 1000)
        bucket["candidates"].append(len(ids))
        if target is not None:
            first["of"] += 1
            first["hits"] += bool(found and found[0].claim.pk == target)
            first["top10"] += any(m.claim.pk == target for m in found)
    total = Claim.objects.count()
    print(f"\n{total:,} claims; {len(queries)} queries (ms):")
    print("| queries | n | retrieval p50 | retrieval p95 | retrieval max | match p50 | match p95 "
          "| match max | candidates (median) |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    everything: dict[str, list[float]] = {"retrieval": [], "match": []}
    for kind, bucket in timings.items():
        everything["retrieval"] += bucket["retrieval"]
        everything["match"] += bucket["match"]
        print(
            f"| {kind} | {len(bucket['match'])} | {percentile(bucket['retrieval'], 0.5):.1f} | "
            f"{percentile(bucket['retrieval'], 0.95):.1f} | {max(bucket['retrieval']):.1f} | "
            f"{percentile(bucket['match'], 0.5):.1f} | {percentile(bucket['match'], 0.95):.1f} | "
            f"{max(bucket['match']):.1f} | {statistics.median(bucket['candidates']):.0f} |"
        )
    print(
        f"| all | {len(queries)} | {percentile(everything['retrieval'], 0.5):.1f} | "
        f"{percentile(everything['retrieval'], 0.95):.1f} | {max(everything['retrieval']):.1f} | "
        f"{percentile(everything['match'], 0.5):.1f} | "
        f"{percentile(everything['match'], 0.95):.1f} | {max(everything['match']):.1f} | |"
    )
    if first["of"]:
        print(
            f"\nParaphrased claim ranked first: {first['hits']}/{first['of']}; in the top 10: "
            f"{first['top10']}/{first['of']} (generated claims repeat: an equivalent claim "
            "may rank first)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
