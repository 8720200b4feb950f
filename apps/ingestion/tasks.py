import random

from celery import shared_task

from . import services


def backoff_seconds(retries: int, *, base: int = 10, cap: int = 600) -> float:
    """Exponential backoff with full jitter."""
    return random.uniform(0, min(cap, base * 2**retries))  # noqa: S311 - jitter, not crypto


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
