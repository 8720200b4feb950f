"""Reading page server time and queries as the number of appearances grows.

    .venv/bin/python bench/article_page.py [--sizes 0,30,300,1000] [--runs 30]

Builds a throwaway test database (the test settings: the embedded PostgreSQL, or
DATABASE_URL), makes one long article per size from the seed articles (the same ~140,000
characters for every size) with that many appearances (one claim each, statuses mixed,
every tenth overlapping the next sentence) and 30 open suggestions, then GETs the page
as a signed-in analyst through Django's test client (middleware, view, template; no
network). Prints a Markdown table: median and 95th percentile milliseconds, queries per
request, response size, and the time of `build_paragraphs` (the highlight cutting) alone.
The database is dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

SEEDS = ROOT / "fixtures" / "seeds"
STATUSES = ["new", "researching", "in_review", "published"]
SUGGESTIONS = 30
MAX_APPEARANCES = 1000


def long_text(min_sentences: int) -> str:
    """Seed articles, one after the other, until there are enough sentences."""
    from apps.claims.nlp.sentences import split_sentences
    from apps.core.text import normalize_text

    parts, seeds = [], sorted(SEEDS.glob("*.txt"))
    while True:
        for seed in seeds:
            parts.append(normalize_text(seed.read_text(encoding="utf-8")))
            text = "\n\n".join(parts)
            if len(split_sentences(text)) >= min_sentences:
                return text


def article_with(count: int, user):
    """An article with `count` appearances on distinct sentences (every tenth one also
    overlapping the next sentence) and SUGGESTIONS open suggestions."""
    from apps.articles.models import Article, Outlet
    from apps.claims.models import Appearance, Claim, Suggestion
    from apps.claims.nlp.sentences import split_sentences

    # The same text for every size, so only the number of appearances changes.
    text = long_text(MAX_APPEARANCES + SUGGESTIONS + 5)
    sentences = split_sentences(text)
    outlet, _ = Outlet.objects.get_or_create(domain="bench.example", defaults={"name": "Bench"})
    article = Article.objects.create(
        title=f"Bench article with {count} appearances",
        text=text,
        outlet=outlet,
        url=f"https://bench.example/{count}",
        canonical_url=f"https://bench.example/{count}",
        url_hash=f"{count:064d}",
        content_hash=f"b{count:063d}",
        language="en",
    )
    claims = Claim.objects.bulk_create(
        Claim(
            statement=f"Bench claim {i}",
            status=STATUSES[i % 4],
            verdict="false" if STATUSES[i % 4] == "published" else "",
            created_by=user,
        )
        for i in range(count)
    )
    appearances = []
    for i, claim in enumerate(claims):
        s = sentences[i]
        end = sentences[i + 1].end if i % 10 == 9 and i + 1 < len(sentences) else s.end
        appearances.append(
            Appearance(
                claim=claim,
                article=article,
                start=s.start,
                end=end,
                quote=text[s.start : end],
                prefix=text[max(0, s.start - 32) : s.start],
                suffix=text[end : end + 32],
                tagged_by=user,
            )
        )
    Appearance.objects.bulk_create(appearances)
    Suggestion.objects.bulk_create(
        Suggestion(
            article=article,
            start=s.start,
            end=s.end,
            sentence=s.text,
            score=0.5 + (j % 5) / 10,
            claimant_name="Arkady Moshes" if j % 2 else "",
        )
        for j, s in enumerate(sentences[count : count + SUGGESTIONS])
    )
    return article


def measure(client, url: str, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm: template cache, connection, attribution imports
        client.get(url)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    times.sort()
    return {
        "median": statistics.median(times),
        "p95": times[min(len(times) - 1, int(len(times) * 0.95))],
        "queries": len(queries),
        "kb": len(response.content) / 1024,
    }


def time_cutting(article, runs: int) -> float:
    from apps.claims.article_views import build_paragraphs

    appearances = list(article.appearances.all())
    suggestions = list(article.suggestions.all())
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        build_paragraphs(article.text, appearances, suggestions)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def with_test_database(work):
    """Run `work()` on a fresh test database, dropped afterwards."""
    import django
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    django.setup()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        return work()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="0,30,300,1000")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if max(sizes) > MAX_APPEARANCES:
        parser.error(f"at most {MAX_APPEARANCES} appearances")

    def work():
        from django.test import Client
        from django.urls import reverse

        from tests.factories import user_with_role

        analyst = user_with_role("analyst", username="bench-analyst")
        client = Client()
        client.force_login(analyst)
        rows = []
        for size in sizes:
            article = article_with(size, analyst)
            result = measure(client, reverse("articles:detail", args=[article.pk]), args.runs)
            result["cut"] = time_cutting(article, args.runs)
            rows.append((size, result, len(article.text)))
        print(
            "| appearances | text (chars) | median ms | p95 ms | queries | HTML KiB |"
            " build_paragraphs ms |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for size, r, chars in rows:
            print(
                f"| {size} | {chars:,} | {r['median']:.1f} | {r['p95']:.1f} | {r['queries']} "
                f"| {r['kb']:.0f} | {r['cut']:.2f} |"
            )

    with_test_database(work)


if __name__ == "__main__":
    main()
