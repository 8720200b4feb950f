"""The editors' browser page for importing fact-checks published elsewhere."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.claims.models import ExternalFactCheck

pytestmark = pytest.mark.django_db
URL = "/claims/factchecks/import/"


def _file(content: bytes, name="feed.json"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_editor_uploads_a_file_and_sees_counts_and_skips(editor_client):
    reviews = [
        {
            "@type": "ClaimReview",
            "url": "https://checker.example/r/1",
            "claimReviewed": "Tram fares <b>doubled</b> this year",
            "reviewRating": {"alternateName": "False"},
        },
        {"@type": "ClaimReview", "claimReviewed": "No link here"},
    ]
    page = editor_client.get(URL)
    assert page.status_code == 200
    assert b'id="factcheck-progress"' in page.content
    response = editor_client.post(URL, {"file": _file(json.dumps(reviews).encode())})
    assert response.status_code == 200
    text = response.content.decode()
    assert "imported 1, updated 0, skipped 1" in text
    assert "element 2 ([1])" in text and "no http(s) url" in text
    assert ExternalFactCheck.objects.get().claim_reviewed == "Tram fares doubled this year"


def test_the_upload_script_gets_the_result_fragment(editor_client):
    line = json.dumps(
        {"@type": "ClaimReview", "url": "https://c.example/1", "claimReviewed": "x y"}
    )
    response = editor_client.post(
        URL, {"file": _file(line.encode(), "a.jsonl")}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"imported 1" in response.content


def test_a_file_that_is_not_a_feed_is_refused_with_a_message(editor_client):
    response = editor_client.post(URL, {"file": _file(b"\x00\x01PDF", "x.pdf")})
    assert response.status_code == 400
    assert b"nothing was imported" in response.content
    assert ExternalFactCheck.objects.count() == 0


def test_analysts_cannot_import(analyst_client):
    response = analyst_client.post(URL, {"file": _file(b"[]")})
    assert response.status_code == 403
    assert b"Only editors" in response.content
