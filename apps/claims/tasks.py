from celery import shared_task

from apps.core.backoff import backoff_seconds

from . import enqueue, factcheck_runs, notifications


@shared_task(
    name=enqueue.DELIVER_WEBHOOK,
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


@shared_task(
    name=enqueue.EMBED_MISSING_CLAIMS,
    acks_late=True,
    soft_time_limit=240,
    time_limit=300,
    ignore_result=True,
)
def embed_missing_claims() -> int:
    """Encode claims that have no current vector (made before the encoder, or by a bulk
    load); claims made through the services are encoded on save."""
    from .embeddings import embed_missing

    return embed_missing(limit=5000)


@shared_task(
    name=enqueue.WEBHOOKS_SWEEP,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=30,
    time_limit=50,
)
def webhooks_sweep() -> None:
    """Periodic (CELERY_BEAT_SCHEDULE): deliveries that were never sent."""
    notifications.webhooks_sweep()


@shared_task(
    name=enqueue.IMPORT_FACTCHECKS_RUN,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=3,
    soft_time_limit=factcheck_runs.TASK_SOFT_TIME_LIMIT,
    time_limit=factcheck_runs.TASK_TIME_LIMIT,
    ignore_result=True,
)
def import_factchecks_run(self, run_id: int) -> None:
    """A large fact-check file, chunk by chunk (apps/claims/factcheck_runs.py), for at most
    TASK_BUDGET seconds, then sent again for the rest. Safe to run again: the chunks already
    done are skipped. Database errors that can pass are retried with backoff; then, or at
    the time limit (one chunk hung), the run is marked failed with the reason."""
    from celery.exceptions import SoftTimeLimitExceeded
    from django.db import InterfaceError, OperationalError

    from apps.core.enqueue import send_now

    from .factcheck_runs import TASK_BUDGET, factcheck_import_continue, factcheck_import_failed

    try:
        run = factcheck_import_continue(run_id=run_id, budget=TASK_BUDGET)
    except (OperationalError, InterfaceError) as exc:
        if self.request.retries >= self.max_retries:
            factcheck_import_failed(run_id=run_id, reason=f"Database error: {exc}")
            return
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    except SoftTimeLimitExceeded:
        factcheck_import_failed(
            run_id=run_id, reason="The import took too long and was stopped; import the rest again."
        )
        return
    if run is not None and not run.finished:
        # Not sent: the run stays without progress and the sweeper sends it again.
        send_now(lambda: import_factchecks_run.delay(run_id), what=f"fact-check import {run_id}")


@shared_task(
    name=enqueue.FACTCHECK_RUNS_SWEEP,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=30,
    time_limit=50,
)
def factcheck_runs_sweep() -> None:
    """Periodic (CELERY_BEAT_SCHEDULE): fact-check import runs whose worker died, or whose
    task was never sent, are sent again or failed with the reason."""
    from .factcheck_runs import factcheck_runs_sweep as sweep

    sweep()
