"""Importing other organisations' fact-checks: N ClaimReviews in one DataFeed file, on one
core, including the vectors the matcher needs (apps/claims/factchecks.py).

    createdb -h 127.0.0.1 -U postgres claimtrack_bench_factchecks
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/claimtrack_bench_factchecks \\
        .venv/bin/python bench/factcheck_import.py [-n 10000]

Uses its own database (refuses the default ``claimtrack``); migrates it and empties the
fact-check table first. Reviews are generated: sentences of 12 to 30 words drawn from a
word list (so each claim text is distinct and is encoded), an author as a string or an
object, appearances as a URL or a list, HTML in a third of the texts, ratings as words or
numbers. Prints the first import (rows created, texts encoded), the same file again
(rows updated, nothing re-encoded) and one search against the imported reviews.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

WORDS = (
    "minister government council vaccine election tax rate school hospital bridge water "
    "price energy police border budget city state army farmers jobs wages rent housing "
    "billion million percent year week doubled halved banned approved rejected closed "
    "opened increased reduced cut raised spent lost won voted claimed said announced "
    "report study data climate emissions coal gas oil wind solar trains buses flights "
    "migrants refugees crime murders prison court judge law parliament senator mayor"
).split()
RATINGS = ["False", "Mostly true", "Pants on fire", "Misleading", "Half true", "Satire"]


def review(n: int, rng: random.Random) -> dict:
    words = rng.sample(WORDS, rng.randint(12, 30))
    claim = " ".join(words).capitalize()
    if n % 3 == 0:
        claim = f"<p>{claim} <b>{rng.choice(WORDS)}</b></p>"
    rating = (
        {"@type": "Rating", "alternateName": rng.choice(RATINGS)}
        if n % 2
        else {
            "@type": "Rating",
            "ratingValue": rng.randint(0, 10),
            "bestRating": 10,
            "worstRating": 0,
        }
    )
    author = f"Speaker {n % 97}" if n % 2 else {"@type": "Person", "name": f"Speaker {n % 89}"}
    appearance = (
        f"https://social.example/p/{n}"
        if n % 2
        else [{"url": f"https://news.example/a/{n}"}, f"https://video.example/v/{n}"]
    )
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://checker{n % 7}.example/fact-check/{n}",
        "claimReviewed": claim,
        "author": {"@type": "Organization", "name": f"Checker {n % 7}"},
        "datePublished": f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}" if n % 5 else None,
        "itemReviewed": {"@type": "Claim", "author": author, "appearance": appearance},
        "reviewRating": rating,
        "inLanguage": "en",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=10_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    os.environ["CLAIMS_ENCODER_THREADS"] = "1"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    name = settings.DATABASES["default"]["NAME"]
    if name == "claimtrack":
        sys.exit("Refusing to run on the default database: set DATABASE_URL to a scratch one.")
    call_command("migrate", verbosity=0)
    from apps.claims.factcheck_matching import match_factchecks
    from apps.claims.factchecks import factchecks_import
    from apps.claims.models import ExternalFactCheck
    from apps.claims.nlp import encoder

    ExternalFactCheck.objects.all().delete()
    rng = random.Random(17)
    feed = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "dataFeedElement": [
            {"@type": "DataFeedItem", "item": [review(n, rng)]} for n in range(args.n)
        ],
    }
    content = json.dumps(feed).encode()
    encoder.encode(["warm up the model"])  # loading the model is not the import
    print(f"{args.n} reviews, {len(content) / 1e6:.1f} MB, database {name}, one core")
    for label in ("first import", "same file again"):
        started = time.perf_counter()
        result = factchecks_import(content)
        seconds = time.perf_counter() - started
        print(
            f"{label}: {seconds:.1f} s ({args.n / seconds:.0f} reviews/s); created "
            f"{result.created}, updated {result.updated}, skipped {len(result.skipped)}"
        )
    # The first search loads the matrix and the direction check's word lists (per process).
    started = time.perf_counter()
    match_factchecks("The minister said the tax rate doubled for farmers this year")
    print(f"first search (loads the index): {(time.perf_counter() - started) * 1000:.0f} ms")
    times = []
    for n in range(20):
        words = random.Random(n).sample(WORDS, 12)
        started = time.perf_counter()
        match_factchecks(" ".join(words))
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    print(f"searches after it: median {times[10]:.0f} ms, max {times[-1]:.0f} ms (20 queries)")


if __name__ == "__main__":
    main()
