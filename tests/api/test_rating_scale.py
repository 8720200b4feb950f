"""The organisation's rating scale (setting CLAIMTRACK_RATING_SCALE) gives the API's
`rating` of our claims the same number as the public page and the ClaimReview JSON-LD."""

import csv
import io

import pytest

from .conftest import make_claim, publish

pytestmark = pytest.mark.django_db

SCALE = {"true": 10, "mostly_true": 8, "mixed": 5, "misleading": 3, "false": 0}


def test_every_api_rating_follows_the_scale_setting(
    settings, analyst_api, article, analyst, editor, client
):
    settings.CLAIMTRACK_RATING_SCALE = SCALE
    claim = publish(make_claim(article, analyst), analyst, editor, verdict="misleading")

    review = analyst_api.get(f"/api/claims/{claim.id}/claimreview").json()
    assert review["reviewRating"]["ratingValue"] == 3
    assert analyst_api.get(f"/api/claims/{claim.id}/").json()["rating"] == 3
    listed = analyst_api.get("/api/claims/").json()["results"]
    assert [(c["id"], c["rating"]) for c in listed] == [(claim.id, 3)]
    rows = analyst_api.get("/api/claims/", {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(rows.streaming_content).decode())))
    assert rows[0]["rating"] == "3"
    found = analyst_api.get("/api/claims/search", {"query": claim.statement, "origin": "claim"})
    assert found.json()["results"][0]["claim"]["rating"] == 3
    assert claim.rating == 3  # the webhooks' payload

    public = client.get(f"/fact-checks/{claim.id}-x/", follow=True).content.decode()
    assert '"ratingValue": 3' in public


def test_a_verdict_the_scale_gives_no_number_has_no_rating(settings, analyst_api, claim, analyst):
    from apps.claims import services as claims

    settings.CLAIMTRACK_RATING_SCALE = {"true": 1, "false": 0}
    claims.claim_propose_verdict(claim=claim, verdict="mixed", rationale="Some.", by=analyst)
    assert analyst_api.get(f"/api/claims/{claim.id}/").json()["rating"] is None
    claims.claim_propose_verdict(claim=claim, verdict="true", rationale="Yes.", by=analyst)
    assert analyst_api.get(f"/api/claims/{claim.id}/").json()["rating"] == 1
