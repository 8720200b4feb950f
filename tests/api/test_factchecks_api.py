"""POST /api/factchecks/import (editors), GET /api/factchecks, and imported fact-checks in
GET /api/claims/search."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.claims.factcheck_matching import reset_factcheck_index
from apps.claims.models import ExternalFactCheck
from tests import factories

from .conftest import client_for

pytestmark = pytest.mark.django_db

FERRY = "The ferry company cancelled all winter crossings"


@pytest.fixture(autouse=True)
def _fresh_index():
    reset_factcheck_index()
    yield
    reset_factcheck_index()


def review(n, claim=None, rating="False"):
    return {
        "@type": "ClaimReview",
        "url": f"https://checker.example/r/{n}",
        "claimReviewed": claim or f"Statement {n} about the tram network",
        "author": {"@type": "Organization", "name": "Checker Desk"},
        "datePublished": "2023-06-01",
        "reviewRating": {"@type": "Rating", "alternateName": rating},
    }


def test_editor_imports_a_json_body_and_gets_counts_and_skips(editor_api):
    body = {"@graph": [review(1), {"@type": "ClaimReview"}, review(2)]}
    response = editor_api.post("/api/factchecks/import", body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["format"], data["created"], data["updated"], data["skipped_count"]) == (
        "json",
        2,
        0,
        1,
    )
    assert data["skipped"] == [{"where": "element 2 (@graph[1])", "reason": "no http(s) url"}]
    again = editor_api.post("/api/factchecks/import", body, format="json").json()
    assert (again["created"], again["updated"]) == (0, 2)
    assert ExternalFactCheck.objects.count() == 2


def test_editor_uploads_a_file_or_sends_it_as_the_body(editor_api):
    lines = "\n".join(json.dumps(review(n)) for n in range(3)).encode()
    upload = SimpleUploadedFile("feed.jsonl", lines, content_type="application/octet-stream")
    response = editor_api.post("/api/factchecks/import", {"file": upload}, format="multipart")
    assert response.status_code == 200, response.content
    assert (response.json()["format"], response.json()["created"]) == ("jsonl", 3)
    csv = b"claim,url,rating\nTram fares doubled,https://checker.example/r/csv,Mostly true\n"
    response = editor_api.generic("POST", "/api/factchecks/import", csv, content_type="text/csv")
    assert response.status_code == 200, response.content
    assert (response.json()["format"], response.json()["created"]) == ("csv", 1)
    assert ExternalFactCheck.objects.get(url__endswith="/csv").verdict == "mostly_true"


def test_a_file_that_is_not_json_or_csv_is_a_clear_400_and_nothing_is_imported(editor_api):
    upload = SimpleUploadedFile("x.pdf", b"%PDF-1.4\x00\x01\x02", content_type="application/pdf")
    response = editor_api.post("/api/factchecks/import", {"file": upload}, format="multipart")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unreadable_file"
    assert "nothing was imported" in error["message"]
    assert ExternalFactCheck.objects.count() == 0
    for body in ("null", "7", '"words"'):
        refused = editor_api.generic(
            "POST", "/api/factchecks/import", body, content_type="application/json"
        )
        assert refused.json()["error"]["code"] == "unreadable_file", body
    missing = editor_api.post("/api/factchecks/import", {}, format="multipart")
    assert missing.status_code == 400
    assert "file" in missing.json()["error"]["message"]


def test_analysts_and_read_only_tokens_cannot_import(analyst_api, editor):
    response = analyst_api.post("/api/factchecks/import", review(1), format="json")
    assert response.status_code == 403
    assert "editors" in response.json()["error"]["message"]
    read_only = client_for(editor, scope="read")
    assert read_only.post("/api/factchecks/import", review(1), format="json").status_code == 403
    assert ExternalFactCheck.objects.count() == 0


def test_imported_factchecks_are_listed_and_filtered(editor_api, analyst_api):
    editor_api.post("/api/factchecks/import", [review(1), review(2, rating="True")], format="json")
    listed = analyst_api.get("/api/factchecks/").json()["results"]
    assert {r["url"] for r in listed} == {
        "https://checker.example/r/1",
        "https://checker.example/r/2",
    }
    assert listed[0]["origin"] == "external"
    only_false = analyst_api.get("/api/factchecks/", {"verdict": "false"}).json()["results"]
    assert [r["url"] for r in only_false] == ["https://checker.example/r/1"]


def test_search_ranks_an_imported_factcheck_first_for_a_paraphrase(editor_api, analyst_api):
    factories.ClaimFactory(statement="The economy grew by five percent")
    claims = [
        "The city council voted to close all public libraries in March 2024",
        "Drinking hot water with lemon cures the common cold",
    ]
    editor_api.post(
        "/api/factchecks/import",
        [review(n, claim) for n, claim in enumerate(claims)],
        format="json",
    )
    query = "Council members decided in March 2024 to shut every public library in the city"
    results = analyst_api.get("/api/claims/search", {"query": query}).json()["results"]
    top = results[0]
    assert (top["origin"], top["tier"], top["claim"]) == ("external", "likely_same", None)
    assert top["external"]["publisher"] == "Checker Desk"
    assert top["external"]["rating_text"] == "False"
    assert top["external"]["url"] == "https://checker.example/r/0"
    assert top["external"]["claim_reviewed"] == claims[0]


def test_search_mixes_both_origins_and_can_be_narrowed(editor_api, analyst_api):
    ours = factories.ClaimFactory(statement=FERRY)
    editor_api.post(
        "/api/factchecks/import",
        [review(1, "All winter crossings were cancelled by the ferry company")],
        format="json",
    )
    query = {"query": "ferry company cancelled every crossing this winter"}
    results = analyst_api.get("/api/claims/search", query).json()["results"]
    assert {r["origin"] for r in results} == {"claim", "external"}
    mine = next(r for r in results if r["origin"] == "claim")
    assert (mine["claim"]["id"], mine["external"]) == (ours.id, None)
    only_ours = analyst_api.get("/api/claims/search", {**query, "origin": "claim"}).json()
    assert {r["origin"] for r in only_ours["results"]} == {"claim"}
    only_theirs = analyst_api.get("/api/claims/search", {**query, "origin": "external"}).json()
    assert {r["origin"] for r in only_theirs["results"]} == {"external"}
    bad = analyst_api.get("/api/claims/search", {**query, "origin": "elsewhere"})
    assert bad.status_code == 400


def test_a_large_body_becomes_a_run_answered_202_and_followed_to_the_end(
    editor_api, analyst_api, settings, django_capture_on_commit_callbacks
):
    settings.FACTCHECK_IMPORT_BACKGROUND_BYTES = 500
    body = [review(n) for n in range(5)] + [{"@type": "ClaimReview"}]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = editor_api.post("/api/factchecks/import", body, format="json")
    assert response.status_code == 202, response.content
    run = response.json()
    assert (run["state"], run["format"], run["reviews"], run["skipped_count"]) == (
        "queued",
        "json",
        5,
        1,
    )
    assert run["url"].endswith(f"/api/factchecks/import/{run['id']}")
    assert response["Location"] == run["url"]
    assert ExternalFactCheck.objects.count() == 0  # the task has not run yet
    assert editor_api.get(run["url"]).json()["state"] == "queued"
    assert analyst_api.get(run["url"]).status_code == 403

    for callback in callbacks:  # the task, run in-process as the test settings do
        callback()
    done = editor_api.get(run["url"]).json()
    assert (done["state"], done["created"], done["updated"], done["percent"]) == (
        "done",
        5,
        0,
        100,
    )
    assert ExternalFactCheck.objects.count() == 5
    assert editor_api.get("/api/factchecks/import/999999").status_code == 404


def test_a_large_file_upload_becomes_a_run_and_a_large_unreadable_one_is_a_400(
    editor_api, settings, django_capture_on_commit_callbacks
):
    settings.FACTCHECK_IMPORT_BACKGROUND_BYTES = 100
    lines = "\n".join(json.dumps(review(n)) for n in range(4)).encode()
    upload = SimpleUploadedFile("feed.jsonl", lines, content_type="application/octet-stream")
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_api.post("/api/factchecks/import", {"file": upload}, format="multipart")
    assert response.status_code == 202, response.content
    assert (response.json()["filename"], response.json()["format"]) == ("feed.jsonl", "jsonl")
    assert editor_api.get(response["Location"]).json()["created"] == 4

    junk = SimpleUploadedFile("x.json", b"[" + b"{not json" * 50, content_type="application/json")
    refused = editor_api.post("/api/factchecks/import", {"file": junk}, format="multipart")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "unreadable_file"
    assert ExternalFactCheck.objects.count() == 4
