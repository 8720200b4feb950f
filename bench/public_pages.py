"""Public fact-check pages at scale: server time of each public address, N published claims.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrack_bench_public \\
        nice -n 5 .venv/bin/python bench/public_pages.py [--claims 100000] [--runs 200] \\
        [--only "with q"]

Uses its own database (refuses the default ``claimtrack``); migrates it. Loads N published
claims, once (a second run with the same N reuses them), each with a verdict, a rationale,
one appearance in its own article (50 outlets, 2,000 claimants), one piece of evidence
(its own source) and one history event (as approval leaves), by ``bulk_create`` in
batches of 5,000 with the history triggers off during the load, as bench/claims_matching.py
does; then ANALYZE. Statements are drawn from a fixed vocabulary with Zipf-like word
frequencies, so the full-text index sees realistic word statistics (a few words in many
statements, most in few).

Timing: one client, in process, Django's test Client (middleware, URL routing, view,
template; no network, no web server), production settings (``config.settings.base``; static
files by plain names, so no collectstatic is needed).
Each measure is run ``--runs`` times after one warm-up request; the fact-check page and
the 304 pick a different random claim each time, the searches cycle through one-word and
two-word queries of common, middling and rare words. Prints a Markdown table: p50, p95 and
max milliseconds, and queries per request.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-public-pages-not-secret")

BATCH = 5_000
MARKER = "bench-public-pages"

PEOPLE = [f"{first} {last}" for first in (
    "Anna", "Boris", "Carla", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas",
    "Kemal", "Lena", "Marco", "Nadia", "Omar", "Petra", "Quentin", "Rosa", "Sergei", "Tara",
) for last in (
    "Adams", "Brandt", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Horvat", "Ivanov",
    "Jensen", "Kovacs", "Lopez", "Moreau", "Novak", "Olsen", "Petrov", "Rossi", "Schmidt",
    "Tanaka", "Weber",
)]  # fmt: skip
SUBJECTS = (
    "unemployment inflation crime immigration exports imports wages rents taxes deficit "
    "emissions vaccinations hospital waiting-times school funding police numbers pensions "
    "energy prices petrol diesel electricity gas bills broadband coverage housing starts "
    "homelessness tuition fees childcare costs munitions stockpiles defence spending aid "
    "budgets farm subsidies fish stocks rail fares bus routes road deaths cancer survival "
    "obesity rates smoking alcohol sales gun deaths border crossings asylum claims visas "
    "tourism arrivals GDP growth productivity debt interest rates mortgage approvals"
).split()
VERBS = (
    "doubled halved tripled fell rose collapsed soared increased decreased stalled "
    "recovered peaked dropped climbed shrank grew"
).split()
PLACES = (
    "Ukraine Russia Poland Germany France Spain Italy Greece Turkey Hungary Romania Sweden "
    "Norway Finland Denmark Ireland Scotland Wales England London Paris Berlin Madrid Rome "
    "Warsaw Kyiv Moscow Lyon Marseille Munich Hamburg Milan Naples Lisbon Porto Athens "
    "Vienna Prague Budapest Bucharest Sofia Zagreb Belgrade Riga Tallinn Vilnius Oslo"
).split()
FILLER = (
    "according to official figures since the last election under the current government "
    "compared with ten years ago for the first time in history despite promises in every "
    "region among young people among pensioners in rural areas in the capital this year"
).split(" ")


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def zipf_choice(rng: random.Random, words: list[str]) -> str:
    # Rank r has weight ~1/r: a few words everywhere, most rare.
    return words[min(len(words) - 1, int(len(words) ** rng.random()) - 1)]


def statement(rng: random.Random) -> str:
    who = rng.choice(PLACES)
    what = zipf_choice(rng, SUBJECTS).replace("-", " ")
    how = rng.choice(VERBS)
    amount = rng.choice(("by 5%", "by a third", "to a record", "by 40,000", "twice over"))
    tail = " ".join(rng.sample(FILLER, 3))
    year = rng.randint(2015, 2026)
    return f"{what.capitalize()} in {who} {how} {amount} {tail} in {year}"


def load(total: int, seed: int) -> None:
    from django.db import connection, transaction

    from apps.articles.models import Article, Outlet
    from apps.claims.models import Appearance, Claim, Claimant, Status
    from apps.evidence.models import EvidenceLink, Source

    have = Claim.objects.filter(status=Status.PUBLISHED).count()
    if have >= total:
        print(f"Reusing {have:,} published claims.")
        return
    if have:
        print(f"Found {have:,} published claims, wanted {total:,}: use a fresh database.")
        sys.exit(2)
    rng = random.Random(seed)
    verdicts = ["false", "misleading", "mixed", "mostly_true", "true"]
    tables = [
        "claims_claim",
        "claims_appearance",
        "claims_claimant",
        "articles_article",
        "evidence_source",
        "evidence_evidencelink",
    ]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        outlets = Outlet.objects.bulk_create(
            Outlet(name=f"Outlet {i}", domain=f"outlet{i}.{MARKER}.example") for i in range(50)
        )
        claimants = Claimant.objects.bulk_create(
            Claimant(name=f"{name} {i}", key=f"{name.lower()} {i}")
            for i in range(5)
            for name in PEOPLE[:400]
        )
        start_at = datetime(2021, 1, 1, tzinfo=UTC)
        for offset in range(0, total, BATCH):
            count = min(BATCH, total - offset)
            with transaction.atomic():
                claims, articles = [], []
                for i in range(offset, offset + count):
                    text = statement(rng)
                    published = start_at + timedelta(minutes=25 * i + rng.randint(0, 20))
                    claims.append(
                        Claim(
                            statement=text,
                            status=Status.PUBLISHED,
                            verdict=rng.choice(verdicts),
                            rationale=f"The official series shows otherwise. {statement(rng)}.",
                            published_at=published,
                            submitted_at=published - timedelta(hours=2),
                        )
                    )
                    quote = f"{text}, the minister said."
                    articles.append(
                        Article(
                            url=f"https://{MARKER}.example/a/{i}",
                            url_hash=f"{MARKER}-{i}",
                            title=f"Article {i}: {text[:60]}",
                            outlet=rng.choice(outlets),
                            published_at=published - timedelta(days=1),
                            language="en",
                            text=f"Opening paragraph. {quote} Closing paragraph.",
                            content_hash=f"{MARKER}-{i}",
                        )
                    )
                Claim.objects.bulk_create(claims)
                Article.objects.bulk_create(articles)
                sources = Source.objects.bulk_create(
                    Source(
                        url=f"https://stats.{MARKER}.example/series/{offset + k}",
                        title=f"Official series {offset + k}",
                        publisher="National statistics office",
                    )
                    for k in range(count)
                )
                appearances, links = [], []
                for claim, article, source in zip(claims, articles, sources, strict=True):
                    quote = article.text[len("Opening paragraph. ") : -len(" Closing paragraph.")]
                    appearances.append(
                        Appearance(
                            claim=claim,
                            article=article,
                            claimant=rng.choice(claimants),
                            start=len("Opening paragraph. "),
                            end=len("Opening paragraph. ") + len(quote),
                            quote=quote,
                        )
                    )
                    links.append(
                        EvidenceLink(
                            claim=claim,
                            source=source,
                            stance=rng.choice(("refutes", "supports", "context")),
                            quote="The series shows a different figure.",
                        )
                    )
                Appearance.objects.bulk_create(appearances)
                EvidenceLink.objects.bulk_create(links)
            print(f"  loaded {offset + count:,}", end="\r", flush=True)
    finally:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    with connection.cursor() as cursor:
        # One history event per claim, as its approval leaves one (the page reads them).
        cursor.execute(
            'INSERT INTO claims_claimevent (pgh_created_at, pgh_label, pgh_obj_id, "id", '
            "statement, status, verdict, rationale, version, tags, created_at, updated_at, "
            "submitted_at, published_at) SELECT published_at, 'update', id, id, statement, "
            "status, verdict, rationale, version, tags, created_at, updated_at, submitted_at, "
            "published_at FROM claims_claim"
        )
        for table in [*tables, "claims_claimevent"]:
            cursor.execute(f"ANALYZE {table}")
    print(f"\nLoaded {total:,} published claims in {time.perf_counter() - started:.0f} s")


def queries(seed: int) -> list[str]:
    rng = random.Random(seed)
    common, middling, rare = SUBJECTS[:3], SUBJECTS[10:25], SUBJECTS[-20:]
    words = [*common, *middling, *rare, *PLACES[:10]]
    out = []
    for _ in range(60):
        first = rng.choice(words)
        out.append(first if rng.random() < 0.5 else f"{first} {rng.choice(PLACES)}")
    return out


def timed(client, runs: int, request) -> tuple[list[float], list[int], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    request(0)  # warm up
    times, counts, status = [], [], 0
    for i in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = request(i + 1)
            times.append((time.perf_counter() - started) * 1000)
        counts.append(len(captured.captured_queries))
        status = response.status_code
    return times, counts, status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--only", default="", help="Time only the requests whose name contains this text."
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    # The hashed-name static storage needs collectstatic first; a name is a name here.
    storages = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }
    override_settings(STORAGES=storages).enable()

    from apps.claims.models import Claim, Status
    from apps.claims.public import public_path

    if connection.settings_dict["NAME"] == "claimtrack":
        print("Refusing to fill the main database; set DATABASE_URL to a bench database.")
        return 2
    call_command("migrate", verbosity=0)
    load(args.claims, args.seed)

    rng = random.Random(args.seed + 1)
    published = Claim.objects.filter(status=Status.PUBLISHED)
    ids = list(published.values_list("id", flat=True))
    sample = [rng.choice(ids) for _ in range(args.runs + 1)]
    paths = {c.pk: public_path(c) for c in published.filter(pk__in=set(sample)).only("statement")}
    searches = queries(args.seed)
    client = Client()

    etags = {}
    for pk in sample:
        response = client.get(paths[pk])
        etags[pk] = response.headers["ETag"]

    measures = {
        "fact-check page": lambda i: client.get(paths[sample[i]]),
        "index, first page": lambda i: client.get("/fact-checks/"),
        "index, page 200": lambda i: client.get("/fact-checks/", {"page": 200}),
        "index with q (1-2 words)": lambda i: client.get(
            "/fact-checks/", {"q": searches[i % len(searches)]}
        ),
        "index with q, a common word": lambda i: client.get(
            "/fact-checks/", {"q": SUBJECTS[i % 3]}
        ),
        "index with q, a word no claim has": lambda i: client.get(
            "/fact-checks/", {"q": f"zzqx{i % 7}"}
        ),
        "conditional GET (304)": lambda i: client.get(
            paths[sample[i]], headers={"if-none-match": etags[sample[i]]}
        ),
        "Atom feed (50 items)": lambda i: client.get("/fact-checks/feed/"),
        "sitemap.xml": lambda i: client.get("/sitemap.xml"),
    }
    index_etag = client.get("/fact-checks/").headers["ETag"]
    feed_etag = client.get("/fact-checks/feed/").headers["ETag"]
    measures["index, conditional GET (304)"] = lambda i: client.get(
        "/fact-checks/", headers={"if-none-match": index_etag}
    )
    measures["Atom feed, conditional GET (304)"] = lambda i: client.get(
        "/fact-checks/feed/", headers={"if-none-match": feed_etag}
    )
    sections = client.get("/sitemap.xml").content.decode()
    if "<sitemapindex" in sections:
        measures["sitemap section, last page"] = _last_section(client, sections)

    print(
        f"\n{published.count():,} published claims; {args.runs} requests each, one client, "
        "in process (Django test Client)"
    )
    print("| request | status | p50 ms | p95 ms | max ms | queries | bytes |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, request in measures.items():
        if args.only not in name:
            continue
        runs = args.runs if "sitemap" not in name else max(20, args.runs // 10)
        times, counts, status = timed(client, runs, request)
        size = len(request(0).content)
        print(
            f"| {name} | {status} | {percentile(times, 0.5):.1f} | "
            f"{percentile(times, 0.95):.1f} | {max(times):.1f} | {max(counts)} | {size:,} |"
        )
    return 0


def _last_section(client, index_xml: str):
    import re

    locations = re.findall(r"<loc>([^<]+)</loc>", index_xml)
    last = locations[-1].split("://", 1)[-1]
    path = "/" + last.split("/", 1)[1]
    return lambda i: client.get(path)


if __name__ == "__main__":
    sys.exit(main())
