"""The periodic sweeper: jobs no worker holds, suggestions never asked for."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.articles.models import Article
from apps.core.enqueue import send_now

from ..models import IngestJob
from . import dispatch
from .common import (
    LOST_JOB_REASON,
    MAX_ATTEMPTS,
    MAX_LOST_RUNS,
    RUNNING,
    chunks,
    log_failed,
    stuck_after,
)

logger = logging.getLogger(__name__)


def article_suggest_run(article_id: int) -> None:
    from apps.claims.suggestions import suggestions_generate

    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return
    try:
        suggestions_generate(article=article)
    except Exception:  # noqa: BLE001 - a suggestion failure must not fail the ingest
        logger.exception("Claim suggestion failed for article %s", article_id)


# --------------------------------------------------------------------------- sweeper


def jobs_requeue_stuck(*, now: datetime | None = None, limit: int = 500) -> int:
    """Re-enqueue the jobs no worker holds: running ones whose lease ran out (their worker
    died: nobody renews it), and queued ones left for longer than `stuck_after()` (a lost
    broker message, a broker that was down at commit). A running job whose run renews its
    lease is never taken, however long it runs. Jobs that have used all their attempts are
    failed instead, with the reason. Returns the count."""
    now = now or timezone.now()
    cutoff = now - stuck_after()
    with transaction.atomic():
        stuck = list(
            IngestJob.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=IngestJob.Status.QUEUED, updated_at__lt=cutoff)
                | Q(status__in=RUNNING, lease_until__lt=now)
                # Claimed before leases existed: the fixed age, longer than any time limit.
                | Q(status__in=RUNNING, lease_until__isnull=True, updated_at__lt=cutoff)
            )
            .order_by("updated_at")
            .values_list("id", "attempts", "status", "lost_runs")[:limit]
        )
        # A job left running was lost with its worker: counted as a lost run.
        lost = {pk: runs + (status in RUNNING) for pk, _, status, runs in stuck}
        killed = [pk for pk, runs in lost.items() if runs >= MAX_LOST_RUNS]
        for pk in killed:
            IngestJob.objects.filter(pk=pk).update(
                status=IngestJob.Status.FAILED,
                lost_runs=lost[pk],
                lease_until=None,
                failure_reason=LOST_JOB_REASON.format(n=lost[pk]),
                finished_at=now,
                updated_at=now,
            )
        stuck = [row for row in stuck if row[0] not in killed]
        exhausted = [pk for pk, attempts, *_ in stuck if attempts >= MAX_ATTEMPTS]
        again = [pk for pk, attempts, *_ in stuck if attempts < MAX_ATTEMPTS]
        if exhausted:
            IngestJob.objects.filter(pk__in=exhausted).update(
                status=IngestJob.Status.FAILED,
                failure_reason=(
                    f"Gave up after {MAX_ATTEMPTS} attempts: the last one never finished "
                    "(the worker stopped or the time limit was reached)."
                ),
                lease_until=None,
                finished_at=now,
                updated_at=now,
            )
        if again:
            IngestJob.objects.filter(pk__in=again, status__in=RUNNING).update(
                lost_runs=F("lost_runs") + 1
            )
            IngestJob.objects.filter(pk__in=again).update(
                status=IngestJob.Status.QUEUED, task_id="", lease_until=None, updated_at=now
            )
            dispatch.jobs_enqueue(again)
    if stuck or killed:
        logger.warning(
            "Sweeper: %d stuck job(s) re-enqueued, %d failed",
            len(again),
            len(exhausted) + len(killed),
        )
        for pk in killed:
            log_failed(pk, LOST_JOB_REASON.format(n=lost[pk]))
        for pk in exhausted:
            log_failed(pk, f"Gave up after {MAX_ATTEMPTS} attempts: the last one never finished.")
    return len(stuck) + len(killed)


SUGGEST_SWEEP_AFTER = timedelta(minutes=10)
SUGGEST_SWEEP_WITHIN = timedelta(days=1)


def articles_suggest_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Ask again for the suggestions of articles stored in the last day that have none after
    SUGGEST_SWEEP_AFTER (their task was never sent: the broker was down at commit). Every
    suggester run, even a skip, leaves a SuggestionRun."""
    now = now or timezone.now()
    ids = list(
        Article.objects.filter(
            suggestion_run__isnull=True,
            created_at__lt=now - SUGGEST_SWEEP_AFTER,
            created_at__gte=now - SUGGEST_SWEEP_WITHIN,
        )
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    for chunk in chunks(ids):
        if not send_now(
            lambda chunk=chunk: dispatch.task("articles_suggest").delay(chunk), what="suggestions"
        ):
            break
    return len(ids)
