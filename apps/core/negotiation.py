"""What a web page's request asks for: htmx (django-htmx's `request.htmx`, set by its
middleware) or JSON; and the request types that tell the type checker so.

`AuthenticatedHttpRequest` types the request of a view behind `login_required` (its user is
a User, never anonymous); `HtmxHttpRequest`, of the signed-in pages that read
`request.htmx` (the pattern django-htmx and django-stubs document)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    user: User


class HtmxHttpRequest(AuthenticatedHttpRequest):
    htmx: HtmxDetails


def wants_json(request: HtmxHttpRequest) -> bool:
    """A script's request (Accept: application/json) rather than a browser's or htmx's: it
    gets JSON answers and errors. htmx always gets HTML, whatever it accepts."""
    return not request.htmx and "application/json" in request.headers.get("Accept", "")
