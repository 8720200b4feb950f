"""Feeds: following, pausing, leasing due feeds, polling one, its backoff."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.accounts.roles import is_editor
from apps.articles.models import Article, Outlet
from apps.core.backoff import backoff_seconds
from apps.core.enqueue import send_after_commit
from apps.core.errors import DomainError, NotAllowed

from ..feeds import FeedError, parse_feed
from ..models import Feed, IngestJob
from . import dispatch, submit
from .common import MAX_LOST_RUNS, NON_FINAL, hash_of, outlet_for, validate_url

logger = logging.getLogger(__name__)

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
            for feed_id in picked:
                dispatch.task("feed_poll").delay(feed_id, lease.isoformat())

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
                from ..feeds import MAX_ENTRIES

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
        by_hash.setdefault(hash_of(entry.link), entry)
    if not by_hash:
        return []
    keys = list(by_hash)
    stored = set(Article.objects.filter(url_hash__in=keys).values_list("url_hash", flat=True))
    taken = set(
        IngestJob.objects.filter(url_hash__in=keys)
        .filter(Q(status__in=NON_FINAL) | Q(feed=feed))
        .values_list("url_hash", flat=True)
    )
    new = [entry for key, entry in by_hash.items() if key not in stored | taken]
    # The links come from the feed's parser, which kept only http(s) ones; the fetcher
    # checks each address again before connecting.
    return submit.jobs_create(
        channel=IngestJob.Channel.FEED,
        new=[submit.NewJob(url=entry.link, metadata=_entry_metadata(entry)) for entry in new],
        feed=feed,
    )


def _entry_metadata(entry) -> dict:
    published = entry.published_at.isoformat() if entry.published_at else ""
    found = {"title": entry.title, "authors": entry.authors, "published_at": published}
    return {key: value for key, value in found.items() if value}


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
