"""schema.org ClaimReview (JSON-LD) for published claims, with the properties Google's fact
check documentation requires (claimReviewed, reviewRating.alternateName, url) and recommends
(author, datePublished, itemReviewed with its author, datePublished, appearance and
firstAppearance; rating bestRating, worstRating, ratingValue, name)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from .models import Appearance, Claim, Claimant, Verdict

CONTEXT = "https://schema.org"


def claim_page_url(request, claim_id: int) -> str:
    """The claim's page on this site, absolute."""
    path = reverse("claims:detail", args=[claim_id])
    return request.build_absolute_uri(path) if request is not None else path


def _date(value) -> str | None:
    return value.date().isoformat() if value else None


def _creative_work(appearance: Appearance) -> dict:
    article = appearance.article
    work: dict = {"@type": "CreativeWork"}
    url = article.canonical_url or article.url
    if url:
        work["url"] = url
    if article.title:
        work["headline"] = article.title
    if article.published_at:
        work["datePublished"] = _date(article.published_at)
    outlet = article.outlet
    if outlet is not None:
        work["publisher"] = {"@type": "Organization", "name": outlet.name}
    return work


def _claimant(claimant: Claimant) -> dict:
    """schema.org's type by the claimant's kind (guessed, corrected by analysts); a merged
    record speaks as the claimant it was merged into."""
    seen = {claimant.pk}
    while claimant.merged_into is not None and claimant.merged_into_id not in seen:
        claimant = claimant.merged_into
        seen.add(claimant.pk)
    if claimant.kind == Claimant.Kind.ORGANIZATION:
        return {"@type": "Organization", "name": claimant.name}
    person: dict[str, object] = {"@type": "Person", "name": claimant.name}
    if claimant.role:
        person["jobTitle"] = claimant.role
    if claimant.affiliation:
        person["affiliation"] = {"@type": "Organization", "name": claimant.affiliation}
    return person


def _first_seen_order(appearance: Appearance):
    published = appearance.article.published_at
    return (published is None, published or appearance.created_at, appearance.pk)


def organization(request) -> dict:
    """Us, as author of our reviews: name and logo from the settings."""
    org: dict = {
        "@type": "Organization",
        "name": settings.CLAIMTRACK_ORGANIZATION,
        "url": request.build_absolute_uri("/"),
    }
    if settings.CLAIMTRACK_LOGO_URL:
        org["logo"] = {"@type": "ImageObject", "url": settings.CLAIMTRACK_LOGO_URL}
    return org


def claim_review(
    claim: Claim, request, *, with_context: bool = True, url: str | None = None
) -> dict:
    """The ClaimReview of a published claim. Expects appearances prefetched with their
    article, the article's outlet and the claimant. `url`: the review's address (the
    public fact-check page); by default the claim's page in the app."""
    label = Verdict(claim.verdict).label
    rating: dict = {"@type": "Rating", "alternateName": label, "name": label}
    scale = settings.CLAIMTRACK_RATING_SCALE
    value = scale.get(claim.verdict)
    if value is not None:
        rating["ratingValue"] = value
    rating["bestRating"] = max(scale.values())
    rating["worstRating"] = min(scale.values())

    appearances = sorted(claim.appearances.all(), key=_first_seen_order)
    item: dict = {"@type": "Claim"}
    claimant = next((a.claimant for a in appearances if a.claimant is not None), None)
    if claimant is not None:
        item["author"] = _claimant(claimant)
    if appearances:
        first = appearances[0]
        first_date = first.article.published_at or first.created_at
        item["datePublished"] = _date(first_date)
        seen: set[int] = set()
        works = []
        for appearance in appearances:
            if appearance.article_id not in seen:
                seen.add(appearance.article_id)
                works.append(_creative_work(appearance))
        item["appearance"] = works
        item["firstAppearance"] = works[0]

    review: dict = {}
    if with_context:
        review["@context"] = CONTEXT
    review.update(
        {
            "@type": "ClaimReview",
            "url": url or claim_page_url(request, claim.pk),
            "claimReviewed": claim.statement,
            "datePublished": _date(claim.published_at),
            "author": organization(request),
            "reviewRating": rating,
            "itemReviewed": item,
        }
    )
    if review["datePublished"] is None:
        del review["datePublished"]
    return review


def claim_review_graph(claims, request) -> dict:
    return {
        "@context": CONTEXT,
        "@graph": [claim_review(claim, request, with_context=False) for claim in claims],
    }
