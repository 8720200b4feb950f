from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.articles.models import Article, Outlet
from apps.claims.claimreview import claim_page_url
from apps.claims.models import Appearance, Claim, Claimant, ExternalFactCheck, verdict_rating
from apps.claims.services import BULK_ACTIONS, MAX_STATEMENT
from apps.evidence.models import EvidenceLink, Source
from apps.ingestion.models import Feed, IngestJob

from .selectors import iso as _iso

User = get_user_model()


# These serializers declare their fields for the schema but build the representation
# directly, which is several times faster than field-by-field serialization;
# tests/api/test_claim_list.py checks both give identical output. The claim list, the hot
# path, builds the same representation from rows instead of instances
# (apps.api.selectors); a test checks every list item equals the claim's detail.


# --- Reads -----------------------------------------------------------------------------


class OutletSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outlet
        fields = ["id", "name", "domain", "country", "language"]


class ArticleSerializer(serializers.ModelSerializer):
    outlet = OutletSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "url",
            "canonical_url",
            "title",
            "authors",
            "outlet",
            "published_at",
            "language",
            "status",
            "origin",
            "duplicate_of",
            "created_at",
            "updated_at",
        ]


class ArticleDetailSerializer(ArticleSerializer):
    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "text", "failure_reason"]


class ClaimantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Claimant
        fields = ["id", "name", "kind", "role", "affiliation", "aliases", "merged_into"]

    def to_representation(self, c):
        return {
            "id": c.id,
            "name": c.name,
            "kind": c.kind,
            "role": c.role,
            "affiliation": c.affiliation,
            "aliases": list(c.aliases),
            "merged_into": c.merged_into_id,
        }


class AppearanceSerializer(serializers.ModelSerializer):
    claimant = ClaimantSerializer(read_only=True, allow_null=True)
    article_url = serializers.CharField(source="article.canonical_url", read_only=True)
    article_title = serializers.CharField(source="article.title", read_only=True)

    class Meta:
        model = Appearance
        fields = [
            "id",
            "claim",
            "article",
            "article_title",
            "article_url",
            "claimant",
            "start",
            "end",
            "quote",
            "prefix",
            "suffix",
            "origin",
            "orphaned",
            "created_at",
        ]

    def to_representation(self, a):
        claimant = a.claimant
        return {
            "id": a.id,
            "claim": a.claim_id,
            "article": a.article_id,
            "article_title": a.article.title,
            "article_url": a.article.canonical_url,
            "claimant": None if claimant is None else _CLAIMANT.to_representation(claimant),
            "start": a.start,
            "end": a.end,
            "quote": a.quote,
            "prefix": a.prefix,
            "suffix": a.suffix,
            "origin": a.origin,
            "orphaned": a.orphaned,
            "created_at": _iso(a.created_at),
        }


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="source.url", read_only=True)
    title = serializers.CharField(source="source.title", read_only=True)
    publisher = serializers.CharField(source="source.publisher", read_only=True)
    kind = serializers.CharField(source="source.kind", read_only=True)

    class Meta:
        model = EvidenceLink
        fields = [
            "id",
            "claim",
            "stance",
            "url",
            "title",
            "publisher",
            "kind",
            "quote",
            "note",
            "created_at",
        ]

    def to_representation(self, e):
        source = e.source
        return {
            "id": e.id,
            "claim": e.claim_id,
            "stance": e.stance,
            "url": source.url,
            "title": source.title,
            "publisher": source.publisher,
            "kind": source.kind,
            "quote": e.quote,
            "note": e.note,
            "created_at": _iso(e.created_at),
        }


class ClaimSummarySerializer(serializers.ModelSerializer):
    rating = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id",
            "statement",
            "status",
            "verdict",
            "rating",
            "tags",
            "version",
            "updated_at",
            "published_at",
            "html_url",
        ]

    @extend_schema_field(
        serializers.IntegerField(
            allow_null=True,
            help_text="The verdict's number on the organisation's rating scale (setting "
            "CLAIMTRACK_RATING_SCALE; the ClaimReview ratingValue of the public page); null "
            "without a verdict or for one the scale gives no number.",
        )
    )
    def get_rating(self, obj) -> int | None:
        return verdict_rating(obj.verdict)

    @extend_schema_field(serializers.URLField())
    def get_html_url(self, obj) -> str:
        return claim_page_url(self.context.get("request"), obj.pk)


class ClaimSerializer(ClaimSummarySerializer):
    appearances = AppearanceSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "statement",
            "status",
            "verdict",
            "rating",
            "rationale",
            "tags",
            "assignee",
            "version",
            "created_at",
            "updated_at",
            "submitted_at",
            "published_at",
            "html_url",
            "appearances",
            "evidence",
        ]

    def to_representation(self, c):
        request = self.context.get("request")
        return {
            "id": c.id,
            "statement": c.statement,
            "status": c.status,
            "verdict": c.verdict,
            "rating": verdict_rating(c.verdict),
            "rationale": c.rationale,
            "tags": list(c.tags),
            "assignee": c.assignee_id,
            "version": c.version,
            "created_at": _iso(c.created_at),
            "updated_at": _iso(c.updated_at),
            "submitted_at": _iso(c.submitted_at),
            "published_at": _iso(c.published_at),
            "html_url": claim_page_url(request, c.id),
            "appearances": [_APPEARANCE.to_representation(a) for a in c.appearances.all()],
            "evidence": [_EVIDENCE.to_representation(e) for e in c.evidence.all()],
        }


_CLAIMANT = ClaimantSerializer()
_APPEARANCE = AppearanceSerializer()
_EVIDENCE = EvidenceSerializer()


class TombstoneSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The deleted claim's id.")
    deleted_at = serializers.DateTimeField(source="pgh_created_at")


class MatchDifferenceSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="antonym, negation, quantifier, number, date, place or agent."
    )
    detail = serializers.CharField(help_text='What differs, e.g. "buy ≠ sell".')


class ExternalFactCheckSerializer(serializers.ModelSerializer):
    """A fact-check another organisation published (imported ClaimReview): shown and
    cited, never edited through our workflow nor exported as our ClaimReview."""

    origin = serializers.SerializerMethodField()

    class Meta:
        model = ExternalFactCheck
        fields = [
            "id",
            "origin",
            "publisher",
            "publisher_url",
            "url",
            "claim_reviewed",
            "claimant",
            "appearances",
            "rating_text",
            "rating_value",
            "best_rating",
            "worst_rating",
            "verdict",
            "date_published",
            "language",
            "imported_at",
            "updated_at",
        ]
        extra_kwargs = {
            "verdict": {"help_text": "On our scale, where the publisher's rating allows it."},
            "rating_text": {"help_text": "The publisher's own words (alternateName)."},
        }

    def get_origin(self, obj) -> str:
        return "external"


class SearchResultSerializer(serializers.Serializer):
    score = serializers.FloatField(
        help_text="How likely the claim is the one the text states, 0 to 1; higher is closer."
    )
    tier = serializers.ChoiceField(
        choices=["likely_same", "related", ""],
        help_text="`likely_same`: could take the same verdict (confirm with one click); "
        "`related`: worth a look, not the same claim; empty: a weak match.",
    )
    difference = MatchDifferenceSerializer(
        allow_null=True,
        help_text="Why a close claim is only related: where the two point different ways.",
    )
    origin = serializers.ChoiceField(
        choices=["claim", "external"],
        help_text="`claim`: one of our tracked claims (in `claim`); `external`: a fact-check "
        "another organisation published, imported as ClaimReview (in `external`). Both are "
        "scored by the same matcher, so their tiers mean the same.",
    )
    claim = ClaimSummarySerializer(
        allow_null=True,
        help_text="The claim, with its workflow `status`; null for an external fact-check.",
    )
    external = ExternalFactCheckSerializer(
        allow_null=True,
        help_text="The other organisation's fact-check (publisher, rating, link); null for "
        "our claims.",
    )


class SearchResponseSerializer(serializers.Serializer):
    query = serializers.CharField()
    results = SearchResultSerializer(many=True)


class IngestJobSerializer(serializers.ModelSerializer):
    is_final = serializers.BooleanField(read_only=True)

    class Meta:
        model = IngestJob
        fields = [
            "id",
            "channel",
            "url",
            "status",
            "is_final",
            "failure_reason",
            "attempts",
            "article",
            "created_at",
            "updated_at",
            "started_at",
            "finished_at",
        ]


class FeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Feed
        fields = [
            "id",
            "url",
            "title",
            "outlet",
            "poll_interval_minutes",
            "is_active",
            "last_polled_at",
            "last_success_at",
            "last_error",
            "consecutive_failures",
            "next_poll_at",
            "paused_reason",
        ]


# --- Writes: input only; the services apply the rules ----------------------------------


class SpanInput(serializers.Serializer):
    article = serializers.PrimaryKeyRelatedField(queryset=Article.objects.all())
    start = serializers.IntegerField(min_value=0, help_text="Code point offset, inclusive.")
    end = serializers.IntegerField(min_value=1, help_text="Code point offset, exclusive.")
    quote = serializers.CharField(
        trim_whitespace=False, max_length=20000, help_text="The article text at start..end."
    )
    claimant = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Who made the claim; guessed from the text when left out.",
    )


class ClaimCreateInput(SpanInput):
    statement = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_STATEMENT,
        help_text=(
            "The claim in the analyst's words. Left out: the quote without who says it (an "
            "attribution at its start or end, a leading dash and enclosing quote marks dropped)."
        ),
    )


class ClaimUpdateInput(serializers.Serializer):
    statement = serializers.CharField(max_length=MAX_STATEMENT)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), max_length=50, allow_empty=True
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version you edit; stale → 409. Prefer If-Match (stale → 412).",
    )


class AppearanceCreateInput(SpanInput):
    claim = serializers.PrimaryKeyRelatedField(queryset=Claim.objects.all())


class EvidenceCreateInput(serializers.Serializer):
    claim = serializers.PrimaryKeyRelatedField(queryset=Claim.objects.all())
    stance = serializers.ChoiceField(choices=EvidenceLink.Stance.choices)
    url = serializers.URLField(required=False, allow_blank=True, max_length=2000)
    title = serializers.CharField(required=False, allow_blank=True, max_length=500)
    publisher = serializers.CharField(required=False, allow_blank=True, max_length=200)
    kind = serializers.ChoiceField(choices=Source.Kind.choices, default=Source.Kind.OTHER)
    quote = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    note = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    article = serializers.PrimaryKeyRelatedField(
        queryset=Article.objects.all(), required=False, allow_null=True
    )


class ArticlePushInput(serializers.Serializer):
    url = serializers.URLField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Alone: the page is fetched and extracted. With `content`: the article's URL.",
    )
    content = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=5_000_000,
        help_text="The article itself, as plain text or HTML.",
    )
    format = serializers.ChoiceField(choices=[("text", "text"), ("html", "html")], default="text")
    title = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    published_at = serializers.DateTimeField(required=False, allow_null=True)
    authors = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=50
    )
    language = serializers.CharField(required=False, allow_blank=True, max_length=12)
    outlet = serializers.CharField(required=False, allow_blank=True, max_length=200)
    outlet_domain = serializers.CharField(required=False, allow_blank=True, max_length=253)

    def validate(self, attrs):
        if not (attrs.get("url") or (attrs.get("content") or "").strip()):
            raise serializers.ValidationError(
                "Send `url` (to fetch a page) or `content` (the text or HTML itself)."
            )
        return attrs


class WorkflowInput(serializers.Serializer):
    verdict = serializers.ChoiceField(
        choices=Claim._meta.get_field("verdict").choices, required=False
    )
    rationale = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    override_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version you act on; stale → 409. Prefer If-Match (stale → 412).",
    )


class BulkInput(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=500
    )
    action = serializers.ChoiceField(choices=[(a, a) for a in BULK_ACTIONS])
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )
    tag = serializers.CharField(required=False, allow_blank=True, default="", max_length=50)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)


class BulkResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="claim_id")
    ok = serializers.BooleanField()
    message = serializers.CharField()


class BulkOutput(serializers.Serializer):
    results = BulkResultSerializer(many=True)
