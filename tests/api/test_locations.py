"""Every create answers with a Location: the absolute URL of what was created, in the form
the API's documentation writes (trailing slash), which a client can GET as it is."""

import pytest

from .conftest import SECOND_QUOTE

pytestmark = pytest.mark.django_db


def assert_location(api, response, collection: str) -> dict:
    assert response.status_code in (201, 202), response.content
    created = response.json()
    location = response["Location"]
    assert location == f"http://testserver/api/{collection}/{created['id']}/"
    fetched = api.get(location)
    assert fetched.status_code == 200, fetched.content
    assert fetched.json()["id"] == created["id"]
    return created


def test_a_created_claim_is_at_its_location(analyst_api, article):
    quote = article.text[:40]
    response = analyst_api.post(
        "/api/claims/",
        {"article": article.id, "start": 0, "end": len(quote), "quote": quote},
        format="json",
    )
    assert_location(analyst_api, response, "claims")


def test_a_created_appearance_and_evidence_link_are_at_their_locations(
    analyst_api, claim, other_article
):
    start = other_article.text.index(SECOND_QUOTE)
    appearance = analyst_api.post(
        "/api/appearances/",
        {
            "claim": claim.id,
            "article": other_article.id,
            "start": start,
            "end": start + len(SECOND_QUOTE),
            "quote": SECOND_QUOTE,
        },
        format="json",
    )
    assert_location(analyst_api, appearance, "appearances")
    evidence = analyst_api.post(
        "/api/evidence/",
        {"claim": claim.id, "stance": "refutes", "url": "https://stats.example/t1"},
        format="json",
    )
    assert_location(analyst_api, evidence, "evidence")


def test_a_pushed_article_answers_with_its_jobs_location(analyst_api):
    response = analyst_api.post(
        "/api/articles/",
        {"content": "A headline\n\nSome text of the article.", "format": "text"},
        format="json",
    )
    assert_location(analyst_api, response, "jobs")
