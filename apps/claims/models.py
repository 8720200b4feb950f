import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models

from apps.articles.models import Article
from apps.core.models import TimeStamped


class Status(models.TextChoices):
    NEW = "new", "New"
    RESEARCHING = "researching", "Researching"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"


class Verdict(models.TextChoices):
    TRUE = "true", "True"
    MOSTLY_TRUE = "mostly_true", "Mostly true"
    MIXED = "mixed", "Mixed"
    MISLEADING = "misleading", "Misleading"
    FALSE = "false", "False"
    UNPROVEN = "unproven", "Unproven"
    NOT_CHECKABLE = "not_checkable", "Not checkable"


# The default rating scale (setting CLAIMTRACK_RATING_SCALE); None: no number.
VERDICT_RATING: dict[str, int | None] = {
    Verdict.TRUE: 5,
    Verdict.MOSTLY_TRUE: 4,
    Verdict.MIXED: 3,
    Verdict.MISLEADING: 2,
    Verdict.FALSE: 1,
    Verdict.UNPROVEN: None,
    Verdict.NOT_CHECKABLE: None,
}


def verdict_rating(verdict: str | None) -> int | None:
    """`verdict`'s number on the organisation's rating scale (CLAIMTRACK_RATING_SCALE): the
    ClaimReview ratingValue, shown on the public pages and given as `rating` by the API and
    the webhooks. None: no verdict, or one the scale gives no number."""
    return settings.CLAIMTRACK_RATING_SCALE.get(verdict) if verdict else None


class Claimant(TimeStamped):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANIZATION = "organization", "Organization"

    name = models.CharField(max_length=200)
    key = models.CharField(max_length=200, db_index=True, help_text="Normalised name for matching.")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PERSON)
    role = models.CharField(max_length=300, blank=True)
    affiliation = models.CharField(max_length=300, blank=True)
    aliases = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Claim(TimeStamped):
    statement = models.TextField()
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.NEW, db_index=True
    )
    verdict = models.CharField(max_length=16, choices=Verdict.choices, blank=True, db_index=True)
    rationale = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic concurrency counter.")
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_claims",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="created_claims",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposed_claims",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="claim_status_in_workflow"
            ),
            models.CheckConstraint(
                condition=models.Q(verdict__in=["", *Verdict.values]),
                name="claim_verdict_in_vocabulary",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=Status.PUBLISHED) | ~models.Q(verdict=""),
                name="claim_published_has_verdict",
            ),
        ]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="claim_sync_order"),
            GinIndex(fields=["tags"], name="claim_tags_gin"),
        ]

    def __str__(self) -> str:
        return self.statement[:80]

    @property
    def rating(self) -> int | None:
        return verdict_rating(self.verdict)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Appearance(TimeStamped):
    class Origin(models.TextChoices):
        ANALYST = "analyst", "Tagged by an analyst"
        SUGGESTION = "suggestion", "Accepted suggestion"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="appearances")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="appearances")
    claimant = models.ForeignKey(
        Claimant, null=True, blank=True, on_delete=models.SET_NULL, related_name="appearances"
    )
    start = models.PositiveIntegerField(help_text="Code point offset into Article.text")
    end = models.PositiveIntegerField()
    quote = models.TextField()
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.ANALYST)
    orphaned = models.BooleanField(
        default=False, help_text="Could not be re-anchored after re-extraction."
    )
    tagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["article_id", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__gte=0) & models.Q(end__gt=models.F("start")),
                name="appearance_span_valid",
            ),
            models.UniqueConstraint(
                fields=["claim", "article", "start", "end"], name="appearance_unique_span"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quote[:60]} ({self.article_id}:{self.start}-{self.end})"


class Suggestion(TimeStamped):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="suggestions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    sentence = models.TextField()
    score = models.FloatField(help_text="Check-worthiness, 0..1")
    # The attribution guess, a suggestion like the sentence: no claimant record is made
    # from it until an analyst accepts (`suggestion_accept`).
    claimant_name = models.CharField(max_length=200, blank=True)
    claimant_kind = models.CharField(max_length=12, choices=Claimant.Kind.choices, blank=True)
    claimant_role = models.CharField(max_length=300, blank=True)
    claimant = models.ForeignKey(
        Claimant,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The tracked claimant the guess already names, if any (none is created).",
    )
    matched_claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    match_score = models.FloatField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Added by the claim-intelligence work (apps/claims/suggestions.py, matching.py).
    model_score = models.FloatField(
        null=True, blank=True, help_text="The check-worthiness model's own score, 0..1"
    )
    match_tier = models.CharField(
        max_length=12,
        blank=True,
        choices=[("likely_same", "Likely the same"), ("related", "Possibly related")],
        help_text="How close matched_claim is; empty when nothing matched.",
    )
    appearance = models.ForeignKey(
        "Appearance",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The appearance made when the suggestion was accepted.",
    )
    # The best imported fact-check for the sentence (factcheck_matching.py), with its tier:
    # the card says "Checked by …" when it is likely the same claim.
    matched_factcheck = models.ForeignKey(
        "ExternalFactCheck", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    factcheck_tier = models.CharField(
        max_length=12,
        blank=True,
        choices=[("likely_same", "Likely the same"), ("related", "Possibly related")],
        help_text="How close matched_factcheck is; empty when none matched.",
    )

    class Meta:
        ordering = ["article_id", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__gte=0) & models.Q(end__gt=models.F("start")),
                name="suggestion_span_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=1),
                name="suggestion_score_range",
            ),
            models.UniqueConstraint(
                fields=["article", "start", "end"], name="suggestion_unique_span"
            ),
        ]


@pghistory.track(pghistory.InsertEvent())
class Review(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", "Approved and published"
        SEND_BACK = "send_back", "Sent back"
        REOPEN = "reopen", "Reopened"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="reviews")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    verdict = models.CharField(max_length=16, choices=Verdict.choices, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.editor_id} on claim {self.claim_id}"


class Notification(models.Model):
    """An in-app notice to one user (assignment, sent back, published)."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "Assigned to you"
        SUBMITTED = "submitted", "Submitted for review"
        SENT_BACK = "sent_back", "Sent back"
        PUBLISHED = "published", "Published"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    claim = models.ForeignKey(Claim, null=True, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.message


class Webhook(TimeStamped):
    """An outgoing webhook: claim events POSTed as JSON, signed with HMAC-SHA256."""

    class Event(models.TextChoices):
        STATUS_CHANGED = "claim.status_changed", "Status changed"
        PUBLISHED = "claim.published", "Published"
        SUBMITTED = "claim.submitted_for_review", "Submitted for review"

    url = models.URLField(max_length=2000)
    secret = models.CharField(
        max_length=128, help_text="Shared secret for the X-Claimtrack-Signature header."
    )
    events = ArrayField(models.CharField(max_length=40, choices=Event.choices), default=list)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.url

    def clean(self) -> None:
        """The address is checked when saved (the admin), as the sender would check it."""
        from apps.core import http

        try:
            http.check_address(self.url)
        except http.BlockedURL as exc:
            raise ValidationError({"url": exc.reason}) from None


class WebhookDelivery(TimeStamped):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook_id} [{self.state}]"


class SuggestionRun(TimeStamped):
    """What the suggester did with one article, and why: suggested, or skipped (a
    near-duplicate, a language the model does not cover, no text). Shown on the article."""

    class Outcome(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        SKIPPED_DUPLICATE = "skipped_duplicate", "Skipped: near-duplicate"
        SKIPPED_LANGUAGE = "skipped_language", "Skipped: language not covered"
        SKIPPED_EMPTY = "skipped_empty", "Skipped: no text"

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="suggestion_run")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reason = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=12, blank=True)
    model_name = models.CharField(max_length=100, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    sentences = models.PositiveIntegerField(default=0)
    suggested = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.article_id}: {self.get_outcome_display()}"


class ClaimDifferences(models.Model):
    """Where a claim's reports differ (places, quantities, dates), computed by
    apps/claims/differences.py after appearances change; backs the claim list's filter."""

    claim = models.OneToOneField(
        Claim, on_delete=models.CASCADE, primary_key=True, related_name="differences"
    )
    disagrees = models.BooleanField(default=False, db_index=True)
    kinds = ArrayField(models.CharField(max_length=10), default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    appearance_count = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"claim {self.claim_id}: {', '.join(self.kinds) or 'no differences'}"


class ClaimEmbedding(models.Model):
    """A claim's statement as a sentence embedding (apps/claims/nlp/encoder.py), for
    matching by meaning. Kept apart from Claim so the history (pghistory) never records
    vectors, and so a new model can re-encode without touching claims."""

    claim = models.OneToOneField(
        Claim, on_delete=models.CASCADE, primary_key=True, related_name="embedding"
    )
    model = models.CharField(max_length=40, help_text="The encoder that made the vector.")
    vector = models.BinaryField(help_text="float16, L2-normalised.")
    statement_hash = models.CharField(max_length=16, help_text="Of the statement encoded.")
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"claim {self.claim_id} ({self.model})"


class ExternalFactCheck(models.Model):
    """A fact-check another organisation published (schema.org ClaimReview), imported by
    apps/claims/factchecks.py so "has this been checked?" finds it. Read-only here: it is
    never part of the review workflow and never exported as our own ClaimReview. One row a
    review URL (normalised; `url_hash` is its key): importing it again updates the row.
    The vector (apps/claims/nlp/encoder.py) is of `claim_reviewed`, for the matcher."""

    url = models.URLField(max_length=2000, help_text="The review's URL, normalised.")
    url_hash = models.CharField(max_length=64, unique=True, help_text="sha256 of `url`.")
    publisher = models.CharField(max_length=300, blank=True)
    publisher_url = models.URLField(max_length=2000, blank=True)
    claim_reviewed = models.TextField()
    claimant = models.CharField(max_length=300, blank=True)
    appearances = ArrayField(models.URLField(max_length=2000), default=list, blank=True)
    rating_text = models.CharField(max_length=300, blank=True, help_text="alternateName.")
    rating_value = models.FloatField(null=True, blank=True)
    best_rating = models.FloatField(null=True, blank=True)
    worst_rating = models.FloatField(null=True, blank=True)
    verdict = models.CharField(
        max_length=16,
        choices=Verdict.choices,
        blank=True,
        help_text="The rating on our scale where it can be read; empty otherwise.",
    )
    date_published = models.DateField(null=True, blank=True, db_index=True)
    language = models.CharField(max_length=35, blank=True)
    original = models.JSONField(help_text="The element as imported.")
    vector = models.BinaryField(null=True, blank=True, help_text="float16, L2-normalised.")
    vector_model = models.CharField(max_length=40, blank=True)
    vector_hash = models.CharField(max_length=16, blank=True, help_text="Of the text encoded.")
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-date_published", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(verdict__in=["", *Verdict.values]),
                name="external_factcheck_verdict_in_vocabulary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publisher or self.url}: {self.claim_reviewed[:60]}"


class FactCheckImportRun(models.Model):
    """A large fact-check file imported by a Celery task in chunks
    (apps/claims/factcheck_runs.py). The file is kept here until the run ends, so a retried
    or redelivered task reads it again; `chunks_done` advances in the same transaction as
    each chunk's rows, so a task killed mid-chunk redoes that chunk only, and one that
    runs twice skips the chunks already done."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=300, blank=True)
    content = models.BinaryField(help_text="The uploaded file; emptied when the run ends.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    format = models.CharField(max_length=10, blank=True)
    reviews = models.PositiveIntegerField(default=0, help_text="Readable reviews (unique URLs).")
    chunk_size = models.PositiveIntegerField()
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=list, blank=True, help_text="The first skips, with why.")
    columns = models.JSONField(
        default=dict, blank=True, help_text="CSV/TSV: the header of each field, if given."
    )
    lost_runs = models.PositiveSmallIntegerField(
        default=0, help_text="Times the sweeper found it without progress (its worker died)."
    )
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(chunks_done__lte=models.F("chunks_total")),
                name="factcheck_import_run_progress_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Import {self.pk} of {self.filename or 'a file'} ({self.state})"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(100 * self.chunks_done / self.chunks_total) if self.chunks_total else 0

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
