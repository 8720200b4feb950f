"""In-app notices and outgoing webhooks for claim events.

Both are written in the same transaction as the change that caused them; webhook
deliveries are sent by a Celery task after commit, through the safe HTTP client, signed
with HMAC-SHA256 and retried with backoff, each attempt kept in a delivery log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from apps.core.enqueue import send_after_commit, send_now

from . import enqueue
from .models import Claim, Notification, Webhook, WebhookDelivery

MAX_DELIVERY_ATTEMPTS = 6
SIGNATURE_HEADER = "X-Claimtrack-Signature"


def notify(*, users, kind: str, claim: Claim, message: str, by: User | None = None) -> int:
    """Notify each distinct user except the one who acted. Returns how many were notified."""
    recipients = {u.pk: u for u in users if u is not None and (by is None or u.pk != by.pk)}
    Notification.objects.bulk_create(
        [
            Notification(user=u, kind=kind, claim=claim, message=message[:500])
            for u in recipients.values()
        ]
    )
    return len(recipients)


def editors():
    """Everyone who reviews: active editors and admins."""
    from apps.accounts.roles import ADMIN, EDITOR

    return User.objects.filter(
        Q(groups__name__in=[EDITOR, ADMIN]) | Q(is_superuser=True), is_active=True
    ).distinct()


def notifications_mark_read(*, user: User, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def claim_event_payload(*, claim: Claim, event: str, action: str, from_status: str) -> dict:
    return {
        "event": event,
        "action": action,
        "claim": {
            "id": claim.pk,
            "statement": claim.statement,
            "status": claim.status,
            "previous_status": from_status,
            "verdict": claim.verdict,
            "rating": claim.rating,
            "version": claim.version,
            "url": settings.CLAIMTRACK_BASE_URL.rstrip("/")
            + reverse("claims:detail", args=[claim.pk]),
            "updated_at": claim.updated_at.isoformat(),
        },
    }


def webhooks_dispatch(*, claim: Claim, action: str, from_status: str) -> list[WebhookDelivery]:
    events = [Webhook.Event.STATUS_CHANGED]
    if claim.status == "published" and from_status != "published":
        events.append(Webhook.Event.PUBLISHED)
    if claim.status == "in_review" and from_status != "in_review":
        events.append(Webhook.Event.SUBMITTED)
    deliveries = []
    for webhook in Webhook.objects.filter(is_active=True):
        for event in events:
            if event in webhook.events:
                payload = claim_event_payload(
                    claim=claim, event=event, action=action, from_status=from_status
                )
                deliveries.append(
                    WebhookDelivery.objects.create(webhook=webhook, event=event, payload=payload)
                )
    if deliveries:
        ids = [d.pk for d in deliveries]

        def send() -> None:
            for pk in ids:
                enqueue.deliver_webhook(pk)

        # Not sent (broker down): the deliveries stay pending and webhooks_sweep sends them.
        send_after_commit(send, what=f"webhook deliveries {ids[:5]}")
    return deliveries


# A delivery still pending this long after its last change was never sent, or its retry
# was lost. Never sent: longer than a queue backlog; tried: longer than the longest retry
# countdown (backoff_seconds' cap, 600 s).
SWEEP_NEVER_SENT_AFTER = timedelta(minutes=5)
SWEEP_TRIED_AFTER = timedelta(minutes=15)


def webhooks_sweep(*, now=None, limit: int = 500) -> int:
    """Send the deliveries that stayed pending (made while the broker was down). Returns how
    many were sent. The receiver can tell a repeat by X-Claimtrack-Delivery."""
    now = now or timezone.now()
    stale = WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING).filter(
        Q(attempts=0, updated_at__lt=now - SWEEP_NEVER_SENT_AFTER)
        | Q(attempts__gt=0, updated_at__lt=now - SWEEP_TRIED_AFTER)
    )
    sent = 0
    for pk in stale.order_by("id").values_list("id", flat=True)[:limit]:
        if not send_now(partial(enqueue.deliver_webhook, pk), what=f"webhook delivery {pk}"):
            break
        sent += 1
    return sent


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, header: str, body: bytes, *, tolerance: int = 300) -> bool:
    """What a receiver does: recompute the HMAC and compare in constant time."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


class DeliveryRetry(Exception):
    """The receiver failed in a way that may pass; the task retries with backoff."""


def webhook_deliver(delivery_id: int) -> WebhookDelivery | None:
    from apps.core import http

    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.state != WebhookDelivery.State.PENDING:
        return delivery
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    delivery.refresh_from_db()
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(delivery.webhook.secret, int(time.time()), body),
        "X-Claimtrack-Event": delivery.event,
        "X-Claimtrack-Delivery": str(delivery.pk),
    }
    try:
        result = http.post(delivery.webhook.url, body=body, headers=headers)
    except http.FetchError as exc:
        status = getattr(exc, "status", None)
        return _delivery_failed(delivery, exc.reason, status=status, transient=exc.transient)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=WebhookDelivery.State.DELIVERED,
        response_status=result.status,
        last_error="",
        delivered_at=timezone.now(),
        updated_at=timezone.now(),
    )
    delivery.refresh_from_db()
    return delivery


def _delivery_failed(delivery, reason: str, *, status, transient: bool) -> WebhookDelivery:
    final = not transient or delivery.attempts >= MAX_DELIVERY_ATTEMPTS
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=WebhookDelivery.State.FAILED if final else WebhookDelivery.State.PENDING,
        response_status=status,
        last_error=reason[:500],
        updated_at=timezone.now(),
    )
    delivery.refresh_from_db()
    if not final:
        raise DeliveryRetry(reason)
    return delivery
