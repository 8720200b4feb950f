from celery import shared_task

from apps.core.backoff import backoff_seconds

from . import notifications


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=notifications.MAX_DELIVERY_ATTEMPTS,
    soft_time_limit=30,
    time_limit=60,
)
def deliver_webhook(self, delivery_id: int) -> None:
    try:
        notifications.webhook_deliver(delivery_id)
    except notifications.DeliveryRetry as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300, ignore_result=True)
def embed_missing_claims() -> int:
    """Encode claims that have no current vector (made before the encoder, or by a bulk
    load); claims made through the services are encoded on save."""
    from .embeddings import embed_missing

    return embed_missing(limit=5000)


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=30, time_limit=50)
def webhooks_sweep() -> None:
    """Periodic (CELERY_BEAT_SCHEDULE): deliveries that were never sent."""
    notifications.webhooks_sweep()
