"""Submitting work: one job per URL or piece of content, batches of URLs, retries."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from apps.accounts.roles import is_analyst
from apps.core.errors import DomainError, NotAllowed
from apps.core.text import normalize_text

from ..models import Feed, IngestBatch, IngestJob
from . import dispatch
from .common import FORMATS, hash_of, validate_url

logger = logging.getLogger(__name__)

BATCH_MAX_URLS = 1000
BATCH_MAX_BYTES = 1_000_000


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
        url_hash=hash_of(url),
        feed=feed,
        batch=batch,
        created_by=by,
        payload={"metadata": metadata or {}},
        outlet=feed.outlet if feed else None,
    )
    dispatch.jobs_enqueue([job.pk])
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
        url_hash=hash_of(metadata.get("url", "")),
        batch=batch,
        created_by=by,
        payload={"name": name[:255], "format": fmt, "content": content, "metadata": metadata},
    )
    dispatch.jobs_enqueue([job.pk])
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
            key = hash_of(url)
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
                    url_hash=hash_of(url),
                    batch=batch,
                    created_by=by,
                    payload={"metadata": {}},
                )
                for url in urls
            ]
        )
        dispatch.jobs_enqueue([job.pk for job in jobs])
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
    dispatch.jobs_enqueue([job.pk])
    return job
