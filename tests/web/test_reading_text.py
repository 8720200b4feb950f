"""How the reading page cuts article text into paragraphs and highlighted pieces."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.urls import reverse

from apps.claims.article_views import articles_for_list, build_paragraphs, paragraph_bounds
from apps.claims.models import Claim
from apps.core.weburls import is_web_url
from tests import factories


def span(pk, start, end, claim_id=None):
    return SimpleNamespace(pk=pk, start=start, end=end, claim_id=claim_id or pk)


def rebuilt(text, paragraphs):
    """Each paragraph's pieces, joined, are exactly its slice of the text at its offsets."""
    assert paragraphs
    for paragraph in paragraphs:
        assert paragraph.pieces
        joined = "".join(piece.text for piece in paragraph.pieces)
        assert joined == text[paragraph.start : paragraph.end]
        for piece in paragraph.pieces:
            assert text[piece.offset : piece.offset + len(piece.text)] == piece.text
    return [p.start for p in paragraphs]


def test_paragraphs_split_on_blank_lines_and_keep_offsets():
    text = "One line\nstill one.\n\n  Indented second.\n \n\nThird 😀."
    second, third = text.index("  Indented"), text.index("Third")
    assert paragraph_bounds(text) == [
        (0, len("One line\nstill one.")),
        (second, second + len("  Indented second.")),  # leading indentation is kept
        (third, len(text)),
    ]
    assert rebuilt(text, build_paragraphs(text, [])) == [0, second, third]


def test_overlapping_and_nested_appearances_split_into_pieces():
    text = "Alpha beta gamma delta."
    outer, inner, overlap = span(1, 0, 16), span(2, 6, 10), span(3, 11, 22)
    paragraphs = build_paragraphs(text, [outer, inner, overlap])
    rebuilt(text, paragraphs)
    pieces = [(p.text, [a.pk for a in p.marks]) for p in paragraphs[0].pieces]
    assert pieces == [
        ("Alpha ", [1]),
        ("beta", [2, 1]),  # innermost first
        (" ", [1]),
        ("gamma", [3, 1]),
        (" delta", [3]),
        (".", []),
    ]
    anchors = {a.pk: p.offset for p in paragraphs[0].pieces for a in p.first_of}
    assert anchors == {1: 0, 2: 6, 3: 11}


def test_appearance_across_a_paragraph_break_marks_both_sides():
    text = "First para ends.\n\nSecond para."
    across = span(1, 11, 24)  # "ends.\n\nSecond"
    paragraphs = build_paragraphs(text, [across])
    rebuilt(text, paragraphs)
    marked = [p.text for para in paragraphs for p in para.pieces if p.marks]
    assert marked == ["ends.", "Second"]


def test_appearance_starting_inside_a_break_gets_its_anchor_on_the_next_piece():
    text = "First.\n\nSecond."
    starts_in_break = span(1, 7, 14)
    paragraphs = build_paragraphs(text, [starts_in_break])
    first_marked = next(p for para in paragraphs for p in para.pieces if p.marks)
    assert first_marked.offset == 8 and [a.pk for a in first_marked.first_of] == [1]


def test_spans_outside_the_text_are_ignored():
    text = "Short."
    paragraphs = build_paragraphs(text, [span(1, 2, 50), span(2, 0, 3)])
    assert [(p.text, [a.pk for a in p.marks]) for p in paragraphs[0].pieces] == [
        ("Sho", [2]),
        ("rt.", []),
    ]


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.org/a", True),
        ("HTTP://example.org", True),
        ("javascript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//example.org/x", False),
        ("/relative", False),
        ("https://", False),
        ("", False),
    ],
)
def test_only_http_and_https_urls_become_links(url, ok):
    assert is_web_url(url) is ok


@pytest.mark.django_db
def test_article_search_can_use_the_gin_index():
    factories.ArticleFactory(title="Shells", text="Artillery shells ran low.")
    # On a tiny table the planner prefers walking the whole table (or a whole b-tree); take
    # those away and see whether the search expression can be answered from the GIN index.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = articles_for_list(q="shells").explain()
    assert "article_search_gin" in plan


@pytest.mark.django_db
def test_quote_with_browser_line_breaks_matches_across_paragraphs(analyst_client):
    text = "First para ends.\n\nSecond para."
    article = factories.ArticleFactory(text=text)
    quote = "ends.\n\nSecond"
    start = text.index(quote)
    response = analyst_client.post(
        reverse("claims:create"),
        {
            "article": article.pk,
            "start": start,
            "end": start + len(quote),
            "quote": quote.replace("\n", "\r\n"),  # what a browser's form submission sends
        },
    )
    assert response.status_code == 302
    assert Claim.objects.get().appearances.get().quote == quote
