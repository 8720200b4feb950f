"""Large fact-check files, imported by a Celery task in chunks with progress on a row
(`FactCheckImportRun`). Small files are imported in the request (factchecks_import).

Resumable and idempotent: the file is read again by `prepare` (deterministic: the same
rows in the same order), chunk i is written by `_upsert` (an upsert by review URL) in
the same transaction that moves `chunks_done` from i to i + 1 under a row lock. A worker
killed mid-chunk leaves the chunk undone (rolled back) and the redelivered task starts
there; a task run twice finds the done chunks done and writes nothing again.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.roles import is_editor
from apps.core.errors import NotAllowed

from . import enqueue
from .factchecks import CHUNK, FactCheckImportError, _upsert, prepare
from .models import FactCheckImportRun

SHOWN_SKIPS = 200


def background_threshold() -> int:
    """Files of at least this many bytes run as a task (setting
    ``FACTCHECK_IMPORT_BACKGROUND_BYTES``, default 1 MB)."""
    return int(getattr(settings, "FACTCHECK_IMPORT_BACKGROUND_BYTES", 1_000_000))


@transaction.atomic
def factcheck_import_start(
    *, content: bytes, filename: str, by: User | None, chunk: int = CHUNK
) -> FactCheckImportRun:
    """Check that `content` is a fact-check file (FactCheckImportError, and no run, when
    it is not), record the run and send the task once the run is committed."""
    if not is_editor(by):
        raise NotAllowed("Only editors can import fact-checks.")
    result, rows = prepare(content)
    run = FactCheckImportRun.objects.create(
        created_by=by,
        filename=(filename or "")[:300],
        content=content,
        format=result.format,
        reviews=len(rows),
        chunk_size=chunk,
        chunks_total=-(-len(rows) // chunk),
        duplicates=result.duplicates,
        skipped_count=len(result.skipped),
        skipped=[{"where": s.where, "reason": s.reason} for s in result.skipped[:SHOWN_SKIPS]],
    )
    pk = run.pk
    transaction.on_commit(lambda: _send(pk))
    return run


def _send(run_id: int) -> None:
    enqueue.import_factchecks_run(run_id)


def factcheck_import_continue(*, run_id: int) -> FactCheckImportRun | None:
    """Import the chunks of run `run_id` not yet done (the task's one service call)."""
    run = FactCheckImportRun.objects.filter(pk=run_id).first()
    if run is None or run.finished:
        return run
    FactCheckImportRun.objects.filter(pk=run_id, state=FactCheckImportRun.State.QUEUED).update(
        state=FactCheckImportRun.State.RUNNING, updated_at=timezone.now()
    )
    try:
        _, rows = prepare(bytes(run.content))
    except FactCheckImportError as exc:  # checked at the start; only if the file changed
        return _fail(run_id, exc.message)
    size = run.chunk_size
    for index in range(run.chunks_done, run.chunks_total):
        with transaction.atomic():
            current = FactCheckImportRun.objects.select_for_update().get(pk=run_id)
            if current.chunks_done > index or current.finished:
                continue  # another delivery of the task did it
            created, updated = _upsert(rows[index * size : (index + 1) * size])
            FactCheckImportRun.objects.filter(pk=run_id).update(
                chunks_done=index + 1,
                created=F("created") + created,
                updated=F("updated") + updated,
                updated_at=timezone.now(),
            )
    with transaction.atomic():
        current = FactCheckImportRun.objects.select_for_update().get(pk=run_id)
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
