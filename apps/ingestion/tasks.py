from celery import shared_task

from apps.core.backoff import backoff_seconds

from . import services


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=services.MAX_ATTEMPTS,
    soft_time_limit=90,
    time_limit=120,
)
def ingest(self, job_id: int) -> None:
    try:
        services.job_run(job_id)
    except services.TransientIngestError as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
