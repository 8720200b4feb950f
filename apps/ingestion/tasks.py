"""Thin Celery wrappers: each takes ids, calls one service, and is safe to run twice.

All of them: acks_late + reject_on_worker_lost (a message is only acknowledged when the
work is done; a worker that dies hands it back), soft and hard time limits, JSON
arguments, results ignored (settings). Only ingestion retries, and only transient errors:
`ingest` through Celery's retry, `ingest_chunk` by sending an `ingest` task for each job
that failed that way (never the whole chunk).
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
def ingest(self, job_id: int, retries: int = 0) -> None:
    """`retries`: how many times the job was tried before this task (a chunk's retry sends
    1), for the backoff; Celery's own retries of this task add to it."""
    retries += self.request.retries or 0
    while True:
        try:
            services.job_run(job_id, task_id=self.request.id or "")
            return
        except services.TransientIngestError as exc:
            if not self.request.is_eager:
                raise self.retry(exc=exc, countdown=services.retry_countdown(exc, retries)) from exc
            # In-process mode (no broker: the quick start and the tests) nobody would run
            # a delayed retry: wait here with the same backoff, then try again. job_run
            # fails the job after MAX_ATTEMPTS.
            services.retry_wait_in_process(exc, retries)
            retries += 1


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    # 32 jobs whose sites all take the whole fetch deadline (20 s), 4 at a time: 160 s.
    soft_time_limit=330,
    time_limit=360,
)
def ingest_chunk(self, job_ids: list[int]) -> None:
    """Several jobs in one task (a feed poll's or a batch's). Each job is claimed, run and
    recorded on its own; a job that fails with a transient error is queued again and
    retried on its own (an `ingest` task, after a backoff with jitter), never the chunk.
    A redelivered chunk (same message: its worker died) sends each unfinished job to an
    `ingest` task of its own and skips the final ones."""
    retries = services.jobs_run(job_ids, task_id=self.request.id or "")
    for job_id, exc, attempts in retries:
        if self.request.is_eager:
            # In-process, apply_async runs at once whatever the countdown: wait here.
            services.retry_wait_in_process(exc, attempts - 1)
        ingest.apply_async(
            (job_id, attempts), countdown=services.retry_countdown(exc, attempts - 1)
        )


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
    services.articles_suggest_sweep()
    services.reextractions_sweep()


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=90, time_limit=120)
def article_reextract_task(reextraction_id: int) -> None:
    """An editor's re-extraction: fetch the page again, replace the text (never in the
    editor's request)."""
    services.reextraction_run(reextraction_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=120, time_limit=180)
def article_suggest(article_id: int) -> None:
    services.article_suggest_run(article_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=600, time_limit=660)
def articles_suggest(article_ids: list[int]) -> None:
    """The suggestions for a chunk's articles, one after the other."""
    for article_id in article_ids:
        services.article_suggest_run(article_id)
