"""Submitting work: `jobs_create` is the one way a job is made, for every channel (a URL
on the web page, a batch of URLs, the API's push, a feed poll's entries, a file import),
with the role check inside. The other functions here shape one channel's input and call
it. Retrying a failed job is here too."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
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

NOT_ALLOWED_TO_ADD = "Only analysts, editors and admins can add articles."


@dataclass(frozen=True)
class NewJob:
    """One piece of work for jobs_create: a URL to fetch, or content handed to us (text or
    HTML). Made by `for_url` or `for_content`, which check it."""

    url: str = ""
    metadata: dict = field(default_factory=dict)
    content: str | None = None
    name: str = ""
    fmt: str = "text"

    @classmethod
    def for_url(cls, url: str, *, metadata: dict | None = None) -> NewJob:
        return cls(url=validate_url(url), metadata=dict(metadata or {}))

    @classmethod
    def for_content(
        cls, *, name: str, content: str, fmt: str = "text", metadata: dict | None = None
    ) -> NewJob:
        if fmt not in FORMATS:
            raise DomainError(f"Format must be one of {', '.join(FORMATS)}, not {fmt!r}.")
        if not isinstance(content, str) or not content.strip():
            raise DomainError(f"{name}: there is no text to import (the content is empty).")
        metadata = dict(metadata or {})
        url = (metadata.get("url") or "").strip()
        if url:
            metadata["url"] = validate_url(url)
        return cls(
            url=metadata.get("url", ""), metadata=metadata, content=content, name=name, fmt=fmt
        )

    def payload(self) -> dict:
        if self.content is None:
            return {"metadata": self.metadata}
        return {
            "name": self.name[:255],
            "format": self.fmt,
            "content": self.content,
            "metadata": self.metadata,
        }


def submitter_check(by: User | AnonymousUser | None) -> None:
    """Who may make jobs: analysts, editors and admins; `None` is the system itself (a feed
    poll, a management command)."""
    if by is not None and not is_analyst(by):
        raise NotAllowed(NOT_ALLOWED_TO_ADD)


@transaction.atomic
def jobs_create(
    *,
    channel: str,
    new: list[NewJob],
    by: User | None = None,
    batch: IngestBatch | None = None,
    feed: Feed | None = None,
) -> list[IngestJob]:
    """Make one queued job per item, in one INSERT, and send them to the workers after
    commit (a broker that is down loses nothing: the sweeper sends jobs left queued).
    Every channel comes through here, so the role check is made here, whoever calls."""
    submitter_check(by)
    if channel not in IngestJob.Channel.values:
        raise DomainError(f"Unknown channel {channel!r}.")
    jobs = IngestJob.objects.bulk_create(
        [
            IngestJob(
                channel=channel,
                url=item.url[:2000],
                url_hash=hash_of(item.url),
                feed=feed,
                outlet=feed.outlet if feed else None,
                batch=batch,
                created_by=by,
                payload=item.payload(),
            )
            for item in new
        ]
    )
    dispatch.jobs_enqueue([job.pk for job in jobs])
    return jobs


def job_submit_url(
    *,
    url: str,
    by: User | None = None,
    channel: str = IngestJob.Channel.URL,
    feed: Feed | None = None,
    batch: IngestBatch | None = None,
    metadata: dict | None = None,
) -> IngestJob:
    """One URL (the web page's form, the API)."""
    submitter_check(by)
    new = NewJob.for_url(url, metadata=metadata)
    return jobs_create(channel=channel, new=[new], by=by, batch=batch, feed=feed)[0]


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
    """Text or HTML handed to us directly (the web page's form, file import, API push)."""
    submitter_check(by)
    new = NewJob.for_content(name=name, content=content, fmt=fmt, metadata=metadata)
    return jobs_create(channel=channel, new=[new], by=by, batch=batch)[0]


_URL_TOKEN = re.compile(r"[\s,;]+")


@dataclass
class BatchResult:
    batch: IngestBatch | None
    jobs: list[IngestJob]
    problems: list[str]  # one line per input line that was not used, saying why
    repeats: int  # URLs listed more than once (queued once)


def _batch_urls(text: str) -> tuple[list[str], list[str], int]:
    """(the distinct valid URLs, one problem per line not used, how many were repeats)."""
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
    return urls, problems, repeats


def batch_submit_urls(*, text: str, by: User, label: str = "") -> BatchResult:
    """A pasted list or an uploaded file of URLs: one or more per line, separated by spaces,
    commas or semicolons; blank lines and lines starting with # are skipped. Each valid URL
    becomes one job in one batch; bad lines are reported by number and skipped."""
    submitter_check(by)
    if len(text.encode("utf-8", "ignore")) > BATCH_MAX_BYTES:
        raise DomainError(
            f"The list is larger than {BATCH_MAX_BYTES // 1_000_000} MB; split it into parts."
        )
    urls, problems, repeats = _batch_urls(text)
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
        # Checked already: NewJob(url=...) rather than for_url, which would check again.
        jobs = jobs_create(
            channel=IngestJob.Channel.URL, new=[NewJob(url=url) for url in urls], by=by, batch=batch
        )
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
