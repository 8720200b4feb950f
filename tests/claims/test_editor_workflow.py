"""What editors are told and asked (issue 16, item 7): a submission reaches them, a claim
sent back carries their note, a claim in review keeps its statement, the dashboard says
what it counts."""

import re

import pytest

from apps.claims import desk, services
from apps.claims.models import Notification, Webhook, WebhookDelivery
from apps.core.errors import NotAllowed
from apps.evidence.services import evidence_add
from tests import factories

pytestmark = pytest.mark.django_db
QUOTE = "Russia is running out of munitions used in the war in Ukraine"


def proposed(article, analyst):
    claim = services.claim_create(article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst)
    evidence_add(claim=claim, by=analyst, stance="supports", url="https://example.org/r")
    return services.claim_propose_verdict(claim=claim, verdict="true", rationale="Yes.", by=analyst)


def test_submitting_for_review_notifies_every_editor_in_app(article, analyst, editor):
    other_editor = factories.user_with_role("editor")
    bystander = factories.user_with_role("analyst")
    claim = services.claim_submit_for_review(claim=proposed(article, analyst), by=analyst)
    notices = Notification.objects.filter(kind="submitted", claim=claim)
    assert set(notices.values_list("user_id", flat=True)) == {editor.pk, other_editor.pk}
    assert "Submitted for review by " + analyst.username in notices.first().message
    assert not Notification.objects.filter(user__in=[analyst, bystander]).exists()


def test_submitting_for_review_sends_the_submitted_webhook_when_configured(
    article, analyst, editor
):
    hook = Webhook.objects.create(
        url="https://hooks.example/x", secret="s", events=["claim.submitted_for_review"]
    )
    services.claim_submit_for_review(claim=proposed(article, analyst), by=analyst)
    delivery = WebhookDelivery.objects.get()
    assert delivery.webhook == hook and delivery.event == "claim.submitted_for_review"
    assert delivery.payload["claim"]["status"] == "in_review"


def test_sent_back_notification_carries_the_editors_note(article, analyst, editor):
    claim = services.claim_submit_for_review(claim=proposed(article, analyst), by=analyst)
    services.review_send_back(claim=claim, by=editor, note="Find a second source for 2023.")
    notice = Notification.objects.get(user=analyst, kind="sent_back")
    assert "Find a second source for 2023." in notice.message
    assert editor.username in notice.message


def test_analyst_cannot_edit_the_statement_of_a_claim_in_review(article, analyst, editor):
    claim = services.claim_submit_for_review(claim=proposed(article, analyst), by=analyst)
    with pytest.raises(NotAllowed, match="in review"):
        services.claim_update(claim=claim, by=analyst, statement="Something else")
    with pytest.raises(NotAllowed, match="in review"):
        services.claim_update_merge(
            claim_id=claim.pk,
            by=analyst,
            base_version=claim.version,
            proposed={"statement": "Something else", "tags": ""},
        )
    claim.refresh_from_db()
    assert claim.statement == QUOTE
    # Tags stay editable, and an editor reviewing it may still correct the wording.
    claim = services.claim_update(claim=claim, by=analyst, tags=["war"])
    claim = services.claim_update(claim=claim, by=editor, statement="Russia runs low on shells")
    assert claim.statement == "Russia runs low on shells" and claim.tags == ["war"]


def test_the_edit_page_says_why_the_statement_cannot_change(analyst_client, article, analyst):
    claim = services.claim_submit_for_review(claim=proposed(article, analyst), by=analyst)
    response = analyst_client.post(
        f"/desk/claims/{claim.pk}/edit/",
        {"statement": "Something else", "tags": "", "assignee": "", "version": claim.version},
    )
    assert "in review" in response.content.decode()
    claim.refresh_from_db()
    assert claim.statement == QUOTE


def test_dashboard_counts_published_claims_for_the_median_and_the_verdicts(
    editor_client, article, analyst, editor
):
    published = services.claim_submit_for_review(claim=proposed(article, analyst), by=analyst)
    services.review_approve(claim=published, by=editor)
    other = factories.ArticleFactory()
    for verdict in ("false", "false"):
        claim = services.claim_create(
            article=other, start=0, end=len(other.text[:20]), quote=other.text[:20], by=analyst
        )
        services.claim_propose_verdict(claim=claim, verdict=verdict, rationale="No.", by=analyst)
    data = desk.dashboard()
    assert data["published_total"] == 1
    assert {bar.key: bar.value for bar in data["by_verdict"]}["false"] == 0
    assert {bar.key: bar.value for bar in data["by_verdict"]}["true"] == 1
    page = editor_client.get("/desk/dashboard/").content.decode()
    assert "over 1 published claim" in page
    assert re.search(r"Published claims by verdict", page)
