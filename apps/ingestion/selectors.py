"""Reads for the ingestion pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.fields.json import KT

from .models import Feed, IngestBatch, IngestJob


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    duplicate: int
    failed: int
    running: int
    queued: int

    @property
    def final(self) -> int:
        return self.done + self.duplicate + self.failed

    @property
    def finished(self) -> bool:
        return self.final >= self.total

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.final / self.total)

    @property
    def segments(self) -> list[tuple[str, str, str, int]]:
        """The bar's parts, each (kind, offset, width, count) with offset and width in
        hundredths of the bar: new and already stored in green, failed in red; what is
        still running or waiting is the empty rest."""
        parts = [("done", self.done), ("duplicate", self.duplicate), ("failed", self.failed)]
        segments, offset = [], 0.0
        for kind, count in parts:
            if not count:
                continue
            width = 100 * count / self.total if self.total else 0.0
            segments.append((kind, f"{offset:.2f}", f"{width:.2f}", count))
            offset += width
        return segments


def batch_progress(batch: IngestBatch) -> Progress:
    S = IngestJob.Status
    counts = batch.jobs.aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status=S.DONE)),
        duplicate=Count("id", filter=Q(status=S.DUPLICATE)),
        failed=Count("id", filter=Q(status=S.FAILED)),
        running=Count("id", filter=Q(status__in=[S.FETCHING, S.EXTRACTING])),
        queued=Count("id", filter=Q(status=S.QUEUED)),
    )
    return Progress(**counts)


def for_display(jobs: QuerySet[IngestJob]) -> QuerySet[IngestJob]:
    """Jobs as listed: with their article (and its original, for near-duplicates) and
    the file or push name, but without loading the pushed content itself."""
    return (
        jobs.select_related("article", "article__duplicate_of")
        .defer("payload", "article__text", "article__duplicate_of__text")
        .annotate(payload_name=KT("payload__name"))
    )


def jobs_visible_to(user) -> QuerySet[IngestJob]:
    """Jobs are private to whoever submitted them, as in the API; editors see all. A user
    with no role submits nothing, so sees nothing."""
    from apps.accounts.roles import is_analyst, is_editor

    if is_editor(user):
        return IngestJob.objects.all()
    if is_analyst(user):
        return IngestJob.objects.filter(created_by=user)
    return IngestJob.objects.none()


def job_list(*, user, status: str = "", channel: str = "") -> QuerySet[IngestJob]:
    jobs = for_display(jobs_visible_to(user))
    if status in IngestJob.Status.values:
        jobs = jobs.filter(status=status)
    if channel in IngestJob.Channel.values:
        jobs = jobs.filter(channel=channel)
    return jobs.order_by("-created_at", "-id")


def listed_progress(batch: IngestBatch) -> Progress:
    """The progress of a batch from batch_list()'s counts (no query)."""
    running = batch.total - batch.final  # running or waiting: the empty part of the bar
    return Progress(batch.total, batch.done, batch.duplicate, batch.failed, running, 0)


def batch_list() -> QuerySet[IngestBatch]:
    S = IngestJob.Status
    return (
        IngestBatch.objects.select_related("created_by")
        .annotate(
            total=Count("jobs"),
            final=Count("jobs", filter=Q(jobs__status__in=[S.DONE, S.DUPLICATE, S.FAILED])),
            failed=Count("jobs", filter=Q(jobs__status=S.FAILED)),
            done=Count("jobs", filter=Q(jobs__status=S.DONE)),
            duplicate=Count("jobs", filter=Q(jobs__status=S.DUPLICATE)),
        )
        .order_by("-created_at", "-id")
    )


def feed_list() -> QuerySet[Feed]:
    return (
        Feed.objects.select_related("outlet")
        .annotate(
            article_count=Count("jobs", filter=Q(jobs__status=IngestJob.Status.DONE)),
            failed_count=Count("jobs", filter=Q(jobs__status=IngestJob.Status.FAILED)),
        )
        .order_by("-is_active", "title", "url")
    )
