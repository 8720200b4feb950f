from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.articles.models import Article, Outlet
from apps.claims.models import VERDICT_RATING, Appearance, Claim, Claimant
from apps.evidence.models import EvidenceLink


class OutletSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outlet
        fields = ["id", "name", "domain", "country", "language"]


class ArticleSerializer(serializers.ModelSerializer):
    outlet = OutletSerializer(read_only=True)

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


class ClaimantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Claimant
        fields = ["id", "name", "kind", "role", "affiliation", "aliases"]


class AppearanceSerializer(serializers.ModelSerializer):
    claimant = ClaimantSerializer(read_only=True)
    article_url = serializers.CharField(source="article.canonical_url", read_only=True)
    article_title = serializers.CharField(source="article.title", read_only=True)

    class Meta:
        model = Appearance
        fields = [
            "id",
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


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="source.url", read_only=True)
    title = serializers.CharField(source="source.title", read_only=True)
    publisher = serializers.CharField(source="source.publisher", read_only=True)
    kind = serializers.CharField(source="source.kind", read_only=True)

    class Meta:
        model = EvidenceLink
        fields = [
            "id",
            "stance",
            "url",
            "title",
            "publisher",
            "kind",
            "quote",
            "note",
            "created_at",
        ]


class ClaimSerializer(serializers.ModelSerializer):
    rating = serializers.SerializerMethodField()
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
            "version",
            "created_at",
            "updated_at",
            "submitted_at",
            "published_at",
            "appearances",
            "evidence",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_rating(self, obj) -> int | None:
        return VERDICT_RATING.get(obj.verdict) if obj.verdict else None
