"""Public fact-check pages: no log-in, published claims only. A page is its claim, who made
it and where, the verdict on the organisation's rating scale, rationale, evidence by
stance, dates, corrections, and its ClaimReview JSON-LD. Cacheable: ETag and Last-Modified
(public.page_validators), answered with 304 by Django's `condition`."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_safe

from . import public
from .claimreview import claim_review
from .evidence import evidence as claim_evidence
from .models import Verdict

# As django.utils.html.json_script: nothing in the JSON can close the element or open a
# comment. json_script itself always writes type="application/json", not ld+json.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def ld_json_script(data: dict) -> str:
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_JSON_SCRIPT_ESCAPES)),  # noqa: S308 - escaped above
    )


def _web_url(url: str) -> str:
    """Only http(s) addresses become links; anything else (javascript:, data:) is shown as
    text, never followed."""
    return url if url.lower().startswith(("http://", "https://")) else ""


def rating_scale() -> list[dict]:
    scale = settings.CLAIMTRACK_RATING_SCALE
    return [
        {"verdict": v.value, "label": v.label, "value": scale.get(v.value)}
        for v in sorted(Verdict, key=lambda v: -scale.get(v.value, -(10**9)))
    ]


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    context |= {
        "organization": settings.CLAIMTRACK_ORGANIZATION,
        "logo_url": settings.CLAIMTRACK_LOGO_URL,
    }
    return render(request, template, context)


def _validators(request: HttpRequest, pk: int):
    # Cached on the request: Django's `condition` asks for the ETag and the Last-Modified.
    if not hasattr(request, "_fact_check_validators"):
        request._fact_check_validators = public.page_validators(pk)  # type: ignore[attr-defined]
    return request._fact_check_validators  # type: ignore[attr-defined]


def _etag(request, pk: int, slug: str):
    found = _validators(request, pk)
    # A wrong slug must redirect, never answer 304 for the address it is not.
    return found.etag if found is not None and found.slug == slug else None


def _last_modified(request, pk: int, slug: str):
    found = _validators(request, pk)
    return found.last_modified if found is not None and found.slug == slug else None


@require_safe
def detail_without_slug(request: HttpRequest, pk: int) -> HttpResponse:
    found = _validators(request, pk)
    if found is None:
        raise Http404("No published fact-check here.")
    return HttpResponsePermanentRedirect(public.public_path_for(pk, found.slug))


@require_safe
@cache_control(public=True, max_age=60)
@condition(etag_func=_etag, last_modified_func=_last_modified)
def detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    claim = public.public_claim(pk)
    if claim is None:
        raise Http404("No published fact-check here.")
    right_slug = public.claim_slug(claim)
    if slug != right_slug:
        return HttpResponsePermanentRedirect(public.public_path_for(pk, right_slug))
    url = request.build_absolute_uri(public.public_path_for(pk, right_slug))
    review = claim_review(claim, request, url=url)
    first_published, corrections = public.published_record(claim.pk)

    appearances = []
    for appearance in sorted(
        claim.appearances.all(),
        key=lambda a: (a.article.published_at is None, a.article.published_at, a.pk),
    ):
        article = appearance.article
        appearances.append(
            {
                "quote": appearance.quote,
                "claimant": appearance.claimant,
                "title": article.title,
                "outlet": article.outlet.name if article.outlet is not None else "",
                "url": _web_url(article.canonical_url or article.url),
                "published_at": article.published_at,
            }
        )
    stances: dict[str, dict] = {}
    for link in claim_evidence().links(claim.pk):
        group = stances.setdefault(link.stance, {"label": link.get_stance_display(), "links": []})
        source = link.source
        group["links"].append(
            {
                "title": source.title or source.url or "Note",
                "publisher": source.publisher,
                "url": _web_url(source.url),
                "quote": link.quote,
                "note": link.note,
            }
        )
    order = ("refutes", "supports", "context")
    evidence = [stances[s] for s in order if s in stances]

    return _render(
        request,
        "public/detail.html",
        {
            "claim": claim,
            "verdict_label": Verdict(claim.verdict).label,
            "rating_value": settings.CLAIMTRACK_RATING_SCALE.get(claim.verdict),
            "rating_scale": rating_scale(),
            "appearances": appearances,
            "evidence": evidence,
            "first_published": first_published or claim.published_at,
            "corrections": corrections,
            "canonical_url": url,
            "claimreview_script": ld_json_script(review),
        },
    )


def _listing_last_modified(request: HttpRequest, *args, **kwargs):
    """One query per request for both validators of a list of published claims."""
    if not hasattr(request, "_listing_last_modified"):
        request._listing_last_modified = public.listing_last_modified()  # type: ignore[attr-defined]
    return request._listing_last_modified  # type: ignore[attr-defined]


def _listing_etag(request: HttpRequest, *args, **kwargs):
    return public.listing_etag(_listing_last_modified(request))


# Conditional GET for the index, the feed and the sitemap (public.listing_last_modified).
listing_condition = condition(etag_func=_listing_etag, last_modified_func=_listing_last_modified)


# ?page=N reads N * page size rows; past this the index says there is nothing older.
MAX_PAGE = 10_000


def _page_number(value: str | None) -> int:
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


@require_safe
@cache_control(public=True, max_age=60)
@listing_condition
def index(request: HttpRequest) -> HttpResponse:
    """Newest first, `?page=N`, with links to newer and older pages and no total: counting
    every published (or matching) claim was most of the page's time. One query reads
    page size + 1 rows; the extra one only says whether there is an older page."""
    q = request.GET.get("q", "").strip()[:200]
    size = settings.CLAIMTRACK_PUBLIC_PAGE_SIZE
    number = _page_number(request.GET.get("page"))
    start = (number - 1) * size
    rows = public.published_page(q=q, start=start, stop=start + size + 1)
    path = public.public_paths()
    items = [
        {"claim": claim, "url": path(claim), "verdict_label": Verdict(claim.verdict).label}
        for claim in rows[:size]
    ]
    page = {
        "number": number,
        "newer": number - 1 if number > 1 else None,
        "older": number + 1 if len(rows) > size else None,
    }
    return _render(request, "public/index.html", {"page": page, "items": items, "q": q})
