from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models

from apps.articles.models import Article, Outlet
from apps.core.models import TimeStamped


class Feed(TimeStamped):
    outlet = models.ForeignKey(
        Outlet, null=True, blank=True, on_delete=models.SET_NULL, related_name="feeds"
    )
    url = models.URLField(max_length=2000, unique=True)
    title = models.CharField(max_length=500, blank=True)
    poll_interval_minutes = models.PositiveIntegerField(default=15)
    is_active = models.BooleanField(default=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    # What the last poll found ("Not modified", "12 entries, 3 new", a warning).
    last_poll_note = models.CharField(max_length=500, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # When the feed is next due; the poll picker moves it forward as a lease.
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Why the feed is not polled (is_active False): paused by a person, or after failures.
    paused_reason = models.TextField(blank=True)
    # Polls started since the last one that finished, counted before each poll's work: a
    # poll whose worker is killed (out of memory) never finishes, and its redelivery
    # counts again, so a feed that kills its worker is failed, not redelivered for ever.
    poll_starts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["title", "url"]

    def __str__(self) -> str:
        return self.title or self.url

    @property
    def is_paused(self) -> bool:
        return not self.is_active


class IngestBatch(TimeStamped):
    """A group of jobs submitted together (a pasted list, an uploaded file, one import run)."""

    label = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.label


class IngestJob(TimeStamped):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        FETCHING = "fetching", "Fetching"
        EXTRACTING = "extracting", "Extracting"
        DONE = "done", "Done"
        DUPLICATE = "duplicate", "Duplicate"
        FAILED = "failed", "Failed"

    FINAL = (Status.DONE, Status.DUPLICATE, Status.FAILED)

    class Channel(models.TextChoices):
        URL = "url", "URL"
        FEED = "feed", "Feed"
        FILE = "file", "File import"
        PUSH = "push", "API push"

    channel = models.CharField(max_length=8, choices=Channel.choices)
    url = models.URLField(max_length=2000, blank=True)
    # sha256 of the canonical URL, so "is this link already stored or queued?" is indexed.
    url_hash = models.CharField(max_length=64, blank=True, db_index=True)
    feed = models.ForeignKey(
        Feed, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    batch = models.ForeignKey(
        IngestBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    outlet = models.ForeignKey(
        Outlet, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # File imports and pushes: {"name", "format": "text"|"html", "content", "metadata": {...}}
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    failure_reason = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # The Celery task id that holds the job while it runs; a redelivery of that same
    # message (its worker died) may take the job over, any other message may not.
    task_id = models.CharField(max_length=64, blank=True)
    # Runs of the job that stopped without finishing (their worker was killed), counted
    # when the job is taken over; at MAX_LOST_RUNS the job fails instead of running again.
    lost_runs = models.PositiveSmallIntegerField(default=0)
    # While a run holds the job (fetching, extracting), it renews this every
    # INGEST_LEASE_RENEW_SECONDS; the sweeper takes a running job back only once its lease
    # has run out (no live worker holds it), never after a fixed age.
    lease_until = models.DateTimeField(null=True, blank=True)
    # Seconds spent per step of the last run: {"fetch": 0.12, "extract": 0.05, ...}
    timings = models.JSONField(default=dict, blank=True)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["queued", "fetching", "extracting", "done", "duplicate", "failed"]
                ),
                name="ingestjob_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.url or self.payload.get('name', '')} [{self.status}]"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL


class ArticleSignature(models.Model):
    """The MinHash signature of an article's text and its LSH band hashes (see dedupe.py).
    The GIN index on ``bands`` makes the near-duplicate candidate lookup one query."""

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.CASCADE, related_name="signature"
    )
    minhash = models.BinaryField()  # NUM_PERM little-endian uint32 values
    bands = ArrayField(models.BigIntegerField())
    shingle_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # fastupdate off: the index is searched right after each insert (see dedupe.py); with
        # a pending list every search would scan up to 4 MB of unsorted entries first.
        indexes = [GinIndex(fields=["bands"], name="articlesignature_bands_gin", fastupdate=False)]

    def __str__(self) -> str:
        return f"signature of article {self.article_id}"


class Reextraction(TimeStamped):
    """An editor's request to fetch an article's page again and replace its text, run by a
    worker (never inside the request): recorded first, then sent after commit, so a broker
    that is down loses nothing (the sweeper sends it). The page follows its status."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a worker"
        RUNNING = "running", "Fetching the page"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    FINAL = (Status.DONE, Status.FAILED)

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reextractions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    # What happened, for the editor: the highlights report, "unchanged", or why it failed.
    outcome = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One request in flight per article: a second click follows the first.
            models.UniqueConstraint(
                fields=["article"],
                condition=models.Q(status__in=["pending", "running"]),
                name="reextraction_one_open_per_article",
            ),
        ]

    def __str__(self) -> str:
        return f"re-extraction of article {self.article_id} [{self.status}]"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL
