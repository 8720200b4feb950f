"""Per-token throttling (429 + Retry-After), the OpenAPI schema and the offline docs."""

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_over_the_rate_a_token_gets_429_with_retry_after(analyst, settings, monkeypatch):
    from apps.api.throttling import ApiRateThrottle

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute", "anon": "3/minute"},
    }
    monkeypatch.setattr(ApiRateThrottle, "timer", lambda self: 6_000_015.0)  # 15 s into a minute
    first, second = client_for(analyst), client_for(analyst)
    assert [first.get("/api/claims/").status_code for _ in range(3)] == [200] * 3
    response = first.get("/api/claims/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert error["details"]["retry_after_seconds"] == int(response["Retry-After"])
    assert int(response["Retry-After"]) == 45
    # Each token has its own budget.
    assert second.get("/api/claims/").status_code == 200


def test_the_budget_is_one_counter_per_window_and_renews_with_the_next(
    analyst, settings, monkeypatch
):
    from django.core.cache import cache

    from apps.api.throttling import ApiRateThrottle

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "2/minute", "anon": "2/minute"},
    }
    now = [6_000_000.0]
    monkeypatch.setattr(ApiRateThrottle, "timer", lambda self: now[0])
    api = client_for(analyst)
    assert [api.get("/api/claims/").status_code for _ in range(3)] == [200, 200, 429]
    counters = [k for k in cache._cache if "throttle:token:" in k]  # locmem's own keys
    assert len(counters) == 1 and cache.get(counters[0].split(":", 2)[-1]) == 3
    now[0] += 60
    assert api.get("/api/claims/").status_code == 200


def test_schema_and_docs_need_no_login_and_work_offline():
    anonymous = APIClient()
    schema = anonymous.get("/api/schema/")
    assert schema.status_code == 200
    assert yaml.safe_load(schema.content)["openapi"].startswith("3.")
    docs = anonymous.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    bundle = anonymous.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert bundle.status_code == 200


def test_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert out.stat().st_size > 10_000


def _schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_operation_documents_its_errors_and_parameters():
    schema = _schema()
    operations = [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) > 30
    for path, method, op in operations:
        codes = set(op["responses"])
        where = f"{method.upper()} {path}"
        assert {"401", "403", "429"} <= codes, where
        assert op["responses"]["429"]["headers"]["Retry-After"], where
        assert op["responses"]["401"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }, where
        if "{id}" in path:
            assert "404" in codes, where
        if method == "get":
            assert "304" in codes, where
            assert any(p["name"] == "If-None-Match" for p in op["parameters"]), where
        else:
            assert "400" in codes, where
        if method in ("put", "patch"):
            assert {"409", "412", "428"} <= codes, where
            if_match = next(p for p in op["parameters"] if p["name"] == "If-Match")
            assert if_match["required"], where
    claims = {p["name"] for p in schema["paths"]["/api/claims/"]["get"]["parameters"]}
    assert {
        "status",
        "verdict",
        "claimant",
        "outlet",
        "article",
        "tag",
        "assignee",
        "published_since",
        "updated_since",
        "q",
        "ordering",
        "cursor",
        "page_size",
    } <= claims


def test_schema_lists_every_endpoint():
    paths = set(_schema()["paths"])
    for expected in (
        "/api/claims/",
        "/api/claims/{id}/",
        "/api/claims/{id}/claimreview/",
        "/api/claims/claimreview/",
        "/api/claims/deleted/",
        "/api/claims/search/",
        "/api/claims/{id}/submit/",
        "/api/claims/{id}/approve/",
        "/api/claims/{id}/send-back/",
        "/api/claims/{id}/reopen/",
        "/api/appearances/",
        "/api/evidence/",
        "/api/claimants/",
        "/api/outlets/",
        "/api/articles/",
        "/api/articles/{id}/",
        "/api/jobs/{id}/",
        "/api/feeds/",
    ):
        assert expected in paths
