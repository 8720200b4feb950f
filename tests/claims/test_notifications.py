import json
import time

import pytest

from apps.claims import notifications, services
from apps.claims.models import Notification, Webhook, WebhookDelivery
from apps.evidence.services import evidence_add
from tests import factories

pytestmark = pytest.mark.django_db
QUOTE = "Russia is running out of munitions used in the war in Ukraine"


@pytest.fixture
def claim_in_review(article, analyst):
    claim = services.claim_create(article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst)
    evidence_add(claim=claim, by=analyst, stance="supports", url="https://example.org/r")
    claim = services.claim_propose_verdict(
        claim=claim, verdict="true", rationale="Yes.", by=analyst
    )
    return services.claim_submit_for_review(claim=claim, by=analyst)


def test_assignment_notifies_the_assignee_but_not_the_person_who_assigned(article, analyst, editor):
    claim = services.claim_create(article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst)
    services.claim_update(claim=claim, by=editor, assignee=analyst)
    notice = Notification.objects.get(user=analyst)
    assert notice.kind == "assigned" and notice.claim_id == claim.pk
    services.claim_update(claim=claim, by=analyst, assignee=editor)  # editor gets it
    claim.refresh_from_db()
    services.claim_update(claim=claim, by=analyst, assignee=analyst)  # self-assignment: no notice
    assert Notification.objects.filter(user=analyst).count() == 1
    assert Notification.objects.filter(user=editor, kind="assigned").count() == 1


def test_send_back_and_publish_notify_the_proposer(claim_in_review, analyst, editor):
    claim = services.review_send_back(claim=claim_in_review, by=editor, note="More sources.")
    claim = services.claim_submit_for_review(claim=claim, by=analyst)
    services.review_approve(claim=claim, by=editor)
    kinds = list(
        Notification.objects.filter(user=analyst).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == ["sent_back", "published"]
    # The editor hears of the submissions (to every editor), not of their own decisions.
    assert set(Notification.objects.filter(user=editor).values_list("kind", flat=True)) == {
        "submitted"
    }


def test_mark_read_only_touches_the_users_own_notices(claim_in_review, analyst, editor):
    services.review_send_back(claim=claim_in_review, by=editor, note="More.")
    other = factories.user_with_role("analyst")
    assert notifications.notifications_mark_read(user=other) == 0
    assert notifications.notifications_mark_read(user=analyst) == 1
    assert Notification.objects.get(user=analyst).read_at is not None


def test_status_change_and_publish_create_signed_webhook_deliveries(claim_in_review, editor):
    hook = Webhook.objects.create(
        url="https://hooks.example/x", secret="s3cret", events=["claim.published"]
    )
    Webhook.objects.create(
        url="https://hooks.example/y", secret="s", events=["claim.status_changed"], is_active=False
    )
    services.review_approve(claim=claim_in_review, by=editor)
    delivery = WebhookDelivery.objects.get()
    assert delivery.webhook == hook and delivery.event == "claim.published"
    assert delivery.payload["claim"]["status"] == "published"
    assert delivery.payload["claim"]["previous_status"] == "in_review"


def test_signature_verifies_and_rejects_tampering_and_replay():
    body = json.dumps({"a": 1}).encode()
    now = int(time.time())
    header = notifications.sign("secret", now, body)
    assert notifications.verify_signature("secret", header, body)
    assert not notifications.verify_signature("secret", header, body + b" ")
    assert not notifications.verify_signature("other", header, body)
    old = notifications.sign("secret", now - 3600, body)
    assert not notifications.verify_signature("secret", old, body)


@pytest.fixture
def receiver(settings):
    from tests.core.httpserver import LocalServer
    from tests.core.test_http_fetch import _PostHandler

    with LocalServer() as server:
        server._server.RequestHandlerClass = _PostHandler
        server.posted = []
        settings.FETCH_ALLOWED_HOSTS = [server.host_port]
        yield server


def test_webhook_is_delivered_signed_and_logged(claim_in_review, editor, receiver):
    from tests.core.httpserver import Reply

    receiver.route("/hook", Reply(204))
    Webhook.objects.create(url=receiver.url("/hook"), secret="s3cret", events=["claim.published"])
    services.review_approve(claim=claim_in_review, by=editor)
    delivery = notifications.webhook_deliver(WebhookDelivery.objects.get().pk)
    assert delivery.state == "delivered" and delivery.response_status == 204
    request, body = receiver.posted[0]
    assert json.loads(body)["claim"]["status"] == "published"
    assert notifications.verify_signature("s3cret", request.headers["x-claimtrack-signature"], body)


def test_webhook_failing_with_5xx_is_retried_then_marked_failed(claim_in_review, editor, receiver):
    from tests.core.httpserver import Reply

    receiver.route("/hook", Reply(503))
    Webhook.objects.create(url=receiver.url("/hook"), secret="s", events=["claim.published"])
    services.review_approve(claim=claim_in_review, by=editor)
    delivery_id = WebhookDelivery.objects.get().pk
    for _ in range(notifications.MAX_DELIVERY_ATTEMPTS - 1):
        with pytest.raises(notifications.DeliveryRetry):
            notifications.webhook_deliver(delivery_id)
    delivery = notifications.webhook_deliver(delivery_id)
    assert delivery.state == "failed" and delivery.attempts == notifications.MAX_DELIVERY_ATTEMPTS
    assert delivery.response_status == 503 and delivery.last_error


def test_webhook_to_a_private_address_fails_at_once_with_the_reason(
    claim_in_review, editor, settings
):
    settings.FETCH_ALLOWED_HOSTS = []
    Webhook.objects.create(
        url="http://169.254.169.254/hook", secret="s", events=["claim.published"]
    )
    services.review_approve(claim=claim_in_review, by=editor)
    delivery = notifications.webhook_deliver(WebhookDelivery.objects.get().pk)
    assert delivery.state == "failed" and delivery.attempts == 1
    assert "169.254.169.254" in delivery.last_error
