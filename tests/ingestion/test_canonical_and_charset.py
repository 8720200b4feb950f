"""Canonical URLs (apps.core.urls), rel=canonical, and decoding pages whose charset is
wrong or missing (apps.ingestion.extraction)."""

import pytest

from apps.core.urls import canonicalize_url, same_site, url_hash
from apps.ingestion.extraction import decode_body, extract_html, find_canonical_url
from tests.ingestion.helpers import article_page, story


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("HTTPS://News.Example.COM/Story", "https://news.example.com/Story"),
        ("https://news.example.com./a", "https://news.example.com/a"),
        ("https://news.example.com:443/a", "https://news.example.com/a"),
        ("http://news.example.com:80/a", "http://news.example.com/a"),
        ("http://news.example.com:8080/a", "http://news.example.com:8080/a"),
        ("https://news.example.com/a#comments", "https://news.example.com/a"),
        ("https://news.example.com", "https://news.example.com/"),
        (
            "https://news.example.com/a?utm_source=tw&utm_medium=social&id=7&fbclid=x&gclid=y",
            "https://news.example.com/a?id=7",
        ),
        ("https://news.example.com/a?b=2&a=1", "https://news.example.com/a?a=1&b=2"),
        ("https://news.example.com/a?UTM_Campaign=x&mc_cid=1", "https://news.example.com/a"),
        ("https://news.example.com/%7Euser/caf%c3%a9", "https://news.example.com/~user/caf%C3%A9"),
        ("https://bücher.example/x", "https://xn--bcher-kva.example/x"),
        ("https://[2001:DB8::1]:443/x", "https://[2001:db8::1]/x"),
    ],
)
def test_canonical_form(given, canonical):
    assert canonicalize_url(given) == canonical
    assert canonicalize_url(canonical) == canonical  # idempotent


def test_tracking_variants_of_one_link_hash_the_same():
    variants = [
        "https://news.example.com/2024/05/story?ref_src=twsrc&utm_source=x",
        "HTTPS://NEWS.EXAMPLE.COM:443/2024/05/story#top",
        "https://news.example.com/2024/05/story?_ga=1.2.3",
    ]
    assert len({url_hash(canonicalize_url(v)) for v in variants}) == 1


def test_path_case_and_trailing_slash_are_kept():
    # Either may name a different page on some sites.
    assert canonicalize_url("https://a.example/Story") != canonicalize_url(
        "https://a.example/story"
    )
    assert canonicalize_url("https://a.example/x/") != canonicalize_url("https://a.example/x")


def test_same_site():
    assert same_site("https://www.news.example/a", "https://news.example/b")
    assert same_site("https://m.news.example/a", "https://news.example/b")
    assert same_site("https://edition.news.example/a", "https://news.example/b")
    assert not same_site("https://news.example/a", "https://othernews.example/b")
    assert not same_site("https://a.github.io/x", "https://b.github.io/x")


# --- rel=canonical


def test_relative_canonical_link_is_resolved():
    page = article_page("T", story(5), canonical="/2024/05/story?id=3")
    assert (
        find_canonical_url(page, "https://www.news.example/amp/story")
        == "https://www.news.example/2024/05/story?id=3"
    )


def test_og_url_is_used_when_there_is_no_canonical_link():
    page = article_page(
        "T", story(5), extra_head='<meta property="og:url" content="https://news.example/real">'
    )
    assert find_canonical_url(page, "https://news.example/x?y=1") == "https://news.example/real"


@pytest.mark.parametrize(
    ("canonical", "why"),
    [
        ("https://other.example/their-story", "another site could claim the article"),
        ("https://news.example/", "home page: a template mistake"),
        ("javascript:alert(1)", "not a web address"),
        ("ftp://news.example/x", "not http"),
    ],
)
def test_untrustworthy_canonical_links_are_ignored(canonical, why):
    page = article_page("T", story(5), canonical=canonical)
    assert find_canonical_url(page, "https://news.example/2024/story") == "", why


def test_canonical_link_in_the_body_is_ignored():
    page = "<html><head><title>x</title></head><body><link rel=canonical href='https://news.example/b'></body>"
    assert find_canonical_url(page, "https://news.example/a") == ""


@pytest.mark.parametrize(
    "head",
    [
        '<script>var t = \'<link rel="canonical" href="https://news.example/b">\';</script>',
        "<!-- <link rel=canonical href=https://news.example/b> -->",
        "<noscript><link rel=canonical href=https://news.example/b></noscript>",
    ],
)
def test_a_canonical_link_inside_a_script_or_comment_is_not_a_link(head):
    page = f"<html><head>{head}<title>x</title></head><body><p>Text</p></body></html>"
    assert find_canonical_url(page, "https://news.example/a") == ""


def test_canonical_link_attributes_are_read_as_a_browser_reads_them():
    page = (
        "<html><head><script>window.x = {a: 1};</script>"
        "<META property='og:url' content='https://news.example/og'>"
        "<LINK data-x=1 REL='alternate canonical' HREF=\"/story?id=3&amp;part=2\"></head>"
        "<body></body></html>"
    )
    assert (
        find_canonical_url(page, "https://news.example/amp")
        == "https://news.example/story?id=3&part=2"
    )


def test_extracted_article_carries_its_canonical_url():
    page = article_page("Harbour reopens", story(5), canonical="https://news.example/harbour")
    extracted = extract_html(page, url="https://news.example/harbour?utm_source=rss")
    assert extracted.canonical_url == "https://news.example/harbour"
    assert extracted.title == "Harbour reopens"


# --- charsets

FRENCH = "L’économie a crû de 5 % en 2023, a déclaré le ministère — « une année solide »."
RUSSIAN = "Экономика выросла на пять процентов в прошлом году, заявило министерство."


def test_utf8_body_with_a_wrong_latin1_header_is_read_as_utf8():
    assert decode_body(FRENCH.encode("utf-8"), "iso-8859-1") == FRENCH


def test_cp1252_body_with_a_wrong_utf8_header_is_not_garbled():
    text = decode_body(FRENCH.encode("cp1252"), "utf-8")
    assert text == FRENCH


def test_missing_charset_uses_the_meta_declaration():
    body = f'<html><head><meta charset="windows-1251"></head><body>{RUSSIAN}</body></html>'
    assert RUSSIAN in decode_body(body.encode("cp1251"), None)


def test_specific_meta_beats_a_generic_header_charset():
    body = f'<meta http-equiv="Content-Type" content="text/html; charset=koi8-r"><p>{RUSSIAN}</p>'
    assert RUSSIAN in decode_body(body.encode("koi8-r"), "iso-8859-1")


def test_specific_header_beats_a_leftover_generic_meta():
    body = f'<meta charset="iso-8859-1"><p>{RUSSIAN}</p>'
    assert RUSSIAN in decode_body(body.encode("cp1251"), "windows-1251")


def test_missing_charset_without_declaration_is_guessed():
    body = ("<p>" + RUSSIAN * 3 + "</p>").encode("cp1251")
    assert RUSSIAN in decode_body(body, None)


def test_byte_order_mark_decides():
    assert decode_body(b"\xef\xbb\xbf" + FRENCH.encode(), "iso-8859-1") == FRENCH
    assert decode_body(FRENCH.encode("utf-16"), "iso-8859-1") == FRENCH


def test_latin1_declaration_is_read_as_windows_1252():
    # Browsers read "iso-8859-1" as windows-1252: 0x92 is a curly apostrophe, not a control.
    assert decode_body(b"L\x92\xe9conomie", "iso-8859-1") == "L’économie"
