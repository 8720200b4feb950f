"""One ingestion service for every channel: URL, feed entry, file import, API push.

Every channel creates an IngestJob and enqueues the `ingest` task after the transaction
commits; the task calls `job_run`, which is idempotent: a job already finished is left
alone, and the article is stored with get-or-create on its natural key, so two workers
racing on one URL leave one article.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.articles.models import Article, Outlet
from apps.core.errors import DomainError
from apps.core.text import content_hash, normalize_text
from apps.core.urls import canonicalize_url, url_hash

from .extraction import Extracted, ExtractionError, decode_body, extract_html, extract_plain
from .models import Feed, IngestBatch, IngestJob

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
FORMATS = ("text", "html")


class TransientIngestError(Exception):
    """A failure that may pass (timeout, 5xx, connection); the task retries with backoff."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _enqueue(job: IngestJob) -> None:
    from .tasks import ingest

    # robust: a broker that is down must not break the request; the sweeper re-enqueues.
    transaction.on_commit(lambda: ingest.delay(job.pk), robust=True)


def validate_url(url: str) -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise DomainError(
            f"{url[:200]!r} is not a web address; use a full http:// or https:// URL."
        ) from None
    return url


def outlet_for(*, domain: str = "", name: str = "") -> Outlet | None:
    domain = (domain or "").lower().removeprefix("www.").rstrip(".")
    if not domain and not name:
        return None
    if not domain:
        found = Outlet.objects.filter(name__iexact=name).first()
        return found or Outlet.objects.create(
            name=name[:200], domain=name.lower().replace(" ", "-")[:253]
        )
    outlet, _ = Outlet.objects.get_or_create(
        domain=domain[:253], defaults={"name": name[:200] or domain}
    )
    return outlet


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
        feed=feed,
        batch=batch,
        created_by=by,
        payload={"metadata": metadata or {}},
        outlet=feed.outlet if feed else None,
    )
    _enqueue(job)
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
        batch=batch,
        created_by=by,
        payload={"name": name[:255], "format": fmt, "content": content, "metadata": metadata},
    )
    _enqueue(job)
    return job


def _claim_job(job_id: int) -> IngestJob | None:
    """Move a non-final job to 'fetching' with one conditional UPDATE; None if already final."""
    claimed = (
        IngestJob.objects.filter(pk=job_id)
        .exclude(status__in=IngestJob.FINAL)
        .update(
            status=IngestJob.Status.FETCHING,
            attempts=F("attempts") + 1,
            started_at=timezone.now(),
            updated_at=timezone.now(),
        )
    )
    if not claimed:
        return None
    return IngestJob.objects.select_related("feed", "outlet").get(pk=job_id)


def _set_status(job: IngestJob, status: str) -> None:
    IngestJob.objects.filter(pk=job.pk).update(status=status, updated_at=timezone.now())
    job.status = status


def _finish(
    job: IngestJob, status: str, *, article: Article | None = None, reason: str = ""
) -> IngestJob:
    IngestJob.objects.filter(pk=job.pk).update(
        status=status,
        article=article,
        failure_reason=reason[:2000],
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def _extract_from_url(job: IngestJob) -> tuple[Extracted, str]:
    from apps.core import http

    try:
        result = http.fetch(job.url)
    except http.FetchError as exc:
        if exc.transient:
            raise TransientIngestError(exc.reason) from exc
        raise ExtractionError(exc.reason) from exc
    _set_status(job, IngestJob.Status.EXTRACTING)
    if not result.body.strip():
        raise ExtractionError("The page answered with an empty body; there is nothing to import.")
    body = decode_body(result.body, result.charset)
    metadata = job.payload.get("metadata") or {}
    if result.content_type == "text/plain":
        return extract_plain(body, metadata=metadata), result.final_url
    return extract_html(body, url=result.final_url, metadata=metadata), result.final_url


def _extract_from_payload(job: IngestJob) -> Extracted:
    _set_status(job, IngestJob.Status.EXTRACTING)
    payload = job.payload
    content = normalize_text(payload.get("content") or "")
    metadata = payload.get("metadata") or {}
    if payload.get("format") == "html":
        return extract_html(content, url=metadata.get("url", ""), metadata=metadata)
    return extract_plain(content, metadata=metadata)


def article_store(
    *,
    extracted: Extracted,
    url: str = "",
    origin: str,
    outlet: Outlet | None = None,
    source_name: str = "",
) -> tuple[Article, bool]:
    """Store an article once. Returns (article, created). Duplicates by canonical URL, by
    the canonical URL the page declares, or by identical content return the existing row."""
    text = normalize_text(extracted.text)
    digest = content_hash(text)
    canonical = (
        canonicalize_url(extracted.canonical_url or url) if (extracted.canonical_url or url) else ""
    )
    hashes = {url_hash(canonicalize_url(u)) for u in (url, extracted.canonical_url) if u}
    if hashes:
        existing = Article.objects.filter(url_hash__in=hashes).first()
        if existing:
            return existing, False
    same_content = Article.objects.filter(content_hash=digest).order_by("id").first()
    if same_content:
        return same_content, False
    if outlet is None and canonical:
        outlet = outlet_for(domain=urlsplit(canonical).hostname or "")
    defaults = {
        "url": url,
        "canonical_url": canonical,
        "title": extracted.title or text[:120],
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
        article, created = Article.objects.get_or_create(
            url_hash=url_hash(canonical), defaults={**defaults, "content_hash": digest}
        )
    else:
        article, created = Article.objects.get_or_create(
            content_hash=digest, url_hash=None, defaults=defaults
        )
    return article, created


def job_run(job_id: int) -> IngestJob | None:
    """The body of the `ingest` task. Raises TransientIngestError for failures worth a retry."""
    job = _claim_job(job_id)
    if job is None:
        return IngestJob.objects.filter(pk=job_id).first()
    try:
        if job.channel in (IngestJob.Channel.URL, IngestJob.Channel.FEED):
            known = Article.objects.filter(url_hash=url_hash(canonicalize_url(job.url))).first()
            if known:
                return _finish(job, IngestJob.Status.DUPLICATE, article=known)
            extracted, final_url = _extract_from_url(job)
            url, origin = final_url or job.url, job.channel
        else:
            extracted = _extract_from_payload(job)
            url = (job.payload.get("metadata") or {}).get("url", "")
            origin = (
                Article.Origin.FILE
                if job.channel == IngestJob.Channel.FILE
                else Article.Origin.PUSH
            )
        metadata = job.payload.get("metadata") or {}
        outlet = job.outlet or outlet_for(
            domain=metadata.get("outlet_domain", ""), name=metadata.get("outlet", "")
        )
        with transaction.atomic():
            article, created = article_store(
                extracted=extracted,
                url=url,
                origin=origin,
                outlet=outlet,
                source_name=job.payload.get("name", ""),
            )
            if created:
                transaction.on_commit(lambda: _after_store(article.pk))
        return _finish(
            job, IngestJob.Status.DONE if created else IngestJob.Status.DUPLICATE, article=article
        )
    except TransientIngestError as exc:
        if job.attempts >= MAX_ATTEMPTS:
            return _finish(
                job,
                IngestJob.Status.FAILED,
                reason=f"{exc.reason} (gave up after {job.attempts} attempts)",
            )
        IngestJob.objects.filter(pk=job.pk).update(
            status=IngestJob.Status.QUEUED, failure_reason=exc.reason, updated_at=timezone.now()
        )
        raise
    except DomainError as exc:
        return _finish(job, IngestJob.Status.FAILED, reason=exc.message)
    except SoftTimeLimitExceeded:
        return _finish(
            job, IngestJob.Status.FAILED, reason="Processing took too long and was stopped."
        )
    except Exception as exc:
        logger.exception("Ingest job %s failed unexpectedly", job.pk)
        _finish(
            job,
            IngestJob.Status.FAILED,
            reason=f"Internal error ({type(exc).__name__}); see the worker log.",
        )
        raise


def _after_store(article_id: int) -> None:
    """Hook for what follows storing (claim suggestions); failures never lose the article."""
    from apps.claims import services as claim_services

    suggest = getattr(claim_services, "suggestions_generate", None)
    if suggest is None:
        return
    try:
        suggest(article=Article.objects.get(pk=article_id))
    except Exception:  # noqa: BLE001 - a suggestion failure must not fail the ingest
        logger.exception("Claim suggestion failed for article %s", article_id)


@transaction.atomic
def job_retry(*, job: IngestJob, by: User | None = None) -> IngestJob:
    if job.status != IngestJob.Status.FAILED:
        raise DomainError("Only failed jobs can be retried.")
    IngestJob.objects.filter(pk=job.pk, status=IngestJob.Status.FAILED).update(
        status=IngestJob.Status.QUEUED,
        failure_reason="",
        finished_at=None,
        attempts=0,
        updated_at=timezone.now(),
    )
    job.refresh_from_db()
    _enqueue(job)
    return job
