"""The whole loop on the real stack: a real Celery worker on a real broker imports the
samples, an analyst tags a claim and links evidence, an editor publishes, the API serves it."""

from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from apps.accounts.services import api_token_create
from apps.articles.models import Article
from apps.claims import services as claims
from apps.evidence.services import evidence_add
from apps.ingestion.models import IngestJob
from tests import factories
from tests.polling import wait_for

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
QUOTE = "Russia is running out of munitions used in the war in Ukraine"


@pytest.mark.broker
def test_samples_flow_from_import_to_published_claim_in_the_api(real_worker):
    call_command("import_articles", str(SEEDS))
    assert wait_for(lambda: not IngestJob.objects.exclude(status__in=IngestJob.FINAL).exists())
    assert IngestJob.objects.filter(status=IngestJob.Status.DONE).count() == 5
    assert Article.objects.count() == 5

    analyst = factories.user_with_role("analyst")
    editor = factories.user_with_role("editor")
    article = Article.objects.get(text__contains=QUOTE)
    start = article.text.index(QUOTE)
    claim = claims.claim_create(
        article=article, start=start, end=start + len(QUOTE), quote=QUOTE, by=analyst
    )
    evidence_add(
        claim=claim,
        by=analyst,
        stance="supports",
        url="https://www.rusi.org/report",
        title="RUSI report on Russian artillery",
        kind="report",
    )
    claim = claims.claim_propose_verdict(
        claim=claim, verdict="mostly_true", rationale="Western estimates agree.", by=analyst
    )
    claim = claims.claim_submit_for_review(claim=claim, by=analyst)
    claim = claims.review_approve(claim=claim, by=editor, note="Checked.")

    _token, key = api_token_create(user=analyst, name="loop test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    listing = api.get("/api/claims/", {"status": "published"})
    assert listing.status_code == 200
    assert [c["id"] for c in listing.json()["results"]] == [claim.id]
    detail = api.get(f"/api/claims/{claim.id}/").json()
    assert detail["verdict"] == "mostly_true" and detail["rating"] == 4
    assert detail["appearances"][0]["quote"] == QUOTE
    assert detail["evidence"][0]["stance"] == "supports"
