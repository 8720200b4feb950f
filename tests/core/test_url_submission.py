"""Addresses the fetcher would refuse are refused when they are submitted, with the same
reason: credentials in the URL, a private or local address written as such. Webhook URLs
are checked when the webhook is saved."""

import pytest
from django.core.exceptions import ValidationError

from apps.claims.models import Webhook
from apps.core.errors import DomainError
from apps.evidence.services import evidence_add
from apps.ingestion import services as ingestion
from apps.ingestion.models import Feed, IngestJob

pytestmark = pytest.mark.django_db

WITH_CREDENTIALS = "https://reader:s3cret@news.example/story"
CREDENTIALS_REASON = "contains a user name or password"


def test_a_url_with_credentials_is_refused_at_submission(analyst, editor):
    with pytest.raises(DomainError, match=CREDENTIALS_REASON):
        ingestion.job_submit_url(url=WITH_CREDENTIALS, by=analyst)
    with pytest.raises(DomainError, match=CREDENTIALS_REASON):
        ingestion.feed_create(url="https://u:p@news.example/feed.xml", by=editor)
    result = ingestion.batch_submit_urls(
        text=f"{WITH_CREDENTIALS}\nhttps://news.example/fine", by=analyst
    )
    assert [job.url for job in result.jobs] == ["https://news.example/fine"]
    assert CREDENTIALS_REASON in result.problems[0] and "Line 1" in result.problems[0]
    assert IngestJob.objects.count() == 1 and not Feed.objects.exists()


def test_evidence_with_a_credentials_url_is_refused(analyst, claim_for_evidence):
    with pytest.raises(DomainError, match=CREDENTIALS_REASON):
        evidence_add(claim=claim_for_evidence, by=analyst, stance="supports", url=WITH_CREDENTIALS)


def test_the_api_refuses_a_pushed_url_with_credentials(analyst):
    from tests.api.conftest import client_for

    response = client_for(analyst).post("/api/articles/", {"url": WITH_CREDENTIALS}, format="json")
    assert response.status_code == 400
    assert CREDENTIALS_REASON in response.json()["error"]["message"]
    assert not IngestJob.objects.exists()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://hook:secret@hooks.example/in", CREDENTIALS_REASON),
        ("http://127.0.0.1:8080/hook", "Refused: 127.0.0.1 is"),
        ("http://10.1.2.3/hook", "Refused: 10.1.2.3 is"),
        ("http://localhost/hook", "localhost"),
        ("ftp://hooks.example/in", "http:// or https://"),
    ],
)
def test_webhook_urls_are_checked_when_saved(admin_client, url, reason):
    response = admin_client.post(
        "/admin/claims/webhook/add/",
        {
            "url": url,
            "secret": "s",
            "events": ["claim.published"],
            "is_active": "on",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert reason in response.content.decode()
    assert not Webhook.objects.exists()
    with pytest.raises(ValidationError):
        Webhook(url=url, secret="s", events=["claim.published"]).full_clean()


def test_a_public_webhook_url_is_saved(admin_client):
    Webhook(url="https://hooks.example/in", secret="s", events=["claim.published"]).full_clean()


@pytest.fixture
def claim_for_evidence(article, analyst):
    from apps.claims import services

    quote = article.text[:40]
    return services.claim_create(article=article, start=0, end=40, quote=quote, by=analyst)
