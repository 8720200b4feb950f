"""One ingestion service for every channel: URL, batch of URLs, feed entry, file import,
API push.

Every channel creates an IngestJob and enqueues the `ingest` task after the transaction
commits (a broker that is down then loses nothing: the sweeper re-enqueues jobs that stay
queued). The task calls `job_run`, which is idempotent:

* the job is claimed with one conditional UPDATE (queued -> fetching), so two deliveries
  of one job cannot both run it; a redelivery of the same message (its worker died
  mid-run) may take the job over, another message may not;
* the article is stored with get-or-create on its natural key (the canonical URL's
  hash, or the content hash for URL-less text), so two workers racing on one URL leave
  one article;
* near-duplicates are linked under an advisory lock (see dedupe.py).

Feeds are polled by a periodic task that leases due feeds with SELECT ... FOR UPDATE
SKIP LOCKED (two beat or worker processes racing never poll one feed twice), uses
conditional GET, and makes one job per entry link not already stored or queued.
"""

from __future__ import annotations

import logging
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.accounts.roles import is_analyst, is_editor
from apps.articles.models import Article, Outlet
from apps.core.backoff import backoff_seconds
from apps.core.errors import DomainError, NotAllowed
from apps.core.text import content_hash, normalize_text
from apps.core.urls import canonicalize_url, url_hash

from .extraction import Extracted, ExtractionError, decode_body, extract_html, extract_plain
from .feeds import FeedError, parse_feed
from .models import Feed, IngestBatch, IngestJob

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
FORMATS = ("text", "html")
NON_FINAL = (IngestJob.Status.QUEUED, IngestJob.Status.FETCHING, IngestJob.Status.EXTRACTING)
RUNNING = (IngestJob.Status.FETCHING, IngestJob.Status.EXTRACTING)
# A retry never waits longer than this, so the sweeper never mistakes a waiting job for
# a lost one.
MAX_RETRY_COUNTDOWN = 240.0

# Feeds
FEED_PAUSE_AFTER = 5  # failed polls in a row
FEED_LEASE = timedelta(minutes=10)  # a picked feed is not picked again for this long
FEED_PICK_LIMIT = 100  # feeds leased per run of the periodic task
FEED_MAX_BACKOFF = 24 * 3600

# Batches
BATCH_MAX_URLS = 1000
BATCH_MAX_BYTES = 1_000_000


def stuck_after() -> timedelta:
    """How long a job may sit in a non-final state before the sweeper re-enqueues it. Must
    exceed both the ingest task's hard time limit (a running job) and the longest retry
    countdown (a job waiting to be retried)."""
    return timedelta(seconds=int(getattr(settings, "INGEST_STUCK_AFTER_SECONDS", 300)))


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


def _enqueue(job_ids: list[int]) -> None:
    from .tasks import ingest

    def send() -> None:
        for job_id in job_ids:
            ingest.delay(job_id)

    # robust: a broker that is down must not break the request; the sweeper re-enqueues.
    if job_ids:
        transaction.on_commit(send, robust=True)


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
    return url


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


_CLAIM_SQL = """
UPDATE ingestion_ingestjob
   SET status = 'fetching', attempts = attempts + 1, task_id = %(task_id)s,
       started_at = %(now)s, updated_at = %(now)s
 WHERE id = %(id)s
   AND (status = 'queued'
        OR (%(task_id)s <> '' AND status IN ('fetching', 'extracting') AND task_id = %(task_id)s))
RETURNING *
"""


def _claim_job(job_id: int, task_id: str) -> IngestJob | None:
    """Move a queued job to 'fetching' with one conditional UPDATE; None if another run
    holds it or it is final. A redelivery of the message that held it (same task id: its
    worker died) takes it over."""
    claimed = list(
        IngestJob.objects.raw(_CLAIM_SQL, {"id": job_id, "task_id": task_id, "now": timezone.now()})
    )
    return claimed[0] if claimed else None


def _set_status(job: IngestJob, status: str) -> None:
    IngestJob.objects.filter(pk=job.pk).update(status=status, updated_at=timezone.now())
    job.status = status


def _finish(
    job: IngestJob,
    status: str,
    *,
    article: Article | None = None,
    reason: str = "",
    timings: dict | None = None,
) -> IngestJob:
    """Record the job's outcome (in the caller's transaction, if there is one)."""
    changes = {
        "status": status,
        "article": article,
        "failure_reason": reason[:2000],
        "finished_at": timezone.now(),
        "updated_at": timezone.now(),
        "timings": {k: round(v, 4) for k, v in (timings or {}).items()},
    }
    IngestJob.objects.filter(pk=job.pk).update(**changes)
    for field, value in changes.items():
        setattr(job, field, value)
    return job


def _fetch_page(job: IngestJob, timings: dict) -> tuple[Extracted, str]:
    from apps.core import http

    started = time.perf_counter()
    try:
        result = http.fetch(job.url, accept=http.HTML_TYPES | http.TEXT_TYPES)
    except http.BadContentType as exc:
        raise ExtractionError(exc.reason) from exc
    except http.FetchError as exc:
        if exc.transient:
            raise TransientIngestError(
                exc.reason, retry_after=getattr(exc, "retry_after", None)
            ) from exc
        raise ExtractionError(exc.reason) from exc
    finally:
        timings["fetch"] = time.perf_counter() - started
    _set_status(job, IngestJob.Status.EXTRACTING)
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
    return extracted, result.final_url


def _extract_from_payload(job: IngestJob, timings: dict) -> Extracted:
    _set_status(job, IngestJob.Status.EXTRACTING)
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


def article_store(
    *,
    extracted: Extracted,
    url: str = "",
    origin: str,
    outlet: Outlet | None = None,
    source_name: str = "",
    aliases: tuple[str, ...] = (),
) -> tuple[Article, bool]:
    """Store an article once. Returns (article, created). Duplicates by canonical URL (the
    fetched one, the one the page declares, or an alias such as the URL before redirects)
    or by identical content return the existing row."""
    text = normalize_text(extracted.text)
    digest = content_hash(text)
    primary = extracted.canonical_url or url
    canonical = canonicalize_url(primary) if primary else ""
    hashes = {_hash_of(u) for u in (url, extracted.canonical_url, *aliases) if u}
    # One query for both kinds of exact duplicate; a URL match wins over a content match.
    existing = sorted(
        Article.objects.filter(Q(url_hash__in=hashes) | Q(content_hash=digest)).only(
            "id", "url_hash", "title"
        )[:10],
        key=lambda a: (a.url_hash not in hashes, a.pk),
    )
    if existing:
        return Article.objects.get(pk=existing[0].pk), False
    if outlet is None and canonical:
        outlet = outlet_for(domain=urlsplit(canonical).hostname or "")
    defaults = {
        "url": url,
        "canonical_url": canonical,
        "title": (extracted.title or text[:120])[:1000],
        "authors": extracted.authors,
        "outlet": outlet,
        "published_at": extracted.published_at,
        "language": extracted.language,
        "text": text,
        "status": Article.Status.EXTRACTED,
        "origin": origin,
        "source_name": source_name[:255],
    }
    if canonical:
        key = {"url_hash": url_hash(canonical)}
        defaults["content_hash"] = digest
    else:
        key = {"content_hash": digest, "url_hash": None}
    # Checked just above, so usually new: insert straight away; a racing run that
    # inserted first makes the unique constraint fail, and its row is returned.
    try:
        with transaction.atomic():
            return Article.objects.create(**key, **defaults), True
    except IntegrityError:
        return Article.objects.get(**key), False


def _signature_store(article: Article, timings: dict):
    """Compute and store the article's near-duplicate signature, in the caller's
    transaction, so it is committed with the article. None if the text is too short."""
    from . import dedupe

    started = time.perf_counter()
    computed = dedupe.compute(article.text)
    if computed is not None:
        dedupe.signature_store(article, computed)
    timings["dedupe"] = time.perf_counter() - started
    return computed


def _link_near_duplicate(article: Article, computed, timings: dict) -> None:
    """Link near-duplicates once the article and its signature are committed (so racing
    workers see them; see dedupe.py). A hint: a failure is logged, never fatal."""
    from . import dedupe

    started = time.perf_counter()
    try:
        dedupe.near_duplicate_link(article, computed, stored=computed is not None)
    except Exception:  # noqa: BLE001 - logged; the article stays stored without the link
        logger.exception("Near-duplicate check failed for article %s", article.pk)
    timings["dedupe"] = timings.get("dedupe", 0.0) + time.perf_counter() - started


def _origin(job: IngestJob) -> str:
    return {
        IngestJob.Channel.URL: Article.Origin.URL,
        IngestJob.Channel.FEED: Article.Origin.FEED,
        IngestJob.Channel.FILE: Article.Origin.FILE,
        IngestJob.Channel.PUSH: Article.Origin.PUSH,
    }[job.channel]


def job_run(job_id: int, task_id: str = "") -> IngestJob | None:
    """The body of the `ingest` task. Raises TransientIngestError for failures worth a retry.

    Commits: the claim; the move to 'extracting'; the article with its signature and the
    job's link to it, together; the near-duplicate links; the job's outcome. A run that
    dies after storing the article is finished by the next delivery (the job names its
    article), without fetching again."""
    with _relaxed_commits():
        return _job_run(job_id, task_id)


def _job_run(job_id: int, task_id: str) -> IngestJob | None:
    job = _claim_job(job_id, task_id)
    if job is None:
        return IngestJob.objects.filter(pk=job_id).first()
    timings: dict[str, float] = {}
    try:
        if job.article_id:
            # An earlier run stored the article and stopped before finishing the job.
            article = Article.objects.get(pk=job.article_id)
            _link_near_duplicate(article, None, timings)
            return _finish(job, IngestJob.Status.DONE, article=article, timings=timings)
        aliases: tuple[str, ...] = ()
        if job.channel in (IngestJob.Channel.URL, IngestJob.Channel.FEED):
            known = Article.objects.filter(url_hash=_hash_of(job.url)).first()
            if known:
                return _finish(job, IngestJob.Status.DUPLICATE, article=known, timings=timings)
            extracted, final_url = _fetch_page(job, timings)
            url, aliases = final_url or job.url, (job.url,)
        else:
            extracted = _extract_from_payload(job, timings)
            url = (job.payload.get("metadata") or {}).get("url", "")
        metadata = job.payload.get("metadata") or {}
        started = time.perf_counter()
        with transaction.atomic():
            if job.outlet_id:
                outlet = Outlet(pk=job.outlet_id)  # only its key is needed
            else:
                outlet = outlet_for(
                    domain=metadata.get("outlet_domain", ""), name=metadata.get("outlet", "")
                )
            article, created = article_store(
                extracted=extracted,
                url=url,
                origin=_origin(job),
                outlet=outlet,
                source_name=job.payload.get("name", ""),
                aliases=aliases,
            )
            timings["store"] = time.perf_counter() - started
            if not created:
                return _finish(job, IngestJob.Status.DUPLICATE, article=article, timings=timings)
            computed = _signature_store(article, timings)
            IngestJob.objects.filter(pk=job.pk).update(article=article, updated_at=timezone.now())
        _link_near_duplicate(article, computed, timings)
        _after_store(article)
        return _finish(job, IngestJob.Status.DONE, article=article, timings=timings)
    except TransientIngestError as exc:
        if job.attempts >= MAX_ATTEMPTS:
            return _finish(
                job,
                IngestJob.Status.FAILED,
                reason=f"{exc.reason} (gave up after {job.attempts} attempts)",
                timings=timings,
            )
        IngestJob.objects.filter(pk=job.pk).update(
            status=IngestJob.Status.QUEUED,
            failure_reason=f"Attempt {job.attempts} failed, will try again: {exc.reason}"[:2000],
            updated_at=timezone.now(),
        )
        raise
    except DomainError as exc:
        return _finish(job, IngestJob.Status.FAILED, reason=exc.message, timings=timings)
    except SoftTimeLimitExceeded:
        return _finish(
            job,
            IngestJob.Status.FAILED,
            reason="Processing took too long and was stopped.",
            timings=timings,
        )
    except Exception as exc:
        logger.exception("Ingest job %s failed unexpectedly", job.pk)
        _finish(
            job,
            IngestJob.Status.FAILED,
            reason=f"Internal error ({type(exc).__name__}); see the worker log.",
            timings=timings,
        )
        raise


def _after_store(article: Article) -> None:
    """Ask claims for suggestions in a task of its own, after commit: a slow or failing
    suggester never holds or fails the ingest. The near-duplicate link is set before,
    so claims can skip a near-duplicate (its claims are the original's)."""
    from .tasks import article_suggest

    transaction.on_commit(lambda: article_suggest.delay(article.pk), robust=True)


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
    """Re-enqueue jobs left in a non-final state for longer than `stuck_after()` (a lost
    broker message, a worker that died, a broker that was down at commit). Jobs that have
    used all their attempts are failed instead, with the reason. Returns the count."""
    now = now or timezone.now()
    cutoff = now - stuck_after()
    with transaction.atomic():
        stuck = list(
            IngestJob.objects.select_for_update(skip_locked=True)
            .filter(status__in=NON_FINAL, updated_at__lt=cutoff)
            .order_by("updated_at")
            .values_list("id", "attempts")[:limit]
        )
        exhausted = [pk for pk, attempts in stuck if attempts >= MAX_ATTEMPTS]
        again = [pk for pk, attempts in stuck if attempts < MAX_ATTEMPTS]
        if exhausted:
            IngestJob.objects.filter(pk__in=exhausted).update(
                status=IngestJob.Status.FAILED,
                failure_reason=(
                    f"Gave up after {MAX_ATTEMPTS} attempts: the last one never finished "
                    "(the worker stopped or the time limit was reached)."
                ),
                finished_at=now,
                updated_at=now,
            )
        if again:
            IngestJob.objects.filter(pk__in=again).update(
                status=IngestJob.Status.QUEUED, task_id="", updated_at=now
            )
            _enqueue(again)
    if stuck:
        logger.warning(
            "Sweeper: %d stuck job(s) re-enqueued, %d failed", len(again), len(exhausted)
        )
    return len(stuck)


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
    next_poll_at forward by FEED_LEASE is the lease: a picked feed is not due again until
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
        lease = now + FEED_LEASE
        Feed.objects.filter(pk__in=picked).update(next_poll_at=lease)

        def send() -> None:
            from .tasks import feed_poll

            for feed_id in picked:
                feed_poll.delay(feed_id, lease.isoformat())

        transaction.on_commit(send, robust=True)
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
    feed = Feed.objects.filter(pk=feed_id, is_active=True, next_poll_at=lease_at).first()
    if feed is None or lease_at is None:
        return None
    now = timezone.now()
    Feed.objects.filter(pk=feed.pk).update(last_polled_at=now)
    try:
        result = http.fetch(
            feed.url,
            accept=http.FEED_TYPES | http.HTML_TYPES | http.TEXT_TYPES,
            headers=_conditional_headers(feed),
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


def article_reextract(*, article: Article, by: User | None = None):
    """Fetch the article's URL again, extract it, and replace the text if it changed."""
    from apps.core import http

    if by is not None and not is_editor(by):
        raise NotAllowed("Only editors and admins can re-extract an article.")
    url = article.url or article.canonical_url
    if not url:
        raise DomainError(
            "This article came without a URL (a file or a push); nothing to re-fetch."
        )
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
