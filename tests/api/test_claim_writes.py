"""Claim writes through the API run the claim services; versions: If-Match stale → 412,
body version stale → 409, If-Match missing on PUT/PATCH → 428."""

import pytest

from apps.claims import services as claims
from apps.claims.models import Claim

from .conftest import QUOTE, SECOND_QUOTE, client_for

pytestmark = pytest.mark.django_db


def test_analyst_creates_a_claim_from_an_article_span(analyst_api, article):
    response = analyst_api.post(
        "/api/claims/",
        {
            "article": article.id,
            "start": 0,
            "end": len(QUOTE),
            "quote": QUOTE,
            "statement": "Russia is short of munitions",
            "claimant": "Sergei Shoigu",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["statement"] == "Russia is short of munitions"
    assert body["appearances"][0]["quote"] == QUOTE
    assert body["appearances"][0]["claimant"]["name"] == "Sergei Shoigu"
    assert response["Location"].endswith(f"/api/claims/{body['id']}/")
    assert response["ETag"].startswith('"1-')


def test_create_with_a_quote_that_does_not_match_the_text_is_400(analyst_api, article):
    response = analyst_api.post(
        "/api/claims/",
        {"article": article.id, "start": 0, "end": 6, "quote": "Moscow"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "quote_mismatch"
    assert not Claim.objects.exists()


def test_create_with_an_unknown_article_is_400_with_the_field(analyst_api):
    response = analyst_api.post(
        "/api/claims/", {"article": 999999, "start": 0, "end": 3, "quote": "abc"}, format="json"
    )
    assert response.status_code == 400
    assert "article" in response.json()["error"]["details"]


def test_patch_without_if_match_is_428(analyst_api, claim):
    response = analyst_api.patch(f"/api/claims/{claim.id}/", {"tags": ["war"]}, format="json")
    assert response.status_code == 428
    assert response.json()["error"]["code"] == "precondition_required"
    claim.refresh_from_db()
    assert claim.tags == []


@pytest.mark.parametrize("method", ["patch", "put"])
def test_if_match_star_without_a_version_is_428(analyst, analyst_api, claim, method):
    """`*` matches any version, so it cannot stop an edit from overwriting someone else's:
    PUT and PATCH need a real version, in If-Match or in the body."""
    claims.claim_update(claim=claim, by=analyst, version=claim.version, statement="Edited first")
    body = {"statement": "Mine", "tags": [], "assignee": None}
    response = getattr(analyst_api, method)(
        f"/api/claims/{claim.id}/", body, HTTP_IF_MATCH="*", format="json"
    )
    assert response.status_code == 428
    error = response.json()["error"]
    assert error["code"] == "precondition_required"
    assert "If-Match: * matches any version" in error["message"]
    claim.refresh_from_db()
    assert claim.statement == "Edited first"


def test_if_match_star_with_the_current_body_version_edits(analyst_api, claim):
    response = analyst_api.patch(
        f"/api/claims/{claim.id}/",
        {"tags": ["war"], "version": claim.version},
        HTTP_IF_MATCH="*",
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == claim.version + 1


def test_patch_with_current_etag_edits_and_returns_the_new_etag(analyst_api, claim):
    etag = analyst_api.get(f"/api/claims/{claim.id}/")["ETag"]
    response = analyst_api.patch(
        f"/api/claims/{claim.id}/",
        {"tags": ["War", "munitions"]},
        HTTP_IF_MATCH=etag,
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["tags"] == ["war", "munitions"]
    assert response.json()["version"] == claim.version + 1
    # The ETag of the write is the one a GET now gives: a client can chain edits.
    assert analyst_api.get(f"/api/claims/{claim.id}/")["ETag"] == response["ETag"]


def test_stale_if_match_is_412_and_says_what_the_other_person_changed(analyst, analyst_api, claim):
    stale = analyst_api.get(f"/api/claims/{claim.id}/")["ETag"]
    claims.claim_update(claim=claim, by=analyst, version=claim.version, statement="Edited first")
    response = analyst_api.patch(
        f"/api/claims/{claim.id}/", {"statement": "Mine"}, HTTP_IF_MATCH=stale, format="json"
    )
    assert response.status_code == 412
    error = response.json()["error"]
    assert error["code"] == "precondition_failed"
    assert error["details"]["current_version"] == Claim.objects.get(pk=claim.id).version == 2
    assert error["details"]["their_changes"]["statement"] == "Edited first"
    claim.refresh_from_db()
    assert claim.statement == "Edited first"


def test_stale_body_version_is_409(analyst, analyst_api, claim):
    claims.claim_update(claim=claim, by=analyst, version=claim.version, tags=["x"])
    response = analyst_api.patch(
        f"/api/claims/{claim.id}/",
        {"statement": "Mine", "version": 1},
        HTTP_IF_MATCH="*",
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_if_match_and_body_version_that_disagree_are_400(analyst_api, claim):
    response = analyst_api.patch(
        f"/api/claims/{claim.id}/",
        {"statement": "Mine", "version": claim.version + 5},
        HTTP_IF_MATCH=f'"{claim.version}"',
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "version_mismatch"


def test_put_replaces_statement_tags_and_assignee(analyst, analyst_api, claim):
    response = analyst_api.put(
        f"/api/claims/{claim.id}/",
        {"statement": "Replaced", "tags": ["a"], "assignee": analyst.id},
        HTTP_IF_MATCH=f'"{claim.version}"',
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["statement"], response.json()["assignee"]) == ("Replaced", analyst.id)
    missing = analyst_api.put(
        f"/api/claims/{claim.id}/", {"statement": "x"}, HTTP_IF_MATCH="*", format="json"
    )
    assert missing.status_code == 400


def test_workflow_action_with_stale_body_version_is_409(analyst_api, claim):
    response = analyst_api.post(
        f"/api/claims/{claim.id}/propose/",
        {"verdict": "false", "rationale": "No.", "version": claim.version + 3},
        format="json",
    )
    assert response.status_code == 409


def test_read_only_token_cannot_patch(analyst, claim):
    response = client_for(analyst, scope="read").patch(
        f"/api/claims/{claim.id}/", {"tags": ["x"]}, HTTP_IF_MATCH="*", format="json"
    )
    assert response.status_code == 403


def test_editor_deletes_a_claim_and_a_stale_if_match_is_412(editor_api, claim):
    stale = editor_api.delete(f"/api/claims/{claim.id}/", HTTP_IF_MATCH=f'"{claim.version + 1}"')
    assert stale.status_code == 412
    assert editor_api.delete(f"/api/claims/{claim.id}/").status_code == 204
    assert not Claim.objects.filter(pk=claim.id).exists()
    assert editor_api.get(f"/api/claims/{claim.id}/").status_code == 404


def test_analyst_cannot_delete(analyst_api, claim):
    response = analyst_api.delete(f"/api/claims/{claim.id}/")
    assert response.status_code == 403
    assert Claim.objects.filter(pk=claim.id).exists()


def test_attach_an_appearance_and_link_evidence(analyst_api, claim, other_article):
    start = other_article.text.index(SECOND_QUOTE)
    response = analyst_api.post(
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
    assert response.status_code == 201, response.content
    assert response.json()["article"] == other_article.id
    again = analyst_api.post(
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
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "duplicate_appearance"

    evidence = analyst_api.post(
        "/api/evidence/",
        {
            "claim": claim.id,
            "stance": "refutes",
            "url": "https://stats.example/t1",
            "kind": "dataset",
        },
        format="json",
    )
    assert evidence.status_code == 201, evidence.content
    assert evidence.json()["kind"] == "dataset"
    listed = analyst_api.get("/api/evidence/", {"claim": claim.id}).json()["results"]
    assert [e["url"] for e in listed] == ["https://stats.example/t1"]
    appearances = analyst_api.get("/api/appearances/", {"claim": claim.id}).json()["results"]
    assert len(appearances) == 2
