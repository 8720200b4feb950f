"""apps/core/negotiation.py: the one place a web view decides between HTML, an htmx
fragment and JSON (with django-htmx's middleware setting request.htmx)."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxMiddleware

from apps.core.negotiation import wants_json


def _request(**headers):
    request = RequestFactory().get("/", headers=headers)
    HtmxMiddleware(lambda r: HttpResponse())(request)
    return request


@pytest.mark.parametrize(
    ("headers", "htmx", "json"),
    [
        ({}, False, False),
        ({"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, False, False),
        ({"Accept": "application/json"}, False, True),
        ({"Accept": "text/html, application/json;q=0.9"}, False, True),
        # htmx always gets HTML, even when it says it accepts JSON.
        ({"HX-Request": "true", "Accept": "application/json"}, True, False),
        ({"HX-Request": "true"}, True, False),
        # Only "true" is htmx (as the hand-written checks it replaced).
        ({"HX-Request": "false", "Accept": "application/json"}, False, True),
    ],
)
def test_htmx_and_json_are_told_apart(headers, htmx, json):
    request = _request(**headers)
    assert bool(request.htmx) is htmx
    assert wants_json(request) is json


def test_the_middleware_is_installed():
    """Every view reads request.htmx: without the middleware they would raise."""
    from django.conf import settings

    assert "django_htmx.middleware.HtmxMiddleware" in settings.MIDDLEWARE
