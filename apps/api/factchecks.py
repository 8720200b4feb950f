"""Fact-checks other organisations published: import them (editors), list them, and rank
them with our claims in "has this been checked?" (GET /api/claims/search)."""

from __future__ import annotations

import json

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiRequest,
    extend_schema,
    extend_schema_view,
)
from rest_framework import parsers, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from apps.accounts.roles import is_editor
from apps.claims.factcheck_matching import match_factchecks
from apps.claims.factcheck_runs import background_threshold, factcheck_import_start
from apps.claims.factchecks import FactCheckImportError, factchecks_import
from apps.claims.matching import LIKELY_SAME, match_claims
from apps.claims.models import Claim, ExternalFactCheck, FactCheckImportRun
from apps.core.errors import DomainError

from . import serializers
from .parsers import JSONParser
from .permissions import RoleScopePermission

SHOWN_SKIPS = 1000
ORIGINS = ("all", "claim", "external")

SEARCH_ORIGIN_PARAM = OpenApiParameter(
    "origin",
    str,
    required=False,
    enum=list(ORIGINS),
    description="`all` (default): our claims and imported fact-checks ranked together; "
    "`claim`: our claims only; `external`: imported fact-checks only. The list's filters "
    "apply to our claims.",
)


def search_origin(raw) -> str:
    origin = raw or "all"
    if origin not in ORIGINS:
        raise DomainError(
            f"origin must be one of {', '.join(ORIGINS)}.", details={"origin": [str(raw)[:50]]}
        )
    return origin


def _difference(difference):
    return {"kind": difference.kind, "detail": difference.detail} if difference else None


def search_results(
    text: str, *, limit: int, claims: QuerySet[Claim], origin: str = "all"
) -> list[dict]:
    """Our claims and imported fact-checks most like `text`, one list: every "likely the
    same" first, then by score (the tiers and scores come from one matcher)."""
    results = []
    if origin in ("all", "claim"):
        for match in match_claims(text, limit=limit, claims=claims):
            results.append(
                {
                    "score": match.score,
                    "tier": match.tier,
                    "difference": _difference(match.difference),
                    "origin": "claim",
                    "claim": match.claim,
                    "external": None,
                }
            )
    if origin in ("all", "external"):
        for match in match_factchecks(text, limit=limit):
            results.append(
                {
                    "score": match.score,
                    "tier": match.tier,
                    "difference": _difference(match.difference),
                    "origin": "external",
                    "claim": None,
                    "external": match.factcheck,
                }
            )
    # Stable: on equal tier and score our claim comes before another organisation's.
    results.sort(key=lambda r: (r["tier"] != LIKELY_SAME, -r["score"]))
    return results[:limit]


class RawFileParser(parsers.BaseParser):
    """A file sent as the body itself (curl --data-binary @feed.jsonl): the bytes, read by
    the importer, which tells the format from the content."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read() if stream is not None else b""


class IsEditorRole(BasePermission):
    message = "Only editors and admins can import fact-checks."

    def has_permission(self, request, view):
        return is_editor(request.user)


IMPORT_DESCRIPTION = """Load fact-checks other organisations published (schema.org
ClaimReview): a JSON body (one ClaimReview, a list, an `@graph`, or a DataFeed with
`dataFeedElement[].item[]`), or a file, either as multipart field `file` or as the body
itself (JSON, JSON Lines, CSV or TSV with a header: claim, claimant, rating, url, publisher,
date). A review already imported (same URL) is updated. Elements that cannot be read are
listed in `skipped` with their place and the reason; a body that is none of these formats
is refused (400, `unreadable_file`) and nothing is imported. Editors only.

A body of less than 1 MB (setting `FACTCHECK_IMPORT_BACKGROUND_BYTES`) is imported in the
request: 200 with the counts. A larger one is checked (an unreadable body is still a 400),
stored as an import run and imported by a background task in chunks of 1,000 reviews,
resumable and idempotent: 202 with the run, its `url` (also in `Location`) to poll with GET
until `state` is `done` or `failed` (with `error`)."""


class FactCheckImportRunSerializer(drf_serializers.ModelSerializer):
    """A large import's progress (the same run the upload page follows)."""

    url = drf_serializers.SerializerMethodField()
    percent = drf_serializers.IntegerField(read_only=True)

    class Meta:
        model = FactCheckImportRun
        fields = [
            "id",
            "url",
            "state",
            "filename",
            "format",
            "reviews",
            "chunk_size",
            "chunks_total",
            "chunks_done",
            "percent",
            "created",
            "updated",
            "duplicates",
            "skipped_count",
            "skipped",
            "error",
            "created_at",
            "updated_at",
            "finished_at",
        ]

    def get_url(self, run) -> str:
        path = reverse("api:factcheck-import-run", kwargs={"run_id": run.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


@extend_schema_view(
    list=extend_schema(summary="List imported fact-checks (other organisations')"),
    retrieve=extend_schema(summary="An imported fact-check"),
)
class FactCheckViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ExternalFactCheckSerializer
    queryset = ExternalFactCheck.objects.defer("original", "vector")
    filterset_fields = {"verdict": ["exact"], "publisher": ["exact"], "language": ["exact"]}

    def get_permissions(self):
        if self.action in ("import_factchecks", "import_run"):
            return [RoleScopePermission(), IsEditorRole()]
        return super().get_permissions()

    @extend_schema(
        summary="Import fact-checks published elsewhere (ClaimReview, editors)",
        description=IMPORT_DESCRIPTION,
        request=OpenApiRequest(OpenApiTypes.OBJECT),
        responses={200: OpenApiTypes.OBJECT, 202: FactCheckImportRunSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[JSONParser, parsers.MultiPartParser, RawFileParser],
    )
    def import_factchecks(self, request):
        data = request.data
        filename = ""
        if hasattr(data, "getlist"):  # multipart
            upload = request.FILES.get("file")
            if upload is None:
                raise DomainError(
                    "Send the file in the multipart field `file`.",
                    details={"file": ["Required."]},
                )
            filename = upload.name
            data = upload.read()
        if not isinstance(data, bytes | dict | list):  # a JSON null, number or string
            raise FactCheckImportError(
                "The JSON body must be a ClaimReview object, a list of them, an @graph or a "
                "DataFeed; nothing was imported."
            )
        content = data if isinstance(data, bytes) else None
        size = len(content) if content is not None else _body_size(request, data)
        if size >= background_threshold():
            if content is None:  # parsed JSON: stored as JSON again
                content = json.dumps(data, ensure_ascii=False).encode()
            run = factcheck_import_start(content=content, filename=filename, by=request.user)
            body = FactCheckImportRunSerializer(run, context={"request": request}).data
            return Response(
                body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]}
            )
        result = factchecks_import(data)
        body = result.as_dict()
        body["skipped_count"] = len(result.skipped)
        body["skipped"] = body["skipped"][:SHOWN_SKIPS]
        return Response(body)

    @extend_schema(
        summary="A large fact-check import's progress (editors)",
        responses={200: FactCheckImportRunSerializer},
    )
    @action(detail=False, methods=["get"], url_path=r"import/(?P<run_id>[0-9]+)")
    def import_run(self, request, run_id):
        run = get_object_or_404(FactCheckImportRun.objects.defer("content"), pk=run_id)
        return Response(FactCheckImportRunSerializer(run, context={"request": request}).data)


def _body_size(request, data) -> int:
    """The size of a JSON body as sent (Content-Length), or as written again."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return len(json.dumps(data, ensure_ascii=False).encode())
