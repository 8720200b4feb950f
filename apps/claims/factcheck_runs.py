"""Large fact-check files, imported by a Celery task in chunks with progress on a row
(`FactCheckImportRun`). Small files are imported in the request (factchecks_import).

Resumable and idempotent: the file is read again by `prepare` (deterministic: the same
rows in the same order), chunk i is written by `_upsert` (an upsert by review URL) in
the same transaction that moves `chunks_done` from i to i + 1 under a row lock. A worker
killed mid-chunk leaves the chunk undone (rolled back) and the redelivered task starts
there; a task run twice finds the done chunks done and writes nothing again.

The same runs serve the three channels: the upload page and POST /api/factchecks/import
(files of at least `background_threshold()` bytes: a Celery task), and
`manage.py import_factchecks` (large files in chunks in the command's own process, printing
progress; `--resume RUN` finishes a run it was stopped in). A task works for at most
`TASK_BUDGET` seconds and then sends itself again for the rest, so no delivery outlives the
task's time limit: a run that made no progress for longer than that (`stall_after()`) has no
live worker, and the periodic `factcheck_runs_sweep` sends it again or, after
`MAX_LOST_RUNS` such losses, marks it failed with the reason.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.roles import is_editor
from apps.core.enqueue import send_after_commit
from apps.core.errors import NotAllowed

from . import enqueue
from .factchecks import CHUNK, FactCheckImportError, _upsert, prepare
from .models import FactCheckImportRun

logger = logging.getLogger(__name__)

SHOWN_SKIPS = 200
TASK_BUDGET = 120.0  # seconds of chunks a task does before it sends itself for the rest
# The import task's time limits (tasks.py): a chunk's work fits well inside them.
TASK_SOFT_TIME_LIMIT = 240
TASK_TIME_LIMIT = 300
MAX_LOST_RUNS = 3


def background_threshold() -> int:
    """Files of at least this many bytes run as a task (setting
    ``FACTCHECK_IMPORT_BACKGROUND_BYTES``, default 1 MB)."""
    return int(getattr(settings, "FACTCHECK_IMPORT_BACKGROUND_BYTES", 1_000_000))


def stall_after() -> timedelta:
    """A run without progress for this long has no live worker (FACTCHECK_IMPORT_STALL_SECONDS,
    default: the task's hard time limit plus a minute; a task touches the run when it starts
    and after each chunk, and stops after TASK_BUDGET)."""
    default = TASK_TIME_LIMIT + 60
    return timedelta(seconds=float(getattr(settings, "FACTCHECK_IMPORT_STALL_SECONDS", default)))


@transaction.atomic
def factcheck_import_start(
    *,
    content: bytes,
    filename: str,
    by: User | None,
    chunk: int = CHUNK,
    columns: dict | None = None,
    command: bool = False,
) -> FactCheckImportRun:
    """Check that `content` is a fact-check file (FactCheckImportError, and no run, when
    it is not), record the run and send the task once the run is committed. `command`:
    started by `manage.py import_factchecks` (no user; the command imports the chunks
    itself, no task is sent)."""
    if not command and not is_editor(by):
        raise NotAllowed("Only editors can import fact-checks.")
    result, rows = prepare(content, columns=columns)
    run = FactCheckImportRun.objects.create(
        created_by=by,
        filename=(filename or "")[:300],
        content=content,
        columns=columns or {},
        format=result.format,
        reviews=len(rows),
        chunk_size=chunk,
        chunks_total=-(-len(rows) // chunk),
        duplicates=result.duplicates,
        skipped_count=len(result.skipped),
        skipped=[{"where": s.where, "reason": s.reason} for s in result.skipped[:SHOWN_SKIPS]],
    )
    if not command:
        pk = run.pk
        send_after_commit(lambda: _send(pk), what=f"fact-check import run {pk}")
    return run


def _send(run_id: int) -> None:
    enqueue.import_factchecks_run(run_id)


def factcheck_import_continue(
    *,
    run_id: int,
    budget: float | None = None,
    progress: Callable[[FactCheckImportRun], None] | None = None,
) -> FactCheckImportRun | None:
    """Import the chunks of run `run_id` not yet done (the task's and the command's one
    service call). With `budget`, stop after the chunk that passes that many seconds (one
    chunk at least) and return the run unfinished; `progress` is called with the run after
    each chunk."""
    started = time.monotonic()
    run = FactCheckImportRun.objects.filter(pk=run_id).first()
    if run is None or run.finished:
        return run
    # Touched at every start, so the sweeper sees this delivery as progress.
    FactCheckImportRun.objects.filter(pk=run_id).exclude(
        state__in=[FactCheckImportRun.State.DONE, FactCheckImportRun.State.FAILED]
    ).update(state=FactCheckImportRun.State.RUNNING, updated_at=timezone.now())
    try:
        _, rows = prepare(bytes(run.content), columns=run.columns or None)
    except FactCheckImportError as exc:  # checked at the start; only if the file changed
        return _fail(run_id, exc.message)
    size = run.chunk_size
    for index in range(run.chunks_done, run.chunks_total):
        late = budget is not None and time.monotonic() - started >= budget
        if late and index > run.chunks_done:  # one chunk at least, then the budget
            return FactCheckImportRun.objects.defer("content").get(pk=run_id)
        with transaction.atomic():
            current = FactCheckImportRun.objects.select_for_update().defer("content").get(pk=run_id)
            if current.chunks_done > index or current.finished:
                continue  # another delivery of the task did it
            created, updated = _upsert(rows[index * size : (index + 1) * size])
            FactCheckImportRun.objects.filter(pk=run_id).update(
                chunks_done=index + 1,
                created=F("created") + created,
                updated=F("updated") + updated,
                updated_at=timezone.now(),
            )
        if progress is not None:
            progress(FactCheckImportRun.objects.defer("content").get(pk=run_id))
    with transaction.atomic():
        current = FactCheckImportRun.objects.select_for_update().defer("content").get(pk=run_id)
        if current.chunks_done == current.chunks_total and not current.finished:
            current.state = FactCheckImportRun.State.DONE
            current.finished_at = timezone.now()
            current.content = b""  # the reviews are stored; the file is not needed
            current.save(update_fields=["state", "finished_at", "content", "updated_at"])
    return current


def _fail(run_id: int, reason: str) -> FactCheckImportRun:
    FactCheckImportRun.objects.filter(pk=run_id).update(
        state=FactCheckImportRun.State.FAILED,
        error=reason[:500],
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    return FactCheckImportRun.objects.get(pk=run_id)


def factcheck_import_failed(*, run_id: int, reason: str) -> None:
    """A run whose task gave up (time limit, retries spent): recorded, shown on the page."""
    FactCheckImportRun.objects.filter(pk=run_id).exclude(
        state=FactCheckImportRun.State.DONE
    ).update(
        state=FactCheckImportRun.State.FAILED,
        error=reason[:500],
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


LOST_RUN_REASON = (
    "The import stopped {n} times without progress (its worker was stopped or ran out of "
    "memory); {done} of {total} chunks were imported. Import the file again to finish: the "
    "reviews already imported are updated, not repeated."
)


def factcheck_runs_sweep(*, now: datetime | None = None, limit: int = 100) -> int:
    """Runs no worker holds: queued or running without progress for `stall_after()` (the
    task's message was lost, the broker was down, the worker died). Each is sent again from
    its first undone chunk; one lost `MAX_LOST_RUNS` times is failed with the reason.
    Returns how many were sent again or failed."""
    now = now or timezone.now()
    active = [FactCheckImportRun.State.QUEUED, FactCheckImportRun.State.RUNNING]
    with transaction.atomic():
        stale = list(
            FactCheckImportRun.objects.select_for_update(skip_locked=True)
            .filter(state__in=active, updated_at__lt=now - stall_after())
            .order_by("updated_at")
            .values_list("id", "state", "lost_runs", "chunks_done", "chunks_total")[:limit]
        )
        again, failed = [], []
        for pk, state, lost, done, total in stale:
            lost += state == FactCheckImportRun.State.RUNNING  # a worker had it and died
            if lost >= MAX_LOST_RUNS:
                reason = LOST_RUN_REASON.format(n=lost, done=done, total=total)
                FactCheckImportRun.objects.filter(pk=pk).update(
                    state=FactCheckImportRun.State.FAILED,
                    lost_runs=lost,
                    error=reason[:500],
                    finished_at=now,
                    updated_at=now,
                )
                failed.append(pk)
                logger.warning("Fact-check import run %s failed: %s", pk, reason)
            else:
                FactCheckImportRun.objects.filter(pk=pk).update(
                    state=FactCheckImportRun.State.QUEUED, lost_runs=lost, updated_at=now
                )
                again.append(pk)
        for pk in again:
            send_after_commit(partial(_send, pk), what=f"fact-check import run {pk}")
    if again:
        logger.warning("Sweeper: fact-check import runs %s sent again", again)
    return len(again) + len(failed)
