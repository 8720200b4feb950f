"""The article list and the reading page.

The reading page shows the claims tagged in the article. `articles` comes before `claims`
in the dependency order, so this module never imports the claims app: it reads the
appearances through the reverse relation and takes the status vocabulary from the model
metadata. The claims views render this page (with their form re-filled) when a create or
attach fails, through `render_article_page`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.paginator import Paginator
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .models import Article, Outlet

PAGE_SIZE = 50
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def is_web_url(url: str) -> bool:
    """Only http(s) addresses become links: no javascript:, data:, file: or relative URLs."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)


# --- Building the highlighted text ------------------------------------------------------


@dataclass
class Piece:
    """A run of text with one set of highlights. `offset` is its code-point start."""

    offset: int
    text: str
    marks: list = field(default_factory=list)  # appearances covering this run, innermost first
    first_of: list = field(default_factory=list)  # appearances that start here (for anchors)

    @property
    def primary(self):
        return self.marks[0] if self.marks else None

    @property
    def claim_ids(self) -> str:
        return " ".join(str(a.claim_id) for a in self.marks)


@dataclass
class Paragraph:
    start: int
    end: int
    pieces: list[Piece]


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: text split on blank lines, offsets kept."""
    bounds, start = [], 0
    for match in PARAGRAPH_BREAK.finditer(text):
        if match.start() > start:
            bounds.append((start, match.start()))
        start = match.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


def build_paragraphs(text: str, appearances) -> list[Paragraph]:
    """Cut the text into paragraphs and, inside them, into pieces at every highlight edge.

    Overlapping appearances do not nest: each piece lists every appearance that covers it,
    innermost (shortest) first, so overlaps render as adjacent marks. Runs in
    O((n + p) log(n + p)) for n appearances and p paragraphs, with no queries.
    """
    spans = [a for a in appearances if 0 <= a.start < a.end <= len(text)]
    cuts = {0, len(text)}
    for start, end in paragraph_bounds(text):
        cuts.update((start, end))
    for a in spans:
        cuts.update((a.start, a.end))
    points = sorted(cuts)
    starts_at: dict[int, list] = {}
    ends_at: dict[int, list] = {}
    for a in spans:
        starts_at.setdefault(a.start, []).append(a)
        ends_at.setdefault(a.end, []).append(a)

    paragraphs = []
    active: dict[int, object] = {}
    # Appearances that started but have no piece yet (one may start inside a paragraph
    # break); the next piece carries their anchor.
    unanchored: dict[int, object] = {}
    point_index = 0
    for p_start, p_end in paragraph_bounds(text):
        pieces = []
        # Walk the cut points inside this paragraph, keeping the set of open appearances.
        while point_index < len(points) and points[point_index] < p_end:
            here = points[point_index]
            for a in ends_at.get(here, ()):
                active.pop(id(a), None)
                unanchored.pop(id(a), None)
            for a in starts_at.get(here, ()):
                active[id(a)] = a
                unanchored[id(a)] = a
            nxt = points[point_index + 1] if point_index + 1 < len(points) else len(text)
            if here >= p_start and nxt > here:
                marks = sorted(active.values(), key=lambda a: (a.end - a.start, a.start, a.pk))
                pieces.append(
                    Piece(
                        offset=here,
                        text=text[here : min(nxt, p_end)],
                        marks=marks,
                        first_of=list(unanchored.values()),
                    )
                )
                unanchored.clear()
            point_index += 1
        paragraphs.append(Paragraph(start=p_start, end=p_end, pieces=pieces))
    return paragraphs


# --- Pages --------------------------------------------------------------------------------


def _appearance_model():
    # The claims app's Appearance, reached through the relation, not an import (see top).
    return Article._meta.get_field("appearances").related_model


def _claim_count() -> Coalesce:
    """Distinct claims tagged in each article, as a subquery: evaluated for the page's rows
    only, instead of grouping the whole table."""
    counts = (
        _appearance_model()
        .objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(n=Count("claim", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def articles_for_list(*, outlet_id: str = "", q: str = ""):
    """Newest first (undated last), optionally one outlet's, optionally full-text matched."""
    articles = (
        Article.objects.select_related("outlet")
        .defer("text")
        .annotate(claim_count=_claim_count())
        .order_by(F("published_at").desc(nulls_last=True), "-created_at", "-id")
    )
    if outlet_id.isdigit():
        articles = articles.filter(outlet_id=int(outlet_id))
    if q:
        # The same expression as the GIN index article_search_gin, so the index is used.
        articles = articles.alias(search=SearchVector("title", "text", config="english")).filter(
            search=SearchQuery(q, search_type="websearch", config="english")
        )
    return articles


@require_safe
@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    outlet_id = request.GET.get("outlet", "")
    q = request.GET.get("q", "").strip()[:200]
    articles = articles_for_list(outlet_id=outlet_id, q=q)
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "articles/list.html",
        {
            "page": page,
            "outlets": Outlet.objects.order_by("name"),
            "selected_outlet": outlet_id,
            "q": q,
            "query_string": query.urlencode(),
        },
    )


def _claim_statuses() -> list[tuple[str, str]]:
    claim = _appearance_model()._meta.get_field("claim").related_model
    return list(claim._meta.get_field("status").choices)


def render_article_page(
    request: HttpRequest, article: Article, *, selection: dict | None = None, status: int = 200
) -> HttpResponse:
    """The reading page. `selection` re-opens the create/attach panel with what the user
    typed (after an error): {"mode", "start", "end", "quote", "statement", "claimant_name",
    "error"}."""
    appearances = list(
        article.appearances.select_related("claim", "claimant").order_by("start", "id")
    )
    text = article.text
    anchored, unanchored = [], []
    for a in appearances:
        ok = (
            not a.orphaned
            and 0 <= a.start < a.end <= len(text)
            and text[a.start : a.end] == a.quote
        )
        (anchored if ok else unanchored).append(a)
    claims: dict[int, dict] = {}
    for a in appearances:
        entry = claims.setdefault(a.claim_id, {"claim": a.claim, "appearances": []})
        entry["appearances"].append(a)
    return render(
        request,
        "articles/detail.html",
        {
            "article": article,
            "paragraphs": build_paragraphs(text, anchored),
            "unanchored": unanchored,
            "claims_here": list(claims.values()),
            "statuses": _claim_statuses(),
            "original_url": article.url if is_web_url(article.url) else "",
            "selection": selection or {},
        },
        status=status,
    )


@require_safe
@login_required
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.select_related("outlet", "duplicate_of"), pk=pk)
    return render_article_page(request, article)
