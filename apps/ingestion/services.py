"""One ingestion service for every channel: URL, batch of URLs, feed entry, file import,
API push.

Every channel creates an IngestJob and enqueues work after the transaction commits (a
broker that is down then loses nothing: the sweeper re-enqueues jobs that stay queued):
an `ingest` task for a single job, an `ingest_chunk` task per chunk of jobs (a feed
poll's entries, a batch, the sweeper's finds). Both call the same engine, `_jobs_run`,
which keeps every guarantee per job:

* jobs are claimed with one conditional UPDATE (queued -> fetching), so two deliveries
  cannot both run a job; a redelivery of the same message (its worker died mid-run) may
  take its job over, another message may not; final jobs are skipped; a redelivered
  chunk runs its jobs one per task, and a job lost with its worker twice fails;
* pages are fetched a few ahead in threads (through the safe client) while this thread
  extracts; the new articles are stored in small groups, each one transaction with their
  signatures and their jobs' links, in a store thread, so the database's work overlaps
  the extraction; an article already stored by URL or content makes a duplicate, and a
  unique constraint settles two workers racing on one URL;
* near-duplicates are linked after the signatures commit, without a lock (dedupe.py);
* each job's outcome (status, failure reason, timings) is recorded on its own row, in
  one statement for the chunk; a job failing does not fail its siblings, and a
  transient failure retries that job alone, with backoff and jitter.

Feeds are polled by a periodic task that leases due feeds with SELECT ... FOR UPDATE
SKIP LOCKED (two beat or worker processes racing never poll one feed twice), uses
conditional GET, and makes one job per entry link not already stored or queued.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.accounts.roles import is_analyst, is_editor
from apps.articles.models import Article, Outlet
from apps.core.backoff import backoff_seconds
from apps.core.enqueue import send_after_commit, send_now
from apps.core.errors import DomainError, NotAllowed
from apps.core.text import content_hash, normalize_text
from apps.core.urls import canonicalize_url, url_hash

from .extraction import Extracted, ExtractionError, decode_body, extract_html, extract_plain
from .feeds import FeedError, parse_feed
from .models import Feed, IngestBatch, IngestJob, Reextraction

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
FORMATS = ("text", "html")
NON_FINAL = (IngestJob.Status.QUEUED, IngestJob.Status.FETCHING, IngestJob.Status.EXTRACTING)
RUNNING = (IngestJob.Status.FETCHING, IngestJob.Status.EXTRACTING)
# A retry never waits longer than this, so the sweeper never mistakes a waiting job for
# a lost one.
MAX_RETRY_COUNTDOWN = 240.0

# A job or a feed poll whose worker was killed this many times while it ran (the kernel's
# out-of-memory killer, most likely) fails with the reason instead of running again: the
# broker would otherwise redeliver it for ever (acks_late + reject_on_worker_lost).
MAX_LOST_RUNS = 2
LOST_JOB_REASON = (
    "Processing stopped {n} times without finishing: the worker running it was killed, most "
    "likely because this page made it run out of memory. It was not tried again; retry it "
    "if the cause was something else (a restart of the workers)."
)
LOST_POLL_REASON = (
    "The last {n} polls of this feed stopped without finishing: the worker running them was "
    "killed, most likely because the feed made it run out of memory (or reached the time "
    "limit). This poll was not tried again."
)

# Feeds
FEED_PAUSE_AFTER = 5  # failed polls in a row
FEED_PICK_LIMIT = 100  # feeds leased per run of the periodic task
FEED_MAX_BACKOFF = 24 * 3600

# Batches
BATCH_MAX_URLS = 1000
BATCH_MAX_BYTES = 1_000_000


def feed_lease() -> timedelta:
    """A picked feed is not picked again for this long (FEED_LEASE_SECONDS, default 10
    minutes): its poll finishes first, or was lost. Longer than the poll's time limit."""
    return timedelta(seconds=float(getattr(settings, "FEED_LEASE_SECONDS", 600)))


def feed_max_bytes() -> int:
    """Feeds get a smaller cap than pages (FETCH_FEED_MAX_BYTES, default 4 MB): a feed is
    parsed whole in Python, at about ten times its size in memory, and news feeds are far
    smaller."""
    return min(
        int(getattr(settings, "FETCH_FEED_MAX_BYTES", 4_000_000)),
        int(getattr(settings, "FETCH_MAX_BYTES", 10_000_000)),
    )


def stuck_after() -> timedelta:
    """How long a job may stay queued before the sweeper sends it again (its message was
    lost, or never sent: the broker was down). Must exceed the longest retry countdown (a
    job waiting to be retried is queued) and, for a running job that has no lease (one
    claimed before leases existed), the chunk task's hard time limit (apps/core/checks.py)."""
    return timedelta(seconds=int(getattr(settings, "INGEST_STUCK_AFTER_SECONDS", 400)))


def lease_duration() -> timedelta:
    """How long a running job stays held without its run renewing the lease. The sweeper
    takes a running job back only after this: a worker killed (its main process, the
    kernel's out-of-memory killer) is noticed within it, a live run never is."""
    return timedelta(seconds=float(getattr(settings, "INGEST_LEASE_SECONDS", 45)))


def lease_renew_every() -> float:
    """Seconds between two renewals of a running job's lease (a third of the lease or less,
    so two renewals can be missed, a slow database, before the lease runs out)."""
    return float(getattr(settings, "INGEST_LEASE_RENEW_SECONDS", 15))


class TransientIngestError(Exception):
    """A failure that may pass (timeout, 5xx, connection); the task retries with backoff."""

    def __init__(self, reason: str, *, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def retry_countdown(exc: TransientIngestError, retries: int) -> float:
    """Backoff with jitter (apps.core.backoff), at least what the server asked for."""
    wait = backoff_seconds(retries)
    if exc.retry_after:
        wait = max(wait, exc.retry_after)
    return min(wait, MAX_RETRY_COUNTDOWN)


def _backoff_sleep(seconds: float) -> None:
    time.sleep(seconds)


def retry_wait_in_process(exc: TransientIngestError, retries: int) -> float:
    """Tasks run in-process (no broker: the quick start, the tests) cannot send a delayed
    retry, so the retry waits here instead, with the same backoff and jitter as a worker's
    countdown, each wait at most INGEST_EAGER_MAX_BACKOFF seconds (default 10: the caller
    is a request). Returns the seconds waited."""
    cap = float(getattr(settings, "INGEST_EAGER_MAX_BACKOFF", 10))
    wait = max(0.0, min(retry_countdown(exc, retries), cap))
    if wait:
        _backoff_sleep(wait)
    return wait


def _enqueue(job_ids: list[int]) -> None:
    """After commit: one `ingest` task for a single job, one `ingest_chunk` task per chunk
    of jobs (see chunks())."""
    from .tasks import ingest, ingest_chunk

    def send() -> None:
        if len(job_ids) == 1:
            ingest.delay(job_ids[0])
            return
        for chunk in chunks(job_ids):
            ingest_chunk.delay(chunk)

    # A broker that is down must not break or hold the request; the sweeper re-enqueues.
    if job_ids:
        send_after_commit(send, what=f"ingest job(s) {job_ids[:5]}")


def validate_url(url: str) -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise DomainError(
            f"{url[:200]!r} is not a web address; use a full http:// or https:// URL."
        ) from None
    if len(url) > 2000:
        raise DomainError("The address is longer than 2,000 characters.")
    check_address(url)
    return url


def check_address(url: str) -> None:
    """The fetcher's checks that need no lookup (apps.core.http.check_address), as a
    DomainError: an address it would refuse is refused when it is submitted."""
    from apps.core import http

    try:
        http.check_address(url)
    except http.BlockedURL as exc:
        raise DomainError(f"{url[:200]}: {exc.reason}") from None


def _hash_of(url: str) -> str:
    return url_hash(canonicalize_url(url)) if url else ""


def outlet_for(*, domain: str = "", name: str = "") -> Outlet | None:
    domain = (domain or "").lower().removeprefix("www.").rstrip(".")
    if not domain and not name:
        return None
    if not domain:
        found = Outlet.objects.filter(name__iexact=name).first()
        return (
            found
            or Outlet.objects.get_or_create(
                domain=name.lower().replace(" ", "-")[:253], defaults={"name": name[:200]}
            )[0]
        )
    outlet, _ = Outlet.objects.get_or_create(
        domain=domain[:253], defaults={"name": name[:200] or domain}
    )
    return outlet


# --------------------------------------------------------------------------- submitting


@transaction.atomic
def job_submit_url(
    *,
    url: str,
    by: User | None = None,
    channel: str = IngestJob.Channel.URL,
    feed: Feed | None = None,
    batch: IngestBatch | None = None,
    metadata: dict | None = None,
) -> IngestJob:
    url = validate_url(url)
    job = IngestJob.objects.create(
        channel=channel,
        url=url,
        url_hash=_hash_of(url),
        feed=feed,
        batch=batch,
        created_by=by,
        payload={"metadata": metadata or {}},
        outlet=feed.outlet if feed else None,
    )
    _enqueue([job.pk])
    return job


@transaction.atomic
def job_submit_content(
    *,
    name: str,
    content: str,
    fmt: str = "text",
    metadata: dict | None = None,
    by: User | None = None,
    channel: str = IngestJob.Channel.FILE,
    batch: IngestBatch | None = None,
) -> IngestJob:
    """Text or HTML handed to us directly (file import, API push)."""
    if fmt not in FORMATS:
        raise DomainError(f"Format must be one of {', '.join(FORMATS)}, not {fmt!r}.")
    if not isinstance(content, str) or not content.strip():
        raise DomainError(f"{name}: there is no text to import (the content is empty).")
    metadata = dict(metadata or {})
    url = (metadata.get("url") or "").strip()
    if url:
        metadata["url"] = validate_url(url)
    job = IngestJob.objects.create(
        channel=channel,
        url=metadata.get("url", ""),
        url_hash=_hash_of(metadata.get("url", "")),
        batch=batch,
        created_by=by,
        payload={"name": name[:255], "format": fmt, "content": content, "metadata": metadata},
    )
    _enqueue([job.pk])
    return job


_URL_TOKEN = re.compile(r"[\s,;]+")


@dataclass
class BatchResult:
    batch: IngestBatch | None
    jobs: list[IngestJob]
    problems: list[str]  # one line per input line that was not used, saying why
    repeats: int  # URLs listed more than once (queued once)


def batch_submit_urls(*, text: str, by: User, label: str = "") -> BatchResult:
    """A pasted list or an uploaded file of URLs: one or more per line, separated by spaces,
    commas or semicolons; blank lines and lines starting with # are skipped. Each valid URL
    becomes one job in one batch; bad lines are reported by number and skipped."""
    if not is_analyst(by):
        raise NotAllowed("Only analysts, editors and admins can add articles.")
    if len(text.encode("utf-8", "ignore")) > BATCH_MAX_BYTES:
        raise DomainError(
            f"The list is larger than {BATCH_MAX_BYTES // 1_000_000} MB; split it into parts."
        )
    urls: list[str] = []
    problems: list[str] = []
    seen: set[str] = set()
    repeats = 0
    for lineno, line in enumerate(normalize_text(text).split("\n"), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        tokens = [t for t in _URL_TOKEN.split(line) if t]
        found = False
        for token in tokens:
            token = token.strip("<>\"'()[]")
            if not token.lower().startswith(("http://", "https://")):
                continue
            try:
                url = validate_url(token)
            except DomainError as exc:
                problems.append(f"Line {lineno}: {exc.message}")
                found = True
                continue
            found = True
            key = _hash_of(url)
            if key in seen:
                repeats += 1
                continue
            seen.add(key)
            urls.append(url)
        if not found:
            shown = line if len(line) <= 80 else line[:77] + "..."
            problems.append(f"Line {lineno}: no web address in {shown!r}.")
    if not urls:
        raise DomainError(
            "There is no web address to add"
            + (f" ({len(problems)} line(s) could not be used)." if problems else ".")
        )
    if len(urls) > BATCH_MAX_URLS:
        raise DomainError(
            f"The list has {len(urls)} addresses; at most {BATCH_MAX_URLS} can be added at once."
        )
    with transaction.atomic():
        batch = IngestBatch.objects.create(
            label=(label.strip() or f"{len(urls)} URL(s) added by {by.get_username()}")[:300],
            created_by=by,
        )
        jobs = IngestJob.objects.bulk_create(
            [
                IngestJob(
                    channel=IngestJob.Channel.URL,
                    url=url,
                    url_hash=_hash_of(url),
                    batch=batch,
                    created_by=by,
                    payload={"metadata": {}},
                )
                for url in urls
            ]
        )
        _enqueue([job.pk for job in jobs])
    return BatchResult(batch=batch, jobs=jobs, problems=problems, repeats=repeats)


@transaction.atomic
def job_retry(*, job: IngestJob, by: User | None = None) -> IngestJob:
    if by is not None and not is_analyst(by):
        raise NotAllowed("Only analysts, editors and admins can retry jobs.")
    changed = IngestJob.objects.filter(pk=job.pk, status=IngestJob.Status.FAILED).update(
        status=IngestJob.Status.QUEUED,
        failure_reason="",
        finished_at=None,
        attempts=0,
        task_id="",
        updated_at=timezone.now(),
    )
    if not changed:
        raise DomainError("Only failed jobs can be retried.")
    job.refresh_from_db()
    _enqueue([job.pk])
    return job


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
# 13 % faster than 16 for one worker (docs/benchmarks.md) and no faster at 64; the chunk
# task's time limit (apps/ingestion/tasks.py) covers 32 slow pages at FETCH_AHEAD at once.
DEFAULT_CHUNK_SIZE = 32
# Pages fetched ahead, in threads, while this thread extracts the current one.
FETCH_AHEAD = 4


def chunk_size() -> int:
    return max(1, int(getattr(settings, "INGEST_CHUNK_SIZE", DEFAULT_CHUNK_SIZE)))


def chunks(job_ids: list[int], size: int | None = None) -> list[list[int]]:
    """Split ids into chunks of at most `size`, as even as possible (100 ids at 16 a chunk
    make 7 chunks of 14 or 15, not six of 16 and one of 4): workers finish together."""
    size = size or chunk_size()
    count = -(-len(job_ids) // size)
    return [job_ids[i::count] for i in range(count)] if count else []


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
    from .tasks import ingest

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
                ingest.delay(pk)

        send_after_commit(send, what=f"ingest jobs {handed[:5]}")
    return set(handed)


@dataclass
class _Run:
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


def _jobs_run(job_ids: list[int], task_id: str, *, keep_connection: bool = False) -> list[_Run]:
    """Commits: the claim; the new articles with their signatures and their jobs' links to
    them, together; the near-duplicate links; the jobs' outcomes, together. A run that
    dies after storing an article is finished by the next delivery (the job names its
    article), without fetching again; a job whose runs were lost MAX_LOST_RUNS times fails."""
    if len(job_ids) > 1:
        handed = _hand_over_lost(job_ids, task_id)
        job_ids = [pk for pk in job_ids if pk not in handed]
    claimed = _claim_jobs(job_ids, task_id)
    runs = [_Run(claimed[pk]) for pk in dict.fromkeys(job_ids) if pk in claimed]
    if not runs:
        return []
    storer = _Storer(threaded=len(runs) > 1 and not connection.in_atomic_block)
    lease = _LeaseKeeper([run.job.pk for run in runs], task_id)
    try:
        _skip_stored(runs)
        for run in runs:
            if not run.status and not run.resumed and run.job.lost_runs >= MAX_LOST_RUNS:
                run.fail(LOST_JOB_REASON.format(n=run.job.lost_runs))
        _extract_all(runs, storer)
        storer.close(keep_connection=keep_connection)
        _link_near_duplicates(runs)
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
    _after_store([run.article_id for run in runs if run.created])
    return runs


def _skip_stored(runs: list[_Run]) -> None:
    """Jobs whose article an earlier run stored (resume them), and URL jobs whose address
    is stored already (duplicates, without fetching): one query for the chunk."""
    by_hash: dict[str, list[_Run]] = {}
    for run in runs:
        job = run.job
        if job.article_id:
            run.resumed, run.article_id = True, job.article_id
        elif job.channel in (IngestJob.Channel.URL, IngestJob.Channel.FEED):
            by_hash.setdefault(job.url_hash or _hash_of(job.url), []).append(run)
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


def _extract_all(runs: list[_Run], storer: _Storer) -> None:
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


@dataclass
class _NewArticle:
    run: _Run
    text: str
    digest: str
    hashes: set[str]
    canonical: str


# Stored in groups of this many articles, each group one transaction.
STORE_GROUP = 4
# After a soft time limit, how long to wait for groups already handed to the store thread.
STORE_WAIT_ON_TIMEOUT = 10.0
_store_pool: tuple[int, ThreadPoolExecutor] | None = None


def _store_executor() -> ThreadPoolExecutor:
    """One store thread per process (made again after a fork), so its database connection
    is reused from chunk to chunk."""
    global _store_pool
    if _store_pool is None or _store_pool[0] != os.getpid():
        _store_pool = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="ingest-store"))
    return _store_pool[1]


class _Storer:
    """Stores extracted articles in groups of STORE_GROUP while the chunk goes on: in the
    store thread, with its own connection, so the database's work (inserting and
    indexing the text and the signature) overlaps the extraction of the next pages.
    Inline instead when there is nothing to overlap (one job) or when the caller holds a
    transaction (the thread could not see its rows)."""

    def __init__(self, *, threaded: bool):
        self.threaded = threaded
        self.pending: list[_Run] = []
        self.futures: list[Future] = []
        self.outlets: dict[tuple[str, str], Outlet | None] = {}  # found or made, by key

    def add(self, run: _Run) -> None:
        _prepare(run)
        self.pending.append(run)
        if len(self.pending) >= STORE_GROUP:
            self.flush()

    def flush(self) -> None:
        group, self.pending = self.pending, []
        if not group:
            return
        if self.threaded:
            self.futures.append(_store_executor().submit(_store_in_thread, group, self.outlets))
        else:
            _store_group(group, self.outlets)

    def close(self, *, timeout: float | None = None, keep_connection: bool = True) -> None:
        """Store what is left and wait until every group is stored (at most `timeout`
        seconds each, after a time limit)."""
        self.flush()
        for future in self.futures:
            try:
                future.result(timeout=timeout)
            except FutureTimeout:
                logger.warning("A store group was still running at the time limit")
            except Exception:  # noqa: BLE001 - its jobs are recorded as unfinished
                logger.exception("A store group failed")
        if self.futures and not keep_connection:
            _store_executor().submit(_close_connection).result()


def _close_connection() -> None:
    connection.close()  # this thread's own connection (django.db.connection is per thread)


def _prepare(run: _Run) -> None:
    """The CPU part of storing, in the extracting thread: the normalised text, its hash,
    the URL keys and the near-duplicate signature."""
    from . import dedupe

    started = time.perf_counter()
    extracted = run.extracted
    text = normalize_text(extracted.text)
    primary = extracted.canonical_url or run.url
    urls = (run.url, extracted.canonical_url, *run.aliases)
    run.item = _NewArticle(
        run=run,
        text=text,
        digest=content_hash(text),
        hashes={_hash_of(u) for u in urls if u},
        canonical=canonicalize_url(primary) if primary else "",
    )
    run.computed = dedupe.compute(text)
    run.timings["dedupe"] = time.perf_counter() - started


def _store_in_thread(group: list[_Run], outlets: dict) -> None:
    close_old_connections()  # a connection the database dropped is replaced
    try:
        _store_group(group, outlets, async_commit=getattr(settings, "INGEST_ASYNC_COMMIT", True))
    except Exception:
        connection.close()
        raise


def _store_group(group: list[_Run], outlets: dict, *, async_commit: bool = False) -> None:
    """Store a group of new articles in one transaction, with their near-duplicate
    signatures and their jobs' links to them. An article already stored (by canonical
    URL, the declared one, an alias such as the URL before redirects, or identical
    content), by anyone or earlier in this chunk, makes its job a duplicate. A failure
    fails the group's jobs, not the chunk."""
    items = [run.item for run in group]
    started = time.perf_counter()
    try:
        with transaction.atomic():
            if async_commit:  # see _relaxed_commits
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            # Outcomes are applied once the transaction has committed.
            duplicates, created = _insert_new(items, outlets)
    except SoftTimeLimitExceeded:
        outlets.clear()
        raise
    except Exception as exc:
        outlets.clear()  # an outlet made in the rolled-back transaction is gone
        logger.exception("Storing articles failed for jobs %s", [r.job.pk for r in group])
        for run in group:
            run.fail(f"Internal error ({type(exc).__name__}); see the worker log.")
        return
    for item, article_id in duplicates:
        item.run.end(IngestJob.Status.DUPLICATE, article_id=article_id)
    for item, article_id in created:
        item.run.created, item.run.article_id = True, article_id
    share = (time.perf_counter() - started) / len(items)
    for item in items:
        item.run.timings["store"] = share


def _insert_new(items: list[_NewArticle], outlets: dict):
    """In the store transaction: ([(item, existing article id)], [(item, new id)])."""
    from . import dedupe

    # One query for both kinds of exact duplicate; a URL match wins over a content match,
    # then the oldest article. An article new in this chunk counts too (as its item).
    by_url: dict[str, int | _NewArticle] = {}
    by_content: dict[str, int | _NewArticle] = {}
    for pk, key, digest in (
        Article.objects.filter(
            Q(url_hash__in={h for i in items for h in i.hashes})
            | Q(content_hash__in={i.digest for i in items})
        )
        .order_by("-id")
        .values_list("id", "url_hash", "content_hash")
    ):
        if key:
            by_url[key] = pk
        by_content[digest] = pk
    new: list[tuple[_NewArticle, Article]] = []
    same: list[tuple[_NewArticle, int | _NewArticle]] = []
    for item in items:
        found = [by_url[h] for h in item.hashes if h in by_url]
        stored = [pk for pk in found if isinstance(pk, int)]
        existing = min(stored) if stored else (found[0] if found else by_content.get(item.digest))
        if existing is not None:
            same.append((item, existing))
            continue
        article = _new_article(item, outlets)
        if article.url_hash:
            by_url[article.url_hash] = item
        by_content.setdefault(item.digest, item)
        new.append((item, article))
    ids = _insert_articles(new)
    created = [(item, ids[id(item)][0]) for item, _ in new if ids[id(item)][1]]
    duplicates = [(item, ids[id(item)][0]) for item, _ in new if not ids[id(item)][1]]
    for item, existing in same:
        # A copy of an article new in this chunk: the id that article ended with.
        duplicates.append((item, existing if isinstance(existing, int) else ids[id(existing)][0]))
    dedupe.signatures_store(
        [(pk, item.run.computed) for item, pk in created if item.run.computed is not None]
    )
    if created:
        _link_jobs([(item.run.job.pk, pk) for item, pk in created])
    return duplicates, created


def _new_article(item: _NewArticle, outlets: dict) -> Article:
    run, extracted = item.run, item.run.extracted
    job = run.job
    metadata = job.payload.get("metadata") or {}
    if job.outlet_id:
        outlet = Outlet(pk=job.outlet_id)  # only its key is needed
    else:
        key = (metadata.get("outlet_domain", ""), metadata.get("outlet", ""))
        if not any(key) and item.canonical:
            key = (urlsplit(item.canonical).hostname or "", "")
        if key not in outlets:
            outlets[key] = outlet_for(domain=key[0], name=key[1])
        outlet = outlets[key]
    return Article(
        url=run.url,
        canonical_url=item.canonical,
        url_hash=url_hash(item.canonical) if item.canonical else None,
        content_hash=item.digest,
        title=(extracted.title or item.text[:120])[:1000],
        authors=extracted.authors,
        outlet=outlet,
        published_at=extracted.published_at,
        language=extracted.language,
        text=item.text,
        status=Article.Status.EXTRACTED,
        origin=_origin(job),
        source_name=job.payload.get("name", "")[:255],
    )


def _insert_articles(new: list[tuple[_NewArticle, Article]]) -> dict[int, tuple[int, bool]]:
    """One INSERT for the chunk's new articles: {id(item): (article id, created)}. If a
    racing run inserted one of them first (a unique constraint fails), insert them one by
    one, and a job whose article the racer stored is a duplicate of the racer's row."""
    if not new:
        return {}
    try:
        with transaction.atomic():
            Article.objects.bulk_create([article for _, article in new])
        return {id(item): (article.pk, True) for item, article in new}
    except IntegrityError:
        pass
    ids = {}
    for item, article in new:
        article.pk = None
        article._state.adding = True
        try:
            with transaction.atomic():
                article.save(force_insert=True)
            ids[id(item)] = (article.pk, True)
        except IntegrityError:
            key = (
                {"url_hash": article.url_hash}
                if article.url_hash
                else {"content_hash": article.content_hash, "url_hash": None}
            )
            other = Article.objects.filter(**key).values_list("id", flat=True).first()
            ids[id(item)] = (other, False)
    return ids


_LINK_SQL = """
UPDATE ingestion_ingestjob AS j SET article_id = v.article_id, updated_at = %s
  FROM (VALUES {values}) AS v(id, article_id) WHERE j.id = v.id
"""


def _link_jobs(pairs: list[tuple[int, int]]) -> None:
    """Each job names its new article, in the article's own transaction."""
    # Only placeholders are interpolated; the values are parameters.
    sql = _LINK_SQL.format(values=", ".join(["(%s::bigint, %s::bigint)"] * len(pairs)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), *(x for pair in pairs for x in pair)])


def _link_near_duplicates(runs: list[_Run]) -> None:
    """Link near-duplicates once the articles and their signatures are committed (so
    racing workers see them; see dedupe.py): one candidate query for the chunk. A hint:
    a failure is logged, never fatal."""
    from . import dedupe

    fresh = [run for run in runs if run.created and run.computed is not None]
    resumed = [run for run in runs if run.resumed]
    for group, stored in ((fresh, True), (resumed, False)):
        if not group:
            continue
        started = time.perf_counter()
        try:
            if stored:
                dedupe.near_duplicates_link([(run.article_id, run.computed) for run in group])
            else:
                for run in group:
                    article = Article.objects.get(pk=run.article_id)
                    dedupe.near_duplicate_link(article)
        except Exception:  # noqa: BLE001 - logged; the articles stay stored without links
            logger.exception(
                "Near-duplicate check failed for articles %s", [r.article_id for r in group]
            )
        share = (time.perf_counter() - started) / len(group)
        for run in group:
            run.timings["dedupe"] = run.timings.get("dedupe", 0.0) + share
            if run.resumed:
                run.end(IngestJob.Status.DONE, article_id=run.article_id)
    for run in fresh:
        run.end(IngestJob.Status.DONE, article_id=run.article_id)
    for run in runs:
        if run.created and not run.status:  # stored, too short for a signature
            run.end(IngestJob.Status.DONE, article_id=run.article_id)


_FINISH_SQL = """
UPDATE ingestion_ingestjob AS j
   SET status = v.status, article_id = COALESCE(v.article_id, j.article_id),
       failure_reason = v.reason, lease_until = NULL,
       timings = v.timings, updated_at = %(now)s,
       finished_at = CASE WHEN v.status = 'queued' THEN NULL ELSE %(now)s END
  FROM (VALUES {values}) AS v(id, status, article_id, reason, timings)
 WHERE j.id = v.id AND j.task_id = %(task_id)s AND j.status IN ('fetching', 'extracting')
"""


def _finish_all(runs: list[_Run], task_id: str) -> None:
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
            _log_failed(run.job.pk, run.reason, attempts=run.job.attempts)


def _log_failed(job_id: int, reason: str, *, attempts: int | None = None) -> None:
    """Every job that fails is logged once, with its id and the reason its page shows."""
    tried = f" after {attempts} attempt(s)" if attempts else ""
    logger.warning("Ingest job %s failed%s: %s", job_id, tried, reason)


def _origin(job: IngestJob) -> str:
    return {
        IngestJob.Channel.URL: Article.Origin.URL,
        IngestJob.Channel.FEED: Article.Origin.FEED,
        IngestJob.Channel.FILE: Article.Origin.FILE,
        IngestJob.Channel.PUSH: Article.Origin.PUSH,
    }[job.channel]


def _after_store(article_ids: list[int]) -> None:
    """Ask claims for suggestions in a task of its own (one for a chunk's articles), after
    commit: a slow or failing suggester never holds or fails the ingest. The
    near-duplicate link is set before, so claims can skip a near-duplicate (its claims
    are the original's)."""
    from .tasks import article_suggest, articles_suggest

    if len(article_ids) == 1:
        send_after_commit(lambda: article_suggest.delay(article_ids[0]), what="suggestions")
    elif article_ids:
        send_after_commit(lambda: articles_suggest.delay(article_ids), what="suggestions")


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
            _enqueue(again)
    if stuck or killed:
        logger.warning(
            "Sweeper: %d stuck job(s) re-enqueued, %d failed",
            len(again),
            len(exhausted) + len(killed),
        )
        for pk in killed:
            _log_failed(pk, LOST_JOB_REASON.format(n=lost[pk]))
        for pk in exhausted:
            _log_failed(pk, f"Gave up after {MAX_ATTEMPTS} attempts: the last one never finished.")
    return len(stuck) + len(killed)


SUGGEST_SWEEP_AFTER = timedelta(minutes=10)
SUGGEST_SWEEP_WITHIN = timedelta(days=1)


def articles_suggest_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Ask again for the suggestions of articles stored in the last day that have none after
    SUGGEST_SWEEP_AFTER (their task was never sent: the broker was down at commit). Every
    suggester run, even a skip, leaves a SuggestionRun."""
    from .tasks import articles_suggest

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
        if not send_now(lambda chunk=chunk: articles_suggest.delay(chunk), what="suggestions"):
            break
    return len(ids)


# --------------------------------------------------------------------------- feeds


def _require_editor(by: User | None) -> None:
    if by is not None and not is_editor(by):
        raise NotAllowed("Only editors and admins can manage feeds.")


@transaction.atomic
def feed_create(
    *,
    url: str,
    by: User | None,
    title: str = "",
    outlet: Outlet | None = None,
    poll_interval_minutes: int = 15,
) -> Feed:
    _require_editor(by)
    url = validate_url(url)
    if not 1 <= poll_interval_minutes <= 24 * 60:
        raise DomainError("The poll interval must be between 1 minute and 24 hours.")
    if Feed.objects.filter(url=url).exists():
        raise DomainError("This feed is already followed.")
    if outlet is None:
        outlet = outlet_for(domain=urlsplit(url).hostname or "")
    feed = Feed.objects.create(
        url=url,
        title=title.strip()[:500],
        outlet=outlet,
        poll_interval_minutes=poll_interval_minutes,
        next_poll_at=None,
    )
    feeds_lease(feed_ids=[feed.pk])
    return feed


@transaction.atomic
def feed_pause(*, feed: Feed, by: User | None, reason: str = "") -> Feed:
    _require_editor(by)
    who = by.get_username() if by else "the system"
    note = f"Paused by {who} on {timezone.now():%d %b %Y %H:%M} UTC."
    if reason.strip():
        note += f" {reason.strip()}"
    Feed.objects.filter(pk=feed.pk).update(
        is_active=False, paused_reason=note[:2000], updated_at=timezone.now()
    )
    feed.refresh_from_db()
    return feed


@transaction.atomic
def feed_resume(*, feed: Feed, by: User | None) -> Feed:
    _require_editor(by)
    Feed.objects.filter(pk=feed.pk).update(
        is_active=True,
        paused_reason="",
        consecutive_failures=0,
        poll_starts=0,
        next_poll_at=None,
        updated_at=timezone.now(),
    )
    feeds_lease(feed_ids=[feed.pk])
    feed.refresh_from_db()
    return feed


@transaction.atomic
def feed_poll_now(*, feed: Feed, by: User | None) -> bool:
    """Poll an active feed now (unless a poll already holds it). True if one was queued."""
    _require_editor(by)
    if not feed.is_active:
        raise DomainError("The feed is paused; resume it first.")
    return bool(feeds_lease(feed_ids=[feed.pk], due_only=False))


def feeds_lease(
    *, now: datetime | None = None, feed_ids: list[int] | None = None, due_only: bool = True
) -> list[int]:
    """Lease the feeds that are due and enqueue a poll for each, after commit.

    SELECT ... FOR UPDATE SKIP LOCKED lets two pickers (two beat processes, or beat and a
    person pressing "poll now") run at once: each feed row goes to one of them. Moving
    next_poll_at forward by feed_lease() is the lease: a picked feed is not due again until
    its poll finishes (which sets the real next time) or the lease runs out (the poll
    was lost), so no feed is polled twice and none is forgotten."""
    now = now or timezone.now()
    with transaction.atomic():
        feeds = Feed.objects.select_for_update(skip_locked=True).filter(is_active=True)
        if feed_ids is not None:
            feeds = feeds.filter(pk__in=feed_ids)
        if due_only:
            feeds = feeds.filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        picked = list(
            feeds.order_by(F("next_poll_at").asc(nulls_first=True), "id").values_list(
                "id", flat=True
            )[:FEED_PICK_LIMIT]
        )
        if not picked:
            return []
        lease = now + feed_lease()
        Feed.objects.filter(pk__in=picked).update(next_poll_at=lease)

        def send() -> None:
            from .tasks import feed_poll

            for feed_id in picked:
                feed_poll.delay(feed_id, lease.isoformat())

        # Not sent (broker down): the lease runs out and the feed is picked again.
        send_after_commit(send, what=f"feed polls {picked[:5]}")
    return picked


def _conditional_headers(feed: Feed) -> dict[str, str]:
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    return headers


def feed_poll_run(feed_id: int, lease: str) -> Feed | None:
    """Poll one leased feed: conditional GET, parse, one job per new entry link. Returns
    None when the lease is no longer ours (the poll ran already, or the feed was paused)."""
    from apps.core import http

    lease_at = parse_datetime(lease) if lease else None
    if lease_at is None:
        return None
    # Counted (and committed) before the work: see Feed.poll_starts.
    started = Feed.objects.filter(pk=feed_id, is_active=True, next_poll_at=lease_at).update(
        last_polled_at=timezone.now(), poll_starts=F("poll_starts") + 1
    )
    feed = Feed.objects.filter(pk=feed_id).first() if started else None
    if feed is None:
        return None
    if feed.poll_starts > MAX_LOST_RUNS:
        lost = feed.poll_starts - 1
        logger.warning("Feed %s: %d polls were lost with their worker; failed", feed.pk, lost)
        return _feed_failed(feed, lease_at, LOST_POLL_REASON.format(n=lost))
    try:
        result = http.fetch(
            feed.url,
            accept=http.FEED_TYPES | http.HTML_TYPES | http.TEXT_TYPES,
            headers=_conditional_headers(feed),
            max_bytes=feed_max_bytes(),
        )
        if result.not_modified:
            return _feed_succeeded(
                feed, lease_at, note="Not modified since the last poll (304).", headers={}
            )
        parsed = parse_feed(result.body, url=result.final_url, content_type=result.content_type)
        with transaction.atomic():
            new_jobs = _feed_entries_enqueue(feed, parsed.entries)
            note = (
                f"{len(parsed.entries)} entr{'y' if len(parsed.entries) == 1 else 'ies'}, "
                f"{len(new_jobs)} new."
            )
            if parsed.dropped:
                from .feeds import MAX_ENTRIES

                more = f"{parsed.dropped} more entr{'y was' if parsed.dropped == 1 else 'ies were'}"
                note = f"{note} {more} left out: a poll reads at most {MAX_ENTRIES}."
            if parsed.warning:
                note = f"{note} {parsed.warning}"
            return _feed_succeeded(
                feed, lease_at, note=note, headers=result.headers, title=parsed.title
            )
    except (http.FetchError, FeedError) as exc:
        return _feed_failed(feed, lease_at, getattr(exc, "reason", None) or str(exc))
    except SoftTimeLimitExceeded:
        return _feed_failed(feed, lease_at, "The poll took too long and was stopped.")


def _feed_entries_enqueue(feed: Feed, entries) -> list[IngestJob]:
    """One job per entry link that is neither stored as an article, nor queued or running
    in any job, nor already taken from this feed (whatever became of that job)."""
    by_hash = {}
    for entry in entries:
        by_hash.setdefault(_hash_of(entry.link), entry)
    if not by_hash:
        return []
    keys = list(by_hash)
    stored = set(Article.objects.filter(url_hash__in=keys).values_list("url_hash", flat=True))
    taken = set(
        IngestJob.objects.filter(url_hash__in=keys)
        .filter(Q(status__in=NON_FINAL) | Q(feed=feed))
        .values_list("url_hash", flat=True)
    )
    new = [(key, entry) for key, entry in by_hash.items() if key not in stored | taken]
    jobs = IngestJob.objects.bulk_create(
        [
            IngestJob(
                channel=IngestJob.Channel.FEED,
                url=entry.link[:2000],
                url_hash=key,
                feed=feed,
                outlet=feed.outlet,
                payload={
                    "metadata": {
                        k: v
                        for k, v in {
                            "title": entry.title,
                            "authors": entry.authors,
                            "published_at": entry.published_at.isoformat()
                            if entry.published_at
                            else "",
                        }.items()
                        if v
                    }
                },
            )
            for key, entry in new
        ]
    )
    _enqueue([job.pk for job in jobs])
    return jobs


def _feed_succeeded(
    feed: Feed, lease_at: datetime, *, note: str, headers: dict, title: str = ""
) -> Feed:
    now = timezone.now()
    changes = {
        "last_success_at": now,
        "last_error": "",
        "consecutive_failures": 0,
        "poll_starts": 0,
        "last_poll_note": note[:500],
        "next_poll_at": now + timedelta(minutes=feed.poll_interval_minutes),
        "updated_at": now,
    }
    if "etag" in headers or "last-modified" in headers:
        changes["etag"] = headers.get("etag", "")[:500]
        changes["last_modified"] = headers.get("last-modified", "")[:100]
    if title and not feed.title:
        changes["title"] = title
    Feed.objects.filter(pk=feed.pk, next_poll_at=lease_at).update(**changes)
    feed.refresh_from_db()
    return feed


def _feed_failed(feed: Feed, lease_at: datetime, reason: str) -> Feed:
    """Count the failure, back off (the poll interval doubled per failure in a row, with
    jitter, at most a day), and pause the feed after FEED_PAUSE_AFTER in a row."""
    now = timezone.now()
    with transaction.atomic():
        current = Feed.objects.select_for_update().get(pk=feed.pk)
        failures = current.consecutive_failures + 1
        changes = {
            "consecutive_failures": failures,
            "poll_starts": 0,
            "last_error": reason[:2000],
            "last_error_at": now,
            "last_poll_note": "",
            "updated_at": now,
        }
        if failures >= FEED_PAUSE_AFTER:
            changes["is_active"] = False
            changes["paused_reason"] = (
                f"Paused automatically after {failures} failed polls in a row. Last error: {reason}"
            )[:2000]
            changes["next_poll_at"] = None
        else:
            interval = current.poll_interval_minutes * 60
            wait = interval + backoff_seconds(failures, base=interval, cap=FEED_MAX_BACKOFF)
            changes["next_poll_at"] = now + timedelta(seconds=min(wait, FEED_MAX_BACKOFF))
        if current.next_poll_at == lease_at:
            Feed.objects.filter(pk=feed.pk).update(**changes)
    feed.refresh_from_db()
    return feed


# --- Re-extraction ---------------------------------------------------------------------


def article_text_replace(*, article: Article, text: str, by: User | None = None):
    """Replace an article's stored text (re-extracted, or corrected) and re-anchor its
    appearances in the same transaction: by position, exact quote, then quote with its
    context; those that cannot be found are marked orphaned for an editor, never dropped."""
    from apps.claims.anchoring import appearances_reanchor

    if by is not None and not is_editor(by):
        raise NotAllowed("Only editors and admins can replace an article's text.")
    text = normalize_text(text)
    if not text.strip():
        raise DomainError("The new text is empty; the article keeps its current text.")
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        old_text = locked.text
        if old_text == text:
            return None
        locked.text = text
        locked.content_hash = content_hash(text)
        locked.save(update_fields=["text", "content_hash", "updated_at"])
        report = appearances_reanchor(article=locked, old_text=old_text)
    article.refresh_from_db()
    return report


# A re-extraction still waiting this long is sent again (its message was lost, or never
# sent: the broker was down); one running this long lost its worker (longer than the
# task's hard time limit: checks.py) and fails, to be asked for again.
REEXTRACT_RESEND_AFTER = timedelta(seconds=60)


def reextract_stuck_after() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "REEXTRACT_STUCK_AFTER_SECONDS", 150)))


REEXTRACT_LOST_REASON = (
    "The worker fetching the page stopped before it finished (restarted, or out of memory); "
    "the text was not changed. Ask for a re-extraction again."
)


def _reextract_url(article: Article) -> str:
    url = article.url or article.canonical_url
    if not url:
        raise DomainError(
            "This article came without a URL (a file or a push); nothing to re-fetch."
        )
    return url


def reextraction_request(*, article: Article, by: User) -> Reextraction:
    """Record an editor's request to re-extract an article and send it to a worker after
    commit. A request already waiting or running for the article is returned instead of a
    second one."""
    from .tasks import article_reextract_task

    if not is_editor(by):
        raise NotAllowed("Only editors and admins can re-extract an article.")
    _reextract_url(article)
    open_ = Reextraction.objects.filter(
        article=article, status__in=[Reextraction.Status.PENDING, Reextraction.Status.RUNNING]
    ).first()
    if open_ is not None:
        return open_
    try:
        with transaction.atomic():
            request = Reextraction.objects.create(article=article, requested_by=by)
    except IntegrityError:  # a second click raced the first: follow that one
        return Reextraction.objects.get(
            article=article, status__in=[Reextraction.Status.PENDING, Reextraction.Status.RUNNING]
        )
    send_after_commit(
        lambda: article_reextract_task.delay(request.pk), what=f"re-extraction {request.pk}"
    )
    return request


def reextraction_run(reextraction_id: int) -> Reextraction | None:
    """The body of the re-extraction task: claim the request (pending -> running, once),
    fetch and replace the text, record the outcome for the editor's page."""
    now = timezone.now()
    claimed = Reextraction.objects.filter(
        pk=reextraction_id, status=Reextraction.Status.PENDING
    ).update(status=Reextraction.Status.RUNNING, started_at=now, updated_at=now)
    if not claimed:
        return None  # run already, or being run
    request = Reextraction.objects.select_related("article").get(pk=reextraction_id)
    try:
        report = article_reextract(article=request.article)
    except DomainError as exc:
        status, outcome = Reextraction.Status.FAILED, exc.message
    except SoftTimeLimitExceeded:
        status = Reextraction.Status.FAILED
        outcome = "Fetching the page took too long and was stopped; the text was not changed."
    except Exception as exc:  # noqa: BLE001 - recorded for the editor, logged in full
        logger.exception("Re-extraction %s failed", reextraction_id)
        status = Reextraction.Status.FAILED
        outcome = f"Internal error ({type(exc).__name__}); the text was not changed."
    else:
        status = Reextraction.Status.DONE
        outcome = (
            "The source is unchanged; the text stays as it was."
            if report is None
            else f"Text re-extracted. Highlights: {report}."
        )
    now = timezone.now()
    Reextraction.objects.filter(pk=request.pk, status=Reextraction.Status.RUNNING).update(
        status=status, outcome=outcome[:2000], finished_at=now, updated_at=now
    )
    request.refresh_from_db()
    return request


def reextractions_sweep(*, now: datetime | None = None) -> int:
    """Send again the requests still waiting after REEXTRACT_RESEND_AFTER; fail those
    whose worker was lost (running past reextract_stuck_after()). Returns the count."""
    from .tasks import article_reextract_task

    now = now or timezone.now()
    lost = Reextraction.objects.filter(
        status=Reextraction.Status.RUNNING, started_at__lt=now - reextract_stuck_after()
    ).update(
        status=Reextraction.Status.FAILED,
        outcome=REEXTRACT_LOST_REASON,
        finished_at=now,
        updated_at=now,
    )
    with transaction.atomic():
        waiting = list(
            Reextraction.objects.select_for_update(skip_locked=True)
            .filter(status=Reextraction.Status.PENDING, updated_at__lt=now - REEXTRACT_RESEND_AFTER)
            .values_list("id", flat=True)[:100]
        )
        Reextraction.objects.filter(pk__in=waiting).update(updated_at=now)
    for pk in waiting:
        if not send_now(lambda pk=pk: article_reextract_task.delay(pk), what="re-extraction"):
            break
    return lost + len(waiting)


def article_reextract(*, article: Article, by: User | None = None):
    """Fetch the article's URL again, extract it, and replace the text if it changed. Runs
    in a worker (reextraction_run); a page never waits on it."""
    from apps.core import http

    if by is not None and not is_editor(by):
        raise NotAllowed("Only editors and admins can re-extract an article.")
    url = _reextract_url(article)
    try:
        result = http.fetch(url, accept=http.HTML_TYPES | http.TEXT_TYPES)
    except http.FetchError as exc:
        raise DomainError(f"Could not fetch {url}: {exc.reason}") from exc
    body = decode_body(result.body, result.charset)
    if result.content_type == "text/plain":
        extracted = extract_plain(body)
    else:
        extracted = extract_html(body, url=result.final_url)
    return article_text_replace(article=article, text=extracted.text, by=by)
