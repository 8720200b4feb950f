"""Thin Celery wrappers: each takes ids, calls one service, and is safe to run twice.

All of them: acks_late + reject_on_worker_lost (a message is only acknowledged when the
work is done; a worker that dies hands it back), soft and hard time limits, JSON
arguments, results ignored (settings). Only `ingest` retries, and only transient errors.
"""

from celery import shared_task

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
    while True:
        try:
            services.job_run(job_id, task_id=self.request.id or "")
            return
        except services.TransientIngestError as exc:
            if not self.request.is_eager:
                raise self.retry(
                    exc=exc, countdown=services.retry_countdown(exc, self.request.retries)
                ) from exc
            # In-process mode (no broker: the quick start and the tests) nobody would run
            # a delayed retry; try again at once. job_run fails the job after MAX_ATTEMPTS.


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90)
def feed_poll(feed_id: int, lease: str) -> None:
    services.feed_poll_run(feed_id, lease)


# Periodic (CELERY_BEAT_SCHEDULE). Both are safe when two beat processes send them.
@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=30, time_limit=50)
def feeds_poll_due() -> None:
    services.feeds_lease()


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=30, time_limit=50)
def jobs_sweep() -> None:
    services.jobs_requeue_stuck()


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=120, time_limit=180)
def article_suggest(article_id: int) -> None:
    services.article_suggest_run(article_id)
