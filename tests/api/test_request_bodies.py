"""Request bodies the API cannot take answer in the JSON error shape, saying why: nested too
deeply (400), larger than the upload limit (413, naming it). The article push takes the
5,000,000 characters its documentation promises."""

import json

import pytest
from django.conf import settings

from apps.ingestion.models import IngestJob

pytestmark = pytest.mark.django_db


def deep(depth: int) -> str:
    return '{"statement": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/claims/"),
        ("patch", "/api/claims/{claim}/"),
        ("post", "/api/articles/"),
        ("post", "/api/evidence/"),
        ("post", "/api/claims/{claim}/propose/"),
    ],
)
def test_deeply_nested_json_is_a_400_json_error(analyst_api, claim, method, path):
    response = getattr(analyst_api, method)(
        path.format(claim=claim.id),
        data=deep(1000),
        content_type="application/json",
        HTTP_IF_MATCH=f'"{claim.version}"',
    )
    assert response.status_code == 400, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == "parse_error"
    assert "nested too deeply" in error["message"]


def test_a_body_over_the_upload_limit_is_a_413_naming_it(analyst_api):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = json.dumps({"content": "x" * (limit + 10), "format": "text"})
    response = analyst_api.post("/api/articles/", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "request_too_large"
    assert f"{limit / 1_000_000:g} MB" in error["message"]
    assert not IngestJob.objects.exists()


def test_the_article_push_takes_5_million_characters(analyst_api):
    sentence = "Die Inflation stieg 2023 um 5 % – so die Ministerin für Wirtschaft. "
    content = (sentence * (5_000_000 // len(sentence) + 1))[:5_000_000]
    body = json.dumps({"content": content, "format": "text", "title": "Long"}, ensure_ascii=False)
    response = analyst_api.post(
        "/api/articles/", data=body.encode(), content_type="application/json"
    )
    assert response.status_code == 202, response.content[:300]
    job = IngestJob.objects.get()
    assert len(job.payload["content"]) == 5_000_000
    too_long = analyst_api.post(
        "/api/articles/",
        data=json.dumps({"content": content + "x", "format": "text"}),
        content_type="application/json",
    )
    assert too_long.status_code == 400
    assert too_long.json()["error"]["details"]["content"]
