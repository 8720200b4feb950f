"""Every role × action through the API, each role with a read and a read-write token. The
expected outcomes come from tests/permissions_table.py, shared with the browser's test.
Outcomes are checked in the database as well as in the status code."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.services import api_token_create
from apps.claims import services
from apps.claims.models import Claim
from tests import factories
from tests.permissions_table import api_cases

pytestmark = pytest.mark.django_db


def api_as(role, scope, django_user_model):
    client = APIClient()
    if role == "anonymous":
        return client
    if role == "reader":
        user = django_user_model.objects.create_user("reader")
    else:
        user = factories.user_with_role(role)
    _token, key = api_token_create(user=user, name="matrix", scope=scope)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def act(action, api, world):
    claim = world["claim"]
    url = f"/api/claims/{claim.pk}/"
    if action == "view":
        response = api.get(url)
        return response, response.status_code == 200 and response.json()["id"] == claim.pk
    if action == "create":
        text = world["article"].text
        start = text.index("The economy")
        before = Claim.objects.count()
        response = api.post(
            "/api/claims/",
            {
                "article": world["article"].pk,
                "start": start,
                "end": start + 30,
                "quote": text[start : start + 30],
            },
            format="json",
        )
        return response, Claim.objects.count() == before + 1
    if action == "edit":
        response = api.patch(
            url, {"statement": "Edited"}, format="json", HTTP_IF_MATCH=f'"{claim.version}"'
        )
        claim.refresh_from_db()
        return response, claim.statement == "Edited"
    if action == "propose":
        response = api.post(f"{url}propose/", {"verdict": "false", "rationale": "r"}, format="json")
        claim.refresh_from_db()
        return response, claim.verdict == "false"
    if action == "approve":
        claim = factories.advance_claim(claim, "in_review", world["author"])
        response = api.post(f"{url}approve/", {}, format="json")
        claim.refresh_from_db()
        return response, claim.status == "published"
    if action == "reopen":
        claim = factories.advance_claim(claim, "published", world["author"])
        response = api.post(f"{url}reopen/", {"note": "new data"}, format="json")
        claim.refresh_from_db()
        return response, claim.status == "researching"
    if action == "delete":
        response = api.delete(url, HTTP_IF_MATCH=f'"{claim.version}"')
        return response, not Claim.objects.filter(pk=claim.pk).exists()
    if action == "bulk":
        response = api.post(
            "/api/claims/bulk/", {"ids": [claim.pk], "action": "add_tag", "tag": "x"}, format="json"
        )
        claim.refresh_from_db()
        return response, claim.tags == ["x"]
    if action == "admin":
        response = api.get("/api/feeds/")
        return response, response.status_code == 200
    raise AssertionError(action)


@pytest.mark.parametrize(("action", "role", "scope", "allowed"), api_cases())
def test_role_action_matrix_in_the_api(action, role, scope, allowed, world, django_user_model):
    api = api_as(role, scope, django_user_model)
    response, happened = act(action, api, world)
    who = f"{role} (token scope {scope})"
    if allowed:
        assert happened, (
            f"{who} should be able to {action}: {response.status_code} {response.content[:300]}"
        )
        return
    assert not happened, f"{who} must not be able to {action}"
    expected = 401 if role == "anonymous" else 403
    assert response.status_code == expected, response.content[:300]
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_deleted_claim_is_a_json_404(world, django_user_model):
    api = api_as("analyst", "write", django_user_model)
    claim_id = world["claim"].pk
    services.claim_delete(claim=world["claim"], by=factories.user_with_role("editor"))
    response = api.get(f"/api/claims/{claim_id}/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
