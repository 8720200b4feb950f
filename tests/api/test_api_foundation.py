import pytest
from rest_framework.test import APIClient

from apps.accounts.services import api_token_create, api_token_revoke
from apps.claims import services as claims
from apps.evidence.services import evidence_add
from tests import factories

pytestmark = pytest.mark.django_db
QUOTE = "Russia is running out of munitions used in the war in Ukraine"


def client_for(user, scope="write"):
    _token, key = api_token_create(user=user, name="test", scope=scope)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


@pytest.fixture
def claim_in_review(article, analyst):
    claim = claims.claim_create(article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst)
    evidence_add(claim=claim, by=analyst, stance="supports", url="https://example.org/report")
    claim = claims.claim_propose_verdict(
        claim=claim, verdict="true", rationale="Sourced.", by=analyst
    )
    return claims.claim_submit_for_review(claim=claim, by=analyst)


def test_api_without_token_gets_401_with_a_json_error():
    response = APIClient().get("/api/claims/")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "not_authenticated"
    assert "Token" in error["message"]


def test_revoked_and_unknown_tokens_get_401(analyst):
    token, key = api_token_create(user=analyst, name="old")
    api_token_revoke(token=token, by=analyst)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/claims/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Token ct_not-a-real-token")
    response = api.get("/api/claims/")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Invalid or revoked API token."


def test_token_is_stored_hashed(analyst):
    token, key = api_token_create(user=analyst, name="ci")
    assert key not in (token.key_hash, token.prefix) and len(token.key_hash) == 64


def test_claim_list_filters_by_status_and_verdict_with_cursor_pages(analyst, claim_in_review):
    other = factories.ClaimFactory(status="researching")
    api = client_for(analyst)
    in_review = api.get("/api/claims/", {"status": "in_review"}).json()
    assert [c["id"] for c in in_review["results"]] == [claim_in_review.id]
    by_verdict = api.get("/api/claims/", {"verdict": "true"}).json()
    assert [c["id"] for c in by_verdict["results"]] == [claim_in_review.id]
    page = api.get("/api/claims/", {"page_size": 1}).json()
    assert [c["id"] for c in page["results"]] == [other.id]
    assert "cursor=" in page["next"]
    second = api.get(page["next"]).json()
    assert [c["id"] for c in second["results"]] == [claim_in_review.id]


def test_bad_filter_value_is_a_400_json_error(analyst):
    response = client_for(analyst).get("/api/claims/", {"status": "bogus"})
    assert response.status_code == 400
    assert "status" in response.json()["error"]["message"]


def test_analyst_cannot_publish_through_the_api(analyst, claim_in_review):
    response = client_for(analyst).post(
        f"/api/claims/{claim_in_review.id}/approve/", {"note": "ok"}
    )
    assert response.status_code == 403
    assert "Only editors" in response.json()["error"]["message"]
    claim_in_review.refresh_from_db()
    assert claim_in_review.status == "in_review"


def test_editor_publishes_through_the_api(editor, claim_in_review):
    response = client_for(editor).post(f"/api/claims/{claim_in_review.id}/approve/", {"note": "ok"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    assert response["ETag"].startswith(f'"{claim_in_review.version + 1}-')


def test_read_only_token_cannot_write(editor, claim_in_review):
    response = client_for(editor, scope="read").post(f"/api/claims/{claim_in_review.id}/approve/")
    assert response.status_code == 403
    assert "read-only" in response.json()["error"]["message"]


def test_stale_if_match_on_a_workflow_action_is_412(editor, claim_in_review):
    response = client_for(editor).post(
        f"/api/claims/{claim_in_review.id}/approve/",
        HTTP_IF_MATCH=f'"{claim_in_review.version - 1}"',
    )
    assert response.status_code == 412
    assert response.json()["error"]["code"] == "precondition_failed"


def test_article_list_is_served(analyst, article):
    data = client_for(analyst).get("/api/articles/").json()
    assert data["results"][0]["title"] == article.title
    assert "text" not in data["results"][0]


def test_token_lookup_is_one_query_and_refuses_inactive_users(analyst, django_assert_num_queries):
    from apps.accounts.authentication import find_active_token

    token, key = api_token_create(user=analyst, name="fast", scope="read")
    with django_assert_num_queries(1):
        found = find_active_token(key)
        assert (found.pk, found.scope, found.user.username) == (token.pk, "read", analyst.username)
    assert find_active_token(key + "x") is None
    analyst.is_active = False
    analyst.save()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/claims/").status_code == 401
