"""The browser page where people create, scope and revoke their API tokens."""

import re

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken
from tests import factories

pytestmark = pytest.mark.django_db


def test_token_page_needs_login(client):
    response = client.get("/account/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_create_shows_the_secret_once_and_it_works(analyst_client, analyst):
    response = analyst_client.post("/account/tokens/", {"name": "partner sync", "scope": "write"})
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    secret = re.search(r'value="(ct_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=analyst)
    assert (token.name, token.scope) == ("partner sync", "write")
    assert secret not in token.key_hash
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.get("/api/claims/").status_code == 200
    again = analyst_client.get("/account/tokens/").content.decode()
    assert secret not in again and "partner sync" in again and token.prefix in again


def test_revoke_stops_the_token(analyst_client, analyst):
    response = analyst_client.post("/account/tokens/", {"name": "old", "scope": "read"})
    secret = re.search(r'value="(ct_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=analyst)
    assert analyst_client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.get("/api/claims/").status_code == 401


def test_nobody_revokes_someone_elses_token(analyst_client):
    other = factories.user_with_role("analyst")
    from apps.accounts.services import api_token_create

    token, _key = api_token_create(user=other, name="theirs")
    assert analyst_client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_readers_get_read_only_tokens_and_names_are_required(client):
    reader = factories.user_with_role("analyst")
    reader.groups.clear()
    client.force_login(reader)
    assert client.post("/account/tokens/", {"name": "x", "scope": "write"}).status_code == 403
    assert client.post("/account/tokens/", {"name": "  ", "scope": "read"}).status_code == 400
    assert client.post("/account/tokens/", {"name": "ok", "scope": "read"}).status_code == 201
