"""Shared by the ingestion services: attempts and leases, transient errors and their
backoff, URL checks, outlets, chunks, the failure log.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from apps.articles.models import Outlet
from apps.core.backoff import backoff_seconds
from apps.core.errors import DomainError
from apps.core.urls import canonicalize_url, url_hash

from ..models import IngestJob

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


def hash_of(url: str) -> str:
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


# 13 % faster than 16 for one worker (docs/benchmarks.md) and no faster at 64; the chunk
# task's time limit (apps/ingestion/tasks.py) covers 32 slow pages at FETCH_AHEAD at once.
DEFAULT_CHUNK_SIZE = 32
# Pages fetched ahead, in threads, while this thread extracts the current one.


def chunk_size() -> int:
    return max(1, int(getattr(settings, "INGEST_CHUNK_SIZE", DEFAULT_CHUNK_SIZE)))


def chunks(job_ids: list[int], size: int | None = None) -> list[list[int]]:
    """Split ids into chunks of at most `size`, as even as possible (100 ids at 16 a chunk
    make 7 chunks of 14 or 15, not six of 16 and one of 4): workers finish together."""
    size = size or chunk_size()
    count = -(-len(job_ids) // size)
    return [job_ids[i::count] for i in range(count)] if count else []


def log_failed(job_id: int, reason: str, *, attempts: int | None = None) -> None:
    """Every job that fails is logged once, with its id and the reason its page shows."""
    tried = f" after {attempts} attempt(s)" if attempts else ""
    logger.warning("Ingest job %s failed%s: %s", job_id, tried, reason)
