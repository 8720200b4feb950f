from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models

from apps.core.models import TimeStamped


class Outlet(TimeStamped):
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, unique=True, help_text="e.g. bbc.co.uk")
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2")
    language = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Article(TimeStamped):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        FETCHED = "fetched", "Fetched"
        EXTRACTED = "extracted", "Extracted"
        FAILED = "failed", "Failed"

    class Origin(models.TextChoices):
        URL = "url", "URL"
        FEED = "feed", "Feed"
        FILE = "file", "File import"
        PUSH = "push", "API push"

    url = models.URLField(max_length=2000, blank=True)
    canonical_url = models.URLField(max_length=2000, blank=True)
    # sha256 of canonical_url; NULL for articles that came without a URL (files, pushes).
    url_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    title = models.CharField(max_length=1000)
    authors = models.JSONField(default=list, blank=True)
    outlet = models.ForeignKey(
        Outlet, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    language = models.CharField(max_length=12, blank=True)
    text = models.TextField(
        blank=True, help_text="Cleaned plain text; spans are code points into it."
    )
    content_hash = models.CharField(max_length=64, db_index=True, blank=True)
    # What cleaning dropped from the text as page furniture, in order, each with its place
    # ({"line", "after", "inline"}: apps/articles/cleaning.RemovedLine), until restored.
    removed_lines = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.EXTRACTED)
    failure_reason = models.TextField(blank=True)
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.URL)
    source_name = models.CharField(max_length=255, blank=True, help_text="File name for imports.")
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    duplicate_similarity = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "fetched", "extracted", "failed"]),
                name="article_status_valid",
            ),
            # Articles without a URL are unique by content: a file imported twice is one article.
            models.UniqueConstraint(
                fields=["content_hash"],
                condition=models.Q(url_hash__isnull=True) & ~models.Q(content_hash=""),
                name="article_urlless_content_unique",
            ),
        ]
        indexes = [
            GinIndex(
                SearchVector("title", "text", config="english"),
                name="article_search_gin",
            ),
            models.Index(fields=["-created_at", "-id"], name="article_newest"),
        ]

    def __str__(self) -> str:
        return self.title[:80]
