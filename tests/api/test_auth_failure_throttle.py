"""Failed API authentications are limited per client address: guessing tokens from one
address hits 429 (with Retry-After) after API_AUTH_FAILURE_RATE failures, while other
addresses are unaffected."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def guess(address: str, key: str = "ct_wrong"):
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/claims/")


def test_token_guessing_from_one_address_is_throttled(settings, analyst):
    from tests.api.conftest import client_for

    settings.API_AUTH_FAILURE_RATE = "3/minute"
    assert [guess("203.0.113.7").status_code for _ in range(3)] == [401, 401, 401]
    blocked = guess("203.0.113.7")
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) >= 1
    error = blocked.json()["error"]
    assert error["code"] == "throttled"
    assert "failed authentications from this address" in error["message"]
    assert guess("198.51.100.9").status_code == 401  # another address: its own count
    # A valid token from elsewhere works.
    assert client_for(analyst).get("/api/claims/").status_code == 200
