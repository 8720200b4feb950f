"""Every role × action in the browser. The outcome is checked in the database, not only
in the status code, so a view that answered 200 but changed something would fail. The expected
outcomes come from tests/permissions_table.py, shared with the API's test."""

import pytest
from django.test import Client

from apps.claims import services
from apps.claims.models import Claim
from tests import factories
from tests.permissions_table import ui_cases

pytestmark = pytest.mark.django_db


def client_as(role, django_user_model):
    client = Client()
    if role == "reader":
        client.force_login(django_user_model.objects.create_user("reader"))
    elif role != "anonymous":
        client.force_login(factories.user_with_role(role))
    return client


def act(action, client, world):
    claim = world["claim"]
    if action == "view":
        response = client.get(f"/claims/{claim.pk}/")
        return (
            response,
            response.status_code == 200 and claim.statement in response.content.decode(),
        )
    if action == "create":
        text = world["article"].text
        start = text.index("The economy")
        quote = text[start : start + 30]
        before = Claim.objects.count()
        response = client.post(
            "/claims/create/",
            {
                "article": world["article"].pk,
                "start": start,
                "end": start + 30,
                "quote": quote,
                "statement": quote,
            },
        )
        return response, Claim.objects.count() == before + 1
    if action == "edit":
        response = client.post(
            f"/desk/claims/{claim.pk}/edit/",
            {"statement": "Edited statement", "tags": "", "assignee": "", "version": claim.version},
        )
        claim.refresh_from_db()
        return response, claim.statement == "Edited statement"
    if action == "propose":
        response = client.post(
            f"/claims/{claim.pk}/propose/",
            {"verdict": "false", "rationale": "r", "version": claim.version},
        )
        claim.refresh_from_db()
        return response, claim.verdict == "false"
    if action == "approve":
        claim = factories.advance_claim(claim, "in_review", world["author"])
        response = client.post(
            f"/claims/{claim.pk}/approve/", {"version": claim.version, "note": "", "confirm": "1"}
        )
        claim.refresh_from_db()
        return response, claim.status == "published"
    if action == "reopen":
        claim = factories.advance_claim(claim, "published", world["author"])
        response = client.post(
            f"/claims/{claim.pk}/reopen/", {"version": claim.version, "note": "new data"}
        )
        claim.refresh_from_db()
        return response, claim.status == "researching"
    if action == "delete":
        response = client.post(f"/desk/claims/{claim.pk}/delete/", {"version": claim.version})
        return response, not Claim.objects.filter(pk=claim.pk).exists()
    if action == "bulk":
        response = client.post(
            "/desk/bulk/", {"claim": [claim.pk], "action": "add_tag", "tag": "x"}
        )
        claim.refresh_from_db()
        return response, claim.tags == ["x"]
    if action == "admin":
        response = client.get("/admin/claims/claim/")
        return response, response.status_code == 200
    raise AssertionError(action)


@pytest.mark.parametrize(("action", "role", "allowed"), ui_cases())
def test_role_action_matrix_in_the_browser(action, role, allowed, world, django_user_model):
    client = client_as(role, django_user_model)
    response, happened = act(action, client, world)
    if allowed:
        assert happened, f"{role} should be able to {action}: {response.status_code}"
    else:
        assert not happened, f"{role} must not be able to {action}"
        if role == "anonymous":
            assert response.status_code == 302 and "login" in response["Location"]
        elif action != "admin":
            assert response.status_code in (403, 302), response.status_code


def test_deleted_claim_is_a_404_not_an_error(world, django_user_model):
    client = client_as("analyst", django_user_model)
    claim_id = world["claim"].pk
    services.claim_delete(claim=world["claim"], by=factories.user_with_role("editor"))
    assert client.get(f"/claims/{claim_id}/").status_code == 404
    assert (
        client.post(
            f"/claims/{claim_id}/propose/", {"verdict": "true", "rationale": "x"}
        ).status_code
        == 404
    )
