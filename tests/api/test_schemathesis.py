"""The API against its own OpenAPI schema, property-based (schemathesis + Hypothesis):
for every operation, generated requests with an editor's read-write token never get a
5xx, and every response's status, content type, headers and body match the schema.
Bounded: a few examples per operation, no shrinking."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.accounts.services import api_token_create
from tests import factories

from .conftest import make_claim, publish

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _load_schema():
    """Built at collection time from the generator (no database needed); requests go to
    the WSGI application in-process."""
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(
        __import__("json").loads(__import__("json").dumps(document, default=str))
    )
    loaded.app = WSGIHandler()
    loaded.config.generation.update(max_examples=5, deterministic=True, database="none")
    return loaded


schema = _load_schema()


@pytest.fixture
def token(db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "100000/minute", "anon": "100000/minute"},
    }
    # Like Django's test client: requests must not close the test's connection (and its
    # transaction) when they finish.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    analyst = factories.user_with_role("analyst")
    editor = factories.user_with_role("editor")
    article = factories.ArticleFactory(published_at="2026-01-05T08:00:00Z")
    publish(make_claim(article, analyst, claimant="Sergei Shoigu"), analyst, editor)
    make_claim(factories.ArticleFactory(), analyst)
    _token, key = api_token_create(user=editor, name="fuzz", scope="write")
    yield key
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    phases=[Phase.generate],  # not the long list of explicit coverage cases
    suppress_health_check=list(HealthCheck),
)
def test_api_matches_its_schema(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    case.validate_response(response, checks=CHECKS)
