import pghistory
from django.conf import settings
from django.db import models

from apps.articles.models import Article
from apps.claims.models import Claim
from apps.core.models import TimeStamped


class Source(TimeStamped):
    class Kind(models.TextChoices):
        OFFICIAL_RECORD = "official_record", "Official record"
        DATASET = "dataset", "Dataset"
        REPORT = "report", "Report"
        ARTICLE = "article", "Article"
        STATEMENT = "statement", "Statement"
        NOTE = "note", "Note"
        OTHER = "other", "Other"

    url = models.URLField(max_length=2000, blank=True)
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fetch_error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.title or self.url or f"Source {self.pk}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class EvidenceLink(TimeStamped):
    class Stance(models.TextChoices):
        SUPPORTS = "supports", "Supports"
        REFUTES = "refutes", "Refutes"
        CONTEXT = "context", "Context"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="links")
    # Not fields: set for the templates by templatetags/evidence_ui.prepare_link.
    safe_url: str
    details_pending: bool
    can_refetch: bool
    stance = models.CharField(max_length=10, choices=Stance.choices)
    quote = models.TextField(blank=True)
    note = models.TextField(blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["stance", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "source"], name="evidence_unique_source_per_claim"
            ),
            models.CheckConstraint(
                condition=models.Q(stance__in=["supports", "refutes", "context"]),
                name="evidence_stance_valid",
            ),
        ]
