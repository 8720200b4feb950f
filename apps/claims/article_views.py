"""The article list and the reading page: claims screens (they count, list and tag claims,
and show the open suggestions), so they live in the claims app, which sits above `articles`
and reads its models directly. Their URLs keep the `articles` namespace (article_urls.py).
The claims views render the reading page (with their form re-filled) when a create or
attach fails, through `render_article_page`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.paginator import Paginator
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST, require_safe

from apps.accounts.roles import is_analyst
from apps.articles.models import Article, Outlet
from apps.core.errors import DomainError
from apps.core.weburls import is_web_url

from .anchoring import removed_lines_restore
from .models import Appearance, Status, Suggestion
from .nlp.sentences import split_sentences

PAGE_SIZE = 50
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
MAX_DUPLICATES_SHOWN = 20
CLAIM_CARDS = 40  # claims listed in the margin before "Show all"
# What the reading page reads of each appearance, its claim and claimant (no more: a long
# article has hundreds of rows, and every field costs).
TAGGED_FIELDS = (
    "id", "article_id", "claim_id", "claimant_id", "start", "end", "quote", "orphaned",
    "claim__id", "claim__statement", "claim__status", "claim__verdict",
    "claimant__id", "claimant__name",
)  # fmt: skip


# --- Building the highlighted text ------------------------------------------------------


@dataclass
class Piece:
    """A run of text with one set of highlights. `offset` is its code-point start."""

    offset: int
    text: str
    # Appearances covering this run, innermost first; those that start here (for anchors).
    marks: list[Appearance] = field(default_factory=list)
    first_of: list[Appearance] = field(default_factory=list)
    suggestion: Suggestion | None = None  # the open suggestion covering this run, if any

    @property
    def primary(self):
        return self.marks[0] if self.marks else None

    @property
    def claim_ids(self) -> str:
        return " ".join(str(a.claim_id) for a in self.marks)

    @property
    def html(self) -> SafeString:
        """The escaped text. A carriage return is written as a character reference: the
        HTML parser turns a literal CR (or CRLF) into LF, which would make the browser's
        text one code point shorter than the stored text and shift every offset after it."""
        escaped = escape(self.text)
        return mark_safe(escaped.replace("\r", "&#13;")) if "\r" in escaped else escaped  # noqa: S308


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


def build_paragraphs(text: str, appearances, suggestions=()) -> list[Paragraph]:
    """Cut the text into paragraphs and, inside them, into pieces at every highlight edge.

    Overlapping appearances do not nest: each piece lists every appearance that covers it,
    innermost (shortest) first, so overlaps render as adjacent marks. Open suggestions are
    a second layer: each piece knows the suggestion covering it (they do not overlap; if
    they did, the earlier one wins). Runs in O((n + s + p) log(n + s + p)) for n
    appearances, s suggestions and p paragraphs, with no queries.
    """
    spans = [a for a in appearances if 0 <= a.start < a.end <= len(text)]
    suggested = sorted(
        (s for s in suggestions if 0 <= s.start < s.end <= len(text)),
        key=lambda s: (s.start, s.end),
    )
    cuts = {0, len(text)}
    for start, end in paragraph_bounds(text):
        cuts.update((start, end))
    for a in spans:
        cuts.update((a.start, a.end))
    for sg in suggested:
        cuts.update((sg.start, sg.end))
    points = sorted(cuts)
    starts_at: dict[int, list[Appearance]] = {}
    ends_at: dict[int, list[Appearance]] = {}
    for a in spans:
        starts_at.setdefault(a.start, []).append(a)
        ends_at.setdefault(a.end, []).append(a)

    paragraphs = []
    active: dict[int, Appearance] = {}
    sg_index = 0
    # Appearances that started but have no piece yet (one may start inside a paragraph
    # break); the next piece carries their anchor.
    unanchored: dict[int, Appearance] = {}
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
                while sg_index < len(suggested) and suggested[sg_index].end <= here:
                    sg_index += 1
                covering = None
                if sg_index < len(suggested) and suggested[sg_index].start <= here:
                    covering = suggested[sg_index]
                pieces.append(
                    Piece(
                        offset=here,
                        text=text[here : min(nxt, p_end)],
                        marks=marks,
                        first_of=list(unanchored.values()),
                        suggestion=covering,
                    )
                )
                unanchored.clear()
            point_index += 1
        paragraphs.append(Paragraph(start=p_start, end=p_end, pieces=pieces))
    return paragraphs


def _mark_title(appearance) -> str:
    claim = appearance.claim
    statement = claim.statement if len(claim.statement) <= 140 else claim.statement[:139] + "…"
    return f"Claim #{appearance.claim_id} ({claim.get_status_display()}): {statement}"


def _mark_label(piece: Piece) -> str:
    """The accessible name of a highlight's first piece: every claim on it with its status
    in words (colour alone says nothing to a screen reader), then the text itself."""
    claims = "; ".join(f"claim #{a.claim_id}, {a.claim.get_status_display()}" for a in piece.marks)
    return f"Highlight, {claims}: {piece.text.strip()}"


def render_text(paragraphs: list[Paragraph]) -> SafeString:
    """The article body's HTML: one <p> per paragraph, one element per piece.

    Written in Python rather than as a template loop: a long article has thousands of
    pieces and the template engine's per-node cost made the page's time grow with the
    number of highlights. Every string from outside goes through `escape` (the piece text
    through `Piece.html`); everything else is an integer from the database or one of our
    own class names. The markup is what selection.js reads: data-offset on every piece.
    """
    out: list[str] = []
    add = out.append
    for paragraph in paragraphs:
        add(f'<p dir="auto" data-start="{paragraph.start}" data-end="{paragraph.end}">')
        for piece in paragraph.pieces:
            for a in piece.first_of:
                add(f'<span class="anchor" id="appearance-{int(a.pk)}"></span>')
            sg = piece.suggestion
            sg_attr = f' data-suggestion="{int(sg.pk)}"' if sg is not None else ""
            if piece.marks:
                a = piece.primary
                classes = f"hl status-{escape(a.claim.status)}"
                if len(piece.marks) > 1:
                    classes += " hl-overlap"
                if sg is not None:
                    classes += " sg"
                # Where an appearance starts, the highlight is a tab stop that names its
                # claims and their status; Enter opens the claim (selection.js), so it is
                # a button (a mark cannot be named: Chromium drops its aria-label).
                focus_attrs = (
                    f' tabindex="0" role="button" aria-label="{escape(_mark_label(piece))}"'
                    if piece.first_of
                    else ""
                )
                add(
                    f'<mark class="{classes}" data-claim="{int(a.claim_id)}" '
                    f'data-claims="{piece.claim_ids}" data-start="{int(a.start)}" '
                    f'data-end="{int(a.end)}" data-offset="{piece.offset}"{sg_attr} '
                    f'title="{escape(_mark_title(a))}"{focus_attrs}>{piece.html}</mark>'
                )
            elif sg is not None:
                title = f"Suggested claim (score {sg.score:.2f})"
                if sg.claimant_name:
                    title += f", {sg.claimant_name}"
                add(
                    f'<span class="sg"{sg_attr} data-offset="{piece.offset}" '
                    f'title="{escape(title)}">{piece.html}</span>'
                )
            else:
                add(f'<span data-offset="{piece.offset}">{piece.html}</span>')
        add("</p>\n")
    return mark_safe("".join(out))  # noqa: S308 - built from escaped parts, see above


# --- Pages --------------------------------------------------------------------------------


def _claim_count() -> Coalesce:
    """Distinct claims tagged in each article, as a subquery: evaluated for the page's rows
    only, instead of grouping the whole table."""
    counts = (
        Appearance.objects.filter(article=OuterRef("pk"))
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
        "claims/article_list.html",
        {
            "page": page,
            "outlets": Outlet.objects.order_by("name"),
            "selected_outlet": outlet_id,
            "q": q,
            "query_string": query.urlencode(),
        },
    )


def _open_suggestions(article: Article) -> list:
    return list(
        Suggestion.objects.filter(article=article, state=Suggestion.State.OPEN)
        .only("id", "article_id", "start", "end", "score", "claimant_name")
        .order_by("start", "id")
    )


def _tagged(article: Article) -> tuple[list, list, list[dict]]:
    """The article's appearances: (anchored in the current text, not found in it, one
    entry per claim in text order with its appearances). One query."""
    appearances = list(
        Appearance.objects.filter(article=article)
        .select_related("claim", "claimant")
        .only(*TAGGED_FIELDS)
        .order_by("start", "id")
    )
    text = article.text
    anchored: list[Appearance] = []
    unanchored: list[Appearance] = []
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
    return anchored, unanchored, list(claims.values())


def sentence_bounds(text: str) -> list[list[int]]:
    """[start, end] of every sentence, cut by the splitter the suggestions use, so a
    keyboard user steps through the same sentences the suggester scores (selection.js
    reads them; it does not split text itself)."""
    return [[span.start, span.end] for span in split_sentences(text)]


def render_article_page(
    request: HttpRequest, article: Article, *, selection: dict | None = None, status: int = 200
) -> HttpResponse:
    """The reading page. `selection` re-opens the create/attach panel with what the user
    typed (after an error): {"mode", "start", "end", "quote", "statement", "claimant_name",
    "error"}. A constant number of queries, whatever the number of appearances; the
    margin lists the first CLAIM_CARDS claims (the rest on request)."""
    anchored, unanchored, claims = _tagged(article)
    suggestions = _open_suggestions(article)
    duplicates = list(
        article.duplicates.select_related("outlet")
        .only("id", "title", "duplicate_similarity", "outlet__name")
        .order_by("-duplicate_similarity", "id")[: MAX_DUPLICATES_SHOWN + 1]
    )
    return render(
        request,
        "claims/article_detail.html",
        {
            "article": article,
            "article_html": render_text(build_paragraphs(article.text, anchored, suggestions)),
            "unanchored": unanchored,
            "claims_here": claims[:CLAIM_CARDS],
            "claim_count": len(claims),
            "more_claims": len(claims) > CLAIM_CARDS,
            "statuses": Status.choices,
            "original_url": article.url if is_web_url(article.url) else "",
            "selection": selection or {},
            "suggestions_url": reverse("suggestions:article", args=[article.pk]),
            "suggestion_count": len(suggestions),
            "duplicates": duplicates[:MAX_DUPLICATES_SHOWN],
            "more_duplicates": len(duplicates) > MAX_DUPLICATES_SHOWN,
            # Only analysts move through the text to tag it.
            "sentences": sentence_bounds(article.text) if is_analyst(request.user) else [],
        },
        status=status,
    )


@require_safe
@login_required
def article_claims(request: HttpRequest, pk: int) -> HttpResponse:
    """Every claim tagged in the article, for the margin's "Show all" (htmx)."""
    article = get_object_or_404(Article, pk=pk)
    _anchored, unanchored, claims = _tagged(article)
    return render(
        request,
        "claims/_claims_here.html",
        {
            "article": article,
            "claims_here": claims,
            "claim_count": len(claims),
            "more_claims": False,
            "unanchored": unanchored,
        },
    )


@require_safe
@login_required
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.select_related("outlet", "duplicate_of"), pk=pk)
    return render_article_page(request, article)


@require_POST
@login_required
def article_restore_removed(request: HttpRequest, pk: int) -> HttpResponse:
    """An editor puts the lines removed as page furniture back into the text; the
    highlights are re-anchored in the same transaction."""
    article = get_object_or_404(Article, pk=pk)
    count = len(article.removed_lines or [])
    try:
        report = removed_lines_restore(article=article, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        lines = "line" if count == 1 else "lines"
        messages.success(
            request,
            f"{count} {lines} put back into the text. Highlights: {len(report.kept)} kept, "
            f"{len(report.moved) + len(report.fuzzy)} moved, {len(report.orphaned)} not found.",
        )
    return redirect("articles:detail", pk=pk)
