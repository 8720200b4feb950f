"""Running jobs: claim, fetch ahead in threads, extract, hand to the store, record."""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from apps.articles.models import Article
from apps.core.enqueue import send_after_commit
from apps.core.errors import DomainError
from apps.core.text import normalize_text

from ..extraction import Extracted, ExtractionError, decode_body, extract_html, extract_plain
from ..models import IngestJob
from . import dispatch
from .common import (
    LOST_JOB_REASON,
    MAX_ATTEMPTS,
    MAX_LOST_RUNS,
    TransientIngestError,
    hash_of,
    lease_duration,
    lease_renew_every,
    log_failed,
)
from .store import STORE_WAIT_ON_TIMEOUT, Storer, link_near_duplicates

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------- running a job


@contextmanager
def _relaxed_commits():
    """While a job runs, its commits do not wait for the WAL flush (PostgreSQL
    synchronous_commit off, for this session until the run ends). Safe for ingestion's
    writes: a database crash can lose the last fraction of a second of them, never
    corrupt them, and a job whose progress was lost is left non-final, so the sweeper
    runs it again and the idempotent run ends in the same state. The web requests and
    every other task keep synchronous commits. INGEST_ASYNC_COMMIT=False turns it off."""
    if not getattr(settings, "INGEST_ASYNC_COMMIT", True) or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
        except Exception:  # noqa: BLE001 - a broken connection is discarded anyway
            logger.warning("Could not reset synchronous_commit", exc_info=True)


# Jobs run in chunks: the feed poll, a batch of URLs and the sweeper send one task per
# chunk of job ids, so the fixed costs of a task (the broker round trip, the claim, the
# store transaction, the near-duplicate lookup, the outcome) are paid once per chunk,
# while every job keeps its own claim, status, timings and failure reason. 32 measured

FETCH_AHEAD = 4


_CLAIM_SQL = """
UPDATE ingestion_ingestjob
   SET status = 'fetching', attempts = attempts + 1, task_id = %(task_id)s,
       lost_runs = lost_runs + (status <> 'queued')::int,
       lease_until = %(lease)s, started_at = %(now)s, updated_at = %(now)s
 WHERE id = ANY(%(ids)s)
   AND (status = 'queued'
        OR (%(task_id)s <> '' AND status IN ('fetching', 'extracting') AND task_id = %(task_id)s))
RETURNING *
"""


def _claim_jobs(job_ids: list[int], task_id: str) -> dict[int, IngestJob]:
    """Move queued jobs to 'fetching' with one conditional UPDATE; jobs another run holds,
    and final ones, are left out. A redelivery of the message that held them (same task
    id: its worker died) takes them over, and counts the lost run."""
    now = timezone.now()
    rows = IngestJob.objects.raw(
        _CLAIM_SQL,
        {"ids": list(job_ids), "task_id": task_id, "now": now, "lease": now + lease_duration()},
    )
    return {job.pk: job for job in rows}


_RENEW_SQL = """
UPDATE ingestion_ingestjob SET lease_until = %(lease)s
 WHERE id = ANY(%(ids)s) AND task_id = %(task_id)s AND status IN ('fetching', 'extracting')
"""


def jobs_lease_renew(job_ids: list[int], task_id: str, *, now: datetime | None = None) -> int:
    """Extend the lease of the jobs this run still holds (not those the sweeper took back,
    nor finished ones). Returns how many were renewed. updated_at is left alone: a renewal
    is not a change anyone syncs."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _RENEW_SQL, {"ids": list(job_ids), "task_id": task_id, "lease": now + lease_duration()}
        )
        return cursor.rowcount


class _LeaseKeeper:
    """Renews the lease of a run's jobs from a thread of its own, every lease_renew_every()
    seconds, for as long as the run lasts, whatever the run's thread is waiting on (a slow
    site, the store). If the worker dies, so does this thread, and the lease runs out.

    Not started inside a transaction (tasks run in-process within a request or a test):
    there the claim is not committed, so no sweeper can see the jobs to take them back."""

    def __init__(self, job_ids: list[int], task_id: str):
        self.job_ids, self.task_id = list(job_ids), task_id
        self._stop = threading.Event()
        self._thread = None
        if job_ids and not connection.in_atomic_block:
            self._thread = threading.Thread(target=self._keep, name="ingest-lease", daemon=True)
            self._thread.start()

    def _keep(self) -> None:
        try:
            while not self._stop.wait(lease_renew_every()):
                try:
                    jobs_lease_renew(self.job_ids, self.task_id)
                except Exception:  # noqa: BLE001 - the next renewal may pass; logged
                    logger.warning("Could not renew the lease of jobs %s", self.job_ids[:5])
                    close_old_connections()
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


_HAND_OVER_SQL = """
UPDATE ingestion_ingestjob
   SET status = 'queued', task_id = '', lost_runs = lost_runs + 1, lease_until = NULL,
       updated_at = %(now)s
 WHERE id = ANY(%(ids)s) AND task_id = %(task_id)s AND status IN ('fetching', 'extracting')
RETURNING id
"""


def _hand_over_lost(job_ids: list[int], task_id: str) -> set[int]:
    """A redelivered chunk whose worker died mid-run sends each job it still held to a task
    of its own, counting the lost run: one page that kills its worker then takes only its
    own job down with it the next time. Returns the ids handed over."""
    if not task_id:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            _HAND_OVER_SQL, {"ids": list(job_ids), "task_id": task_id, "now": timezone.now()}
        )
        handed = [row[0] for row in cursor.fetchall()]
    if handed:
        logger.warning("Chunk %s was redelivered; its jobs %s run one by one", task_id, handed)

        def send() -> None:
            for pk in handed:
                dispatch.task("ingest").delay(pk)

        send_after_commit(send, what=f"ingest jobs {handed[:5]}")
    return set(handed)


@dataclass
class Run:
    """One claimed job while its chunk runs, and its outcome."""

    job: IngestJob
    timings: dict = field(default_factory=dict)
    status: str = ""  # the outcome: a final status, or QUEUED for a retry; "" while running
    article_id: int | None = None
    reason: str = ""
    transient: TransientIngestError | None = None
    extracted: Extracted | None = None
    url: str = ""
    aliases: tuple[str, ...] = ()
    item: object = None  # what _prepare made ready to store
    computed: object = None  # its near-duplicate signature
    created: bool = False
    resumed: bool = False  # an earlier run stored the article and stopped before the end

    def end(self, status: str, *, article_id: int | None = None, reason: str = "") -> None:
        self.status, self.article_id, self.reason = status, article_id, reason

    def fail(self, reason: str) -> None:
        self.end(IngestJob.Status.FAILED, reason=reason)

    def transient_failure(self, exc: TransientIngestError) -> None:
        attempts = self.job.attempts
        if attempts >= MAX_ATTEMPTS:
            self.fail(f"{exc.reason} (gave up after {attempts} attempts)")
            return
        self.transient = exc
        self.end(
            IngestJob.Status.QUEUED,
            reason=f"Attempt {attempts} failed, will try again: {exc.reason}",
        )


def job_run(job_id: int, task_id: str = "") -> IngestJob | None:
    """The body of the `ingest` task (one job). Raises TransientIngestError for a failure
    worth a retry (the job is queued again first). Returns the job as it ends."""
    with _relaxed_commits():
        runs = _jobs_run([job_id], task_id)
    if not runs:
        return IngestJob.objects.filter(pk=job_id).first()
    if runs[0].transient is not None:
        raise runs[0].transient
    return runs[0].job


def jobs_run(
    job_ids: list[int], task_id: str = "", *, in_worker: bool = False
) -> list[tuple[int, TransientIngestError, int]]:
    """The body of the `ingest_chunk` task. Each job is claimed, run and recorded on its
    own; one failing does not fail the others. Returns the jobs that failed with a
    transient error and were queued again: (job id, error, attempts so far), for the task
    to retry each on its own, with backoff. `in_worker`: in a worker's pool process the
    store thread keeps its database connection for the next chunk; elsewhere (tasks run
    in-process, in a web process or a test) it closes it when the chunk ends."""
    with _relaxed_commits():
        runs = _jobs_run(job_ids, task_id, keep_connection=in_worker)
    return [(r.job.pk, r.transient, r.job.attempts) for r in runs if r.transient is not None]


def _jobs_run(job_ids: list[int], task_id: str, *, keep_connection: bool = False) -> list[Run]:
    """Commits: the claim; the new articles with their signatures and their jobs' links to
    them, together; the near-duplicate links; the jobs' outcomes, together. A run that
    dies after storing an article is finished by the next delivery (the job names its
    article), without fetching again; a job whose runs were lost MAX_LOST_RUNS times fails."""
    if len(job_ids) > 1:
        handed = _hand_over_lost(job_ids, task_id)
        job_ids = [pk for pk in job_ids if pk not in handed]
    claimed = _claim_jobs(job_ids, task_id)
    runs = [Run(claimed[pk]) for pk in dict.fromkeys(job_ids) if pk in claimed]
    if not runs:
        return []
    storer = Storer(threaded=len(runs) > 1 and not connection.in_atomic_block)
    lease = _LeaseKeeper([run.job.pk for run in runs], task_id)
    try:
        _skip_stored(runs)
        for run in runs:
            if not run.status and not run.resumed and run.job.lost_runs >= MAX_LOST_RUNS:
                run.fail(LOST_JOB_REASON.format(n=run.job.lost_runs))
        _extract_all(runs, storer)
        storer.close(keep_connection=keep_connection)
        link_near_duplicates(runs)
    except SoftTimeLimitExceeded:
        storer.close(timeout=STORE_WAIT_ON_TIMEOUT, keep_connection=keep_connection)
        for run in runs:
            if run.status:
                continue
            if run.created or run.resumed:
                run.end(IngestJob.Status.DONE, article_id=run.article_id)
            elif run.timings.get("running"):
                run.fail("Processing took too long and was stopped.")
            else:  # it never got its turn: try it again on its own
                run.transient_failure(
                    TransientIngestError("The chunk it ran in reached its time limit.")
                )
    finally:
        lease.stop()
    _finish_all(runs, task_id)
    dispatch.suggestions_enqueue([run.article_id for run in runs if run.created])
    return runs


def _skip_stored(runs: list[Run]) -> None:
    """Jobs whose article an earlier run stored (resume them), and URL jobs whose address
    is stored already (duplicates, without fetching): one query for the chunk."""
    by_hash: dict[str, list[Run]] = {}
    for run in runs:
        job = run.job
        if job.article_id:
            run.resumed, run.article_id = True, job.article_id
        elif job.channel in (IngestJob.Channel.URL, IngestJob.Channel.FEED):
            by_hash.setdefault(job.url_hash or hash_of(job.url), []).append(run)
    if not by_hash:
        return
    for key, article_id in Article.objects.filter(url_hash__in=list(by_hash)).values_list(
        "url_hash", "id"
    ):
        for run in by_hash[key]:
            run.end(IngestJob.Status.DUPLICATE, article_id=article_id)


def _fetch(url: str):
    """In a fetching thread: (result, error, seconds). The safe client, as everywhere."""
    from apps.core import http

    started = time.perf_counter()
    try:
        result = http.fetch(url, accept=http.HTML_TYPES | http.TEXT_TYPES)
    except Exception as exc:  # noqa: BLE001 - handed to the extracting thread
        return None, exc, time.perf_counter() - started
    return result, None, time.perf_counter() - started


def _extract_all(runs: list[Run], storer: Storer) -> None:
    """Fetch pages in a few threads, FETCH_AHEAD ahead of this thread, which decodes and
    extracts them in order (so the network overlaps the CPU work) and hands each to the
    storer; pushed content is extracted from the job. A job's failure is recorded on it,
    and the chunk goes on."""
    pending = [r for r in runs if not r.status and not r.resumed]
    to_fetch = [
        r for r in pending if r.job.channel in (IngestJob.Channel.URL, IngestJob.Channel.FEED)
    ]
    pool = ThreadPoolExecutor(max_workers=FETCH_AHEAD) if to_fetch else None
    futures: dict[int, Future] = {}
    upcoming = iter(to_fetch)

    def fetch_next() -> None:
        run = next(upcoming, None)
        if run is not None:
            futures[run.job.pk] = pool.submit(_fetch, run.job.url)

    try:
        for _ in range(FETCH_AHEAD):
            fetch_next()
        for run in pending:
            run.timings["running"] = 1
            try:
                if run.job.pk in futures:
                    result, error, seconds = futures.pop(run.job.pk).result()
                    fetch_next()
                    run.timings["fetch"] = seconds
                    run.extracted, run.url = _extract_fetched(run.job, result, error, run.timings)
                    run.aliases = (run.job.url,)
                else:
                    run.extracted = _extract_from_payload(run.job, run.timings)
                    run.url = (run.job.payload.get("metadata") or {}).get("url", "")
                storer.add(run)
            except TransientIngestError as exc:
                run.transient_failure(exc)
            except DomainError as exc:
                run.fail(exc.message)
            except SoftTimeLimitExceeded:
                raise
            except Exception as exc:  # noqa: BLE001 - recorded; the other jobs go on
                logger.exception("Ingest job %s failed unexpectedly", run.job.pk)
                run.fail(f"Internal error ({type(exc).__name__}); see the worker log.")
            del run.timings["running"]
    finally:
        if pool is not None:
            # Fetches still running end by their own deadline; nobody waits for them.
            pool.shutdown(wait=False, cancel_futures=True)


def _extract_fetched(job: IngestJob, result, error, timings: dict) -> tuple[Extracted, str]:
    from apps.core import http

    if isinstance(error, http.BadContentType):
        raise ExtractionError(error.reason) from error
    if isinstance(error, http.FetchError):
        if error.transient:
            raise TransientIngestError(
                error.reason, retry_after=getattr(error, "retry_after", None)
            ) from error
        raise ExtractionError(error.reason) from error
    if error is not None:
        raise error
    if not result.body.strip():
        raise ExtractionError("The page answered with an empty body; there is nothing to import.")
    started = time.perf_counter()
    body = decode_body(result.body, result.charset)
    metadata = job.payload.get("metadata") or {}
    if result.content_type == "text/plain":
        extracted = extract_plain(body, metadata=metadata)
    else:
        extracted = extract_html(body, url=result.final_url, metadata=metadata)
    timings["extract"] = time.perf_counter() - started
    return extracted, result.final_url or job.url


def _extract_from_payload(job: IngestJob, timings: dict) -> Extracted:
    started = time.perf_counter()
    payload = job.payload
    content = normalize_text(payload.get("content") or "")
    metadata = payload.get("metadata") or {}
    if payload.get("format") == "html":
        extracted = extract_html(content, url=metadata.get("url", ""), metadata=metadata)
    else:
        extracted = extract_plain(content, metadata=metadata)
    timings["extract"] = time.perf_counter() - started
    return extracted


_FINISH_SQL = """
UPDATE ingestion_ingestjob AS j
   SET status = v.status, article_id = COALESCE(v.article_id, j.article_id),
       failure_reason = v.reason, lease_until = NULL,
       timings = v.timings, updated_at = %(now)s,
       finished_at = CASE WHEN v.status = 'queued' THEN NULL ELSE %(now)s END
  FROM (VALUES {values}) AS v(id, status, article_id, reason, timings)
 WHERE j.id = v.id AND j.task_id = %(task_id)s AND j.status IN ('fetching', 'extracting')
"""


def _finish_all(runs: list[Run], task_id: str) -> None:
    """Record every job's outcome in one statement, only on jobs this run still holds."""
    now = timezone.now()
    params: dict = {"now": now, "task_id": task_id}
    rows = []
    for n, run in enumerate(runs):
        if not run.status:  # cannot happen; never leave a claimed job running
            run.fail("Internal error (the job was left unfinished); see the worker log.")
        run.timings.pop("running", None)
        timings = {k: round(v, 4) for k, v in run.timings.items()}
        if len(runs) > 1:
            timings["chunk"] = len(runs)
        params.update(
            {f"i{n}": run.job.pk, f"s{n}": run.status, f"a{n}": run.article_id}
            | {f"r{n}": run.reason[:2000], f"t{n}": json.dumps(timings)}
        )
        rows.append(f"(%(i{n})s::bigint, %(s{n})s, %(a{n})s::bigint, %(r{n})s, %(t{n})s::jsonb)")
        job = run.job
        job.status, job.article_id = run.status, run.article_id
        job.failure_reason = run.reason[:2000]
        job.timings, job.updated_at = timings, now
        job.finished_at = None if run.status == IngestJob.Status.QUEUED else now
    with connection.cursor() as cursor:
        cursor.execute(_FINISH_SQL.format(values=", ".join(rows)), params)
    for run in runs:
        if run.status == IngestJob.Status.FAILED:
            log_failed(run.job.pk, run.reason, attempts=run.job.attempts)
