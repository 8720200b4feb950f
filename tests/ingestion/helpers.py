"""Pages and feeds for the ingestion tests, served by tests/core/httpserver.LocalServer."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"
HTML_TYPE = {"Content-Type": "text/html; charset=utf-8"}


def seed_texts() -> list[str]:
    return [p.read_text() for p in sorted(SEEDS.glob("*.txt"))]


def story(n: int, paragraphs: int = 6) -> str:
    """A distinct article text: paragraphs of seed n (0-4), or invented ones beyond."""
    if n < 5:
        lines = [line for line in seed_texts()[n].splitlines() if len(line) > 80]
        return "\n\n".join(lines[:paragraphs])
    return "\n\n".join(
        f"Story {n} paragraph {i}: the council of district {n * 7 + i} voted on a budget of "
        f"{n * 13 + i} million euros for roads, schools and the harbour, officials said on "
        f"day {i} of the session, adding that the plan would be reviewed again in {n + i} weeks."
        for i in range(paragraphs)
    )


def article_page(
    title: str,
    text: str,
    *,
    canonical: str | None = None,
    meta_charset: str | None = "utf-8",
    extra_head: str = "",
) -> str:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p.strip())
    head = f"<title>{html.escape(title)}</title>"
    if meta_charset:
        head = f'<meta charset="{meta_charset}">' + head
    if canonical:
        head += f'<link rel="canonical" href="{html.escape(canonical)}">'
    return (
        f"<!doctype html><html lang='en'><head>{head}{extra_head}</head><body>"
        f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{html.escape(title)}</h1>{paragraphs}</article>"
        f"<footer>Copyright News Example</footer></body></html>"
    )


def _date(i: int) -> datetime:
    return datetime(2024, 5, 1, 12, 0, tzinfo=UTC) + timedelta(hours=i)


def rss(items: list[tuple[str, str]], title: str = "Example News") -> bytes:
    entries = "".join(
        f"<item><title>{html.escape(t)}</title><link>{html.escape(link)}</link>"
        f"<guid>{html.escape(link)}</guid><pubDate>{format_datetime(_date(i))}</pubDate>"
        f"<description>Summary {i}</description></item>"
        for i, (t, link) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{html.escape(title)}</title><link>https://news.example/</link>"
        f"<description>All the news</description>{entries}</channel></rss>"
    ).encode()


def atom(items: list[tuple[str, str]], title: str = "Example Atom") -> bytes:
    entries = "".join(
        f'<entry><title>{html.escape(t)}</title><link rel="alternate" href="{html.escape(link)}"/>'
        f"<id>{html.escape(link)}</id><updated>{_date(i).isoformat()}</updated>"
        f"<author><name>Reporter {i}</name></author></entry>"
        for i, (t, link) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{html.escape(title)}</title><id>urn:example:atom</id>"
        f"<updated>{_date(0).isoformat()}</updated>{entries}</feed>"
    ).encode()


def rdf(items: list[tuple[str, str]], title: str = "Example RDF") -> bytes:
    """RSS 1.0."""
    entries = "".join(
        f'<item rdf:about="{html.escape(link)}"><title>{html.escape(t)}</title>'
        f"<link>{html.escape(link)}</link></item>"
        for t, link in items
    )
    return (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://news.example/">'
        f"<title>{html.escape(title)}</title><link>https://news.example/</link>"
        f"<description>x</description></channel>{entries}</rdf:RDF>"
    ).encode()


def rss091(items: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{html.escape(t)}</title><link>{html.escape(link)}</link></item>"
        for t, link in items
    )
    return (
        '<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        '"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"><channel>'
        "<title>Old school</title><link>https://news.example/</link><description>x</description>"
        f"<language>en</language>{entries}</channel></rss>"
    ).encode()
