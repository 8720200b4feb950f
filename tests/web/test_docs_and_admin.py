"""Issue 16, item 12: the API docs page links back to the app; the admin has a favicon."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_api_docs_page_has_a_link_back_to_the_app(analyst_client):
    response = analyst_client.get("/api/docs/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<a href="/articles/" id="back-to-app">← Back to Claimtrack</a>' in body
    assert 'id="swagger-ui"' in body  # still the package's page underneath


def test_admin_pages_have_a_favicon(admin_client):
    body = admin_client.get("/admin/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in body
    assert "Site administration" in body  # the admin's own page, only the icon added
    assert finders.find("favicon.svg")
