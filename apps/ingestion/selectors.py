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


def job_list(*, status: str = "", channel: str = "") -> QuerySet[IngestJob]:
    jobs = for_display(IngestJob.objects.all())
    if status in IngestJob.Status.values:
        jobs = jobs.filter(status=status)
    if channel in IngestJob.Channel.values:
        jobs = jobs.filter(channel=channel)
    return jobs.order_by("-created_at", "-id")


def batch_list() -> QuerySet[IngestBatch]:
    S = IngestJob.Status
    return (
        IngestBatch.objects.select_related("created_by")
        .annotate(
            total=Count("jobs"),
            final=Count("jobs", filter=Q(jobs__status__in=[S.DONE, S.DUPLICATE, S.FAILED])),
            failed=Count("jobs", filter=Q(jobs__status=S.FAILED)),
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
