"""Thin Celery wrappers for evidence: take ids, call one service, safe to run twice."""

from celery import shared_task

from apps.core.backoff import backoff_seconds

from . import enqueue, services

MAX_RETRIES = 3


@shared_task(
    name=enqueue.SOURCE_FETCH_DETAILS,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=30,
    time_limit=45,
)
def source_fetch_details(self, source_id: int) -> str:
    """Fill a new source's title and publisher from its page. Idempotent: the service only
    fills blank fields. Transient failures retry with jittered backoff, a bounded number of
    times; in-process (eager) runs do not retry, so a request never waits on backoff."""
    final = bool(self.request.is_eager) or self.request.retries >= MAX_RETRIES
    try:
        return services.source_fetch_details(source_id=source_id, final=final)
    except services.TransientFetchError as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc


@shared_task(
    name=enqueue.SOURCES_SWEEP,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=30,
    time_limit=50,
)
def sources_sweep() -> None:
    """Periodic (CELERY_BEAT_SCHEDULE): title fetches that were never sent."""
    services.sources_sweep()
