"""extraction.trafilatura_extract keeps trafilatura's answers for what Claimtrack stores.

It parses a page once and takes only the metadata fields Claimtrack keeps (title,
author, date) instead of trafilatura's whole `extract_metadata`. These tests hold it to
trafilatura's own full extraction on pages that take each field from a different place.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import trafilatura

from apps.ingestion.extraction import DATE_OPTIONS, TEXT_OPTIONS, trafilatura_extract
from bench.ingest_throughput import page as bench_page

ROOT = Path(__file__).resolve().parents[2]
BODY = "".join(
    f"<p>The harbour authority said on Tuesday that cargo volumes rose {n} percent in the "
    f"third quarter, the strongest rise since records began, as ships returned to port {n}.</p>"
    for n in range(3, 11)
)


def _page(head: str = "", byline: str = "", title: str = "Harbour traffic recovers") -> str:
    return (
        f"<html lang='en'><head><title>{title} | Coast News</title>{head}</head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/tag/ports'>Ports</a></nav>"
        f"<article><h1>{title}</h1>{byline}{BODY}</article>"
        "<footer><a href='https://creativecommons.org/licenses/by/4.0/'>CC BY</a></footer>"
        "</body></html>"
    )


JSON_LD = json.dumps(
    {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Cargo volumes rise at the harbour",
        "datePublished": "2024-03-05T09:30:00Z",
        "author": {"@type": "Person", "name": "Amina Diallo"},
    }
)

PAGES = {
    "meta tags": (
        _page(
            "<meta property='og:title' content='Harbour traffic is back'>"
            "<meta name='author' content='Jane Doe'>"
            "<meta property='article:published_time' content='2024-02-11T08:00:00Z'>"
        ),
        "https://coast.example/news/harbour",
    ),
    "JSON-LD": (
        _page(f"<script type='application/ld+json'>{JSON_LD}</script>"),
        "https://coast.example/news/cargo",
    ),
    "byline and a date in the address": (
        _page(byline="<p class='byline'>By John Smith</p>"),
        "https://coast.example/2023/11/07/harbour-traffic",
    ),
    "one-word author meta": (
        _page("<meta name='author' content='Newsdesk'>", "<span class='author'>Li Wei</span>"),
        "https://coast.example/news/li",
    ),
    "nothing but the title": (_page(), "https://coast.example/news/plain"),
    "benchmark page": (bench_page(7).decode(), "https://bench.example/news/7"),
}


@pytest.mark.parametrize("name", PAGES)
def test_title_author_and_date_are_trafilaturas_own(name):
    html, url = PAGES[name]
    document, metadata = trafilatura_extract(html, url)
    full = trafilatura.extract_metadata(html, url, date_config=dict(DATE_OPTIONS))
    assert (metadata.title, metadata.author, metadata.date) == (
        full.title,
        full.author,
        full.date,
    )
    assert metadata.title  # every page here has one: the comparison is not of two Nones


@pytest.mark.parametrize("name", PAGES)
def test_text_is_trafilaturas_own(name):
    html, url = PAGES[name]
    document, _metadata = trafilatura_extract(html, url)
    full = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        date_extraction_params=dict(DATE_OPTIONS),
        **TEXT_OPTIONS,
    )
    assert document.text == full.text
    assert "cargo volumes rose" in document.text or name == "benchmark page"


def test_fields_come_from_where_each_page_has_them():
    """The pages do exercise each source (else the comparisons above prove little)."""
    found = {name: trafilatura_extract(html, url)[1] for name, (html, url) in PAGES.items()}
    assert found["meta tags"].author == "Jane Doe"
    assert found["meta tags"].date == "2024-02-11"
    assert found["JSON-LD"].author == "Amina Diallo"
    assert found["JSON-LD"].date == "2024-03-05"
    assert found["byline and a date in the address"].date == "2023-11-07"
    assert found["one-word author meta"].author != "Newsdesk"


def test_a_page_that_is_not_html_gives_nothing():
    assert trafilatura_extract("", "https://coast.example/x") == (None, None)


def test_importing_the_benchmark_leaves_the_environment_alone():
    """Tests import page() from the benchmark. Celery takes CELERY_BROKER_URL from the
    environment over its settings, so a benchmark that set it on import sent later
    tests' tasks to another Redis database than their workers read."""
    script = (
        "import os; before = dict(os.environ); import bench.ingest_throughput; "
        "assert dict(os.environ) == before, set(os.environ.items()) ^ set(before.items())"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
