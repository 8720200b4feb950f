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
