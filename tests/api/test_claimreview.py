"""ClaimReview JSON-LD, checked against the properties Google's fact-check documentation
marks required and recommended."""

import pytest
from django.conf import settings

from apps.claims.models import Claimant

from .conftest import SECOND_QUOTE, make_claim, publish

pytestmark = pytest.mark.django_db

# Google Search Central, "Fact check (ClaimReview) structured data".
GOOGLE = {
    "ClaimReview": {
        "required": ["claimReviewed", "reviewRating", "url"],
        "recommended": ["author", "datePublished", "itemReviewed"],
    },
    "Claim": {
        "required": [],
        "recommended": ["appearance", "author", "datePublished", "firstAppearance"],
    },
    "Rating": {
        "required": ["alternateName"],
        "recommended": ["bestRating", "name", "ratingValue", "worstRating"],
    },
}


def missing(node: dict, kind: str) -> tuple[list, list]:
    assert node["@type"] == kind
    spec = GOOGLE[kind]
    return (
        [p for p in spec["required"] if node.get(p) in (None, "", [])],
        [p for p in spec["recommended"] if node.get(p) in (None, "", [])],
    )


def check_google(review: dict) -> list[str]:
    """Every required and recommended property present; returns the missing recommended."""
    required, recommended = missing(review, "ClaimReview")
    for kind, node in (("Claim", review["itemReviewed"]), ("Rating", review["reviewRating"])):
        more_required, more_recommended = missing(node, kind)
        required += more_required
        recommended += more_recommended
    assert required == []
    return recommended


@pytest.fixture
def published(article, other_article, analyst, editor):
    article.published_at = "2026-01-10T08:00:00Z"
    article.save()
    other_article.published_at = "2026-01-05T08:00:00Z"
    other_article.save()
    claim = make_claim(article, analyst, claimant="Sergei Shoigu")
    from apps.claims import services as claims

    start = other_article.text.index(SECOND_QUOTE)
    claims.appearance_create(
        claim=claim,
        article=other_article,
        start=start,
        end=start + len(SECOND_QUOTE),
        quote=SECOND_QUOTE,
        by=analyst,
        claimant_name="Sergei Shoigu",
    )
    return publish(claim, analyst, editor, verdict="misleading")


def test_claimreview_of_a_published_claim_has_every_google_property(analyst_api, published):
    response = analyst_api.get(f"/api/claims/{published.id}/claimreview")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/ld+json")
    review = response.json()
    assert check_google(review) == []
    assert review["@context"] == "https://schema.org"
    assert review["url"] == f"http://testserver/claims/{published.id}/"
    assert review["claimReviewed"] == published.statement
    assert review["datePublished"] == published.published_at.date().isoformat()
    assert review["author"] == {
        "@type": "Organization",
        "name": settings.CLAIMTRACK_ORGANIZATION,
        "url": "http://testserver/",
    }
    assert review["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Misleading",
        "name": "Misleading",
        "ratingValue": 2,
        "bestRating": 5,
        "worstRating": 1,
    }
    item = review["itemReviewed"]
    assert item["author"]["@type"] == "Person" and item["author"]["name"] == "Sergei Shoigu"
    # The earlier article (5 January) is the first appearance, whichever was tagged first.
    assert item["datePublished"] == "2026-01-05"
    assert item["firstAppearance"]["datePublished"] == "2026-01-05"
    assert [w["url"] for w in item["appearance"]] == [
        item["firstAppearance"]["url"],
        published.appearances.order_by("id").first().article.canonical_url,
    ]


def test_organisation_claimants_and_numberless_verdicts(analyst, editor, analyst_api, article):
    claim = make_claim(article, analyst, claimant="Ministry of Defence")
    Claimant.objects.filter(name="Ministry of Defence").update(kind="organization")
    claim = publish(claim, analyst, editor, verdict="unproven")
    review = analyst_api.get(f"/api/claims/{claim.id}/claimreview/").json()
    assert review["itemReviewed"]["author"]["@type"] == "Organization"
    # 'Unproven' has no number on the 1-5 scale: only ratingValue is left out.
    assert check_google(review) == ["ratingValue"]
    assert review["reviewRating"]["alternateName"] == "Unproven"


def test_unpublished_claim_has_no_claimreview(analyst_api, claim):
    response = analyst_api.get(f"/api/claims/{claim.id}/claimreview")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "published" in response.json()["error"]["message"]


def test_claimreview_list_has_only_published_claims_and_pages_by_link(
    analyst, editor, analyst_api, published, claim, other_article
):
    response = analyst_api.get("/api/claims/claimreview", {"verdict": "misleading"})
    assert response.status_code == 200
    document = response.json()
    assert document["@context"] == "https://schema.org"
    assert [r["url"].rsplit("/", 2)[-2] for r in document["@graph"]] == [str(published.id)]
    for review in document["@graph"]:
        assert check_google(review) == []
    assert "Link" not in response
    empty = analyst_api.get("/api/claims/claimreview/", {"verdict": "true"}).json()
    assert empty["@graph"] == []
    second = publish(make_claim(other_article, analyst, statement="Second"), analyst, editor)
    paged = analyst_api.get("/api/claims/claimreview/", {"page_size": 1})
    assert [r["claimReviewed"] for r in paged.json()["@graph"]] == [second.statement]
    next_url = paged["Link"].split(">")[0].lstrip("<")
    assert paged["Link"].endswith('rel="next"')
    rest = analyst_api.get(next_url).json()["@graph"]
    assert [r["claimReviewed"] for r in rest] == [published.statement]


def test_the_claimreview_author_follows_the_guessed_kind_and_corrections(
    analyst, editor, analyst_api
):
    from apps.claims import services as claims
    from tests.factories import ArticleFactory

    text = "The World Meteorological Organization said the past decade was the warmest on record."
    article = ArticleFactory(text=text, published_at="2026-02-01T08:00:00Z")
    # Through the API without a claimant: guessed from the text, with its kind.
    created = analyst_api.post(
        "/api/claims/",
        {"article": article.pk, "start": 0, "end": len(text), "quote": text},
        format="json",
    )
    assert created.status_code == 201, created.content
    from apps.claims.models import Claim

    claim = publish(Claim.objects.get(pk=created.json()["id"]), analyst, editor)
    author = analyst_api.get(f"/api/claims/{claim.id}/claimreview/").json()["itemReviewed"]
    assert author["author"] == {
        "@type": "Organization",
        "name": "World Meteorological Organization",
    }
    # An analyst's correction of the kind is what is published.
    claimant = claim.appearances.get().claimant
    claims.claimant_update(claimant=claimant, by=analyst, kind="person", role="Spokesperson")
    review = analyst_api.get(f"/api/claims/{claim.id}/claimreview/").json()
    assert review["itemReviewed"]["author"] == {
        "@type": "Person",
        "name": "World Meteorological Organization",
        "jobTitle": "Spokesperson",
    }


def test_a_merged_claimant_is_published_as_the_one_it_was_merged_into(
    analyst, editor, analyst_api, article
):
    claim = publish(make_claim(article, analyst, claimant="Laura Beck"), analyst, editor)
    kept = Claimant.objects.create(name="Ministry of Finance", key="ministry of finance")
    kept.kind = "organization"
    kept.save()
    Claimant.objects.filter(name="Laura Beck").update(merged_into=kept)
    review = analyst_api.get(f"/api/claims/{claim.id}/claimreview/").json()
    assert review["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "Ministry of Finance",
    }


def test_an_api_claim_with_an_empty_claimant_names_nobody(analyst_api):
    from tests.factories import ArticleFactory

    text = "Finance Minister Laura Beck said unemployment rose to 7.2 percent in June."
    article = ArticleFactory(text=text)
    created = analyst_api.post(
        "/api/claims/",
        {"article": article.pk, "start": 0, "end": len(text), "quote": text, "claimant": ""},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["appearances"][0]["claimant"] is None
    assert not Claimant.objects.exists()
