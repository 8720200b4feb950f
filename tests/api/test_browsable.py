"""Signed-in people can browse the API in the browser (session auth, HTML)."""

import pytest

pytestmark = pytest.mark.django_db


def test_browsable_api_pages_render_for_a_signed_in_analyst(analyst_client, claim):
    for url in ("/api/claims/", f"/api/claims/{claim.id}/", "/api/articles/", "/api/evidence/"):
        response = analyst_client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html")
    assert analyst_client.get("/api/claims/", HTTP_ACCEPT="application/json").json()["results"]


def test_unknown_api_paths_are_json_404s(analyst_client):
    response = analyst_client.get("/api/nothing-here/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
