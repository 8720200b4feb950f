"""Claims: list (JSON, CSV), search, read, create, update, delete, ClaimReview JSON-LD
and deletions for sync; the workflow actions are in workflow.py."""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from apps.claims import services as claim_services
from apps.claims.claimreview import claim_review, claim_review_graph
from apps.claims.models import Appearance, Claim, Status
from apps.core.errors import Conflict, DomainError, NotFound
from apps.evidence.models import EvidenceLink

from .. import serializers
from ..conditional import expected_version, run_versioned
from ..factchecks import SEARCH_ORIGIN_PARAM, search_origin, search_results
from ..filters import ClaimFilter, as_utc
from ..history import their_changes
from ..pagination import KeysetPagination, TombstonePagination
from ..renderers import CSVRenderer, FastJSONRenderer, JSONLDRenderer
from ..selectors import claim_representations, claim_row_key, claim_rows, claim_rows_in_windows
from .base import IF_MATCH, IF_MATCH_REQUIRED, ConditionalMixin, detail_url
from .workflow import ClaimWorkflowActions


def _page_size_for_search(raw) -> int:
    try:
        limit = int(raw) if raw not in (None, "") else 10
    except ValueError:
        limit = 0
    if not 1 <= limit <= 50:
        raise DomainError("limit must be a whole number from 1 to 50.", details={"limit": raw})
    return limit


CLAIM_SEARCH_PARAMS = [
    OpenApiParameter(
        "query", str, required=True, description="The text to look for, e.g. a sentence heard."
    ),
    OpenApiParameter("limit", int, required=False, description="1 to 50 results (default 10)."),
]


@extend_schema_view(
    list=extend_schema(
        summary="List claims",
        description="Filtered, cursor-paginated. `ordering=updated_at` is the sync order; "
        "`format=csv` (or `Accept: text/csv`) streams every matching claim as CSV.",
        responses={
            (200, "application/json"): serializers.ClaimSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
        },
    ),
    retrieve=extend_schema(summary="A claim with its appearances and evidence"),
    create=extend_schema(
        summary="Create a claim from a span of an article",
        request=serializers.ClaimCreateInput,
        responses={201: serializers.ClaimSerializer},
    ),
    update=extend_schema(
        summary="Replace a claim's statement, tags and assignee",
        request=serializers.ClaimUpdateInput,
        parameters=[IF_MATCH_REQUIRED],
    ),
    partial_update=extend_schema(
        summary="Change a claim's statement, tags or assignee",
        request=serializers.ClaimUpdateInput,
        parameters=[IF_MATCH_REQUIRED],
    ),
    destroy=extend_schema(summary="Delete a claim (editors)", parameters=[IF_MATCH]),
)
class ClaimViewSet(ConditionalMixin, ClaimWorkflowActions, viewsets.ModelViewSet):
    """Claims with their appearances and evidence. Writes run the claim services; workflow
    actions are POSTs on the claim."""

    serializer_class = serializers.ClaimSerializer
    filterset_class = ClaimFilter
    pagination_class = KeysetPagination
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_renderers(self):
        if self.action == "list":
            return [FastJSONRenderer(), BrowsableAPIRenderer(), CSVRenderer()]
        if self.action in ("claimreview", "claimreviews"):
            return [JSONLDRenderer(), JSONRenderer()]
        return [JSONRenderer(), BrowsableAPIRenderer()]

    def get_queryset(self):
        # The article's text is large and not shown here: leave it in the database.
        appearances = Appearance.objects.select_related("claimant", "article").defer(
            "article__text"
        )
        if self.action in ("claimreview", "claimreviews"):
            appearances = appearances.select_related("article__outlet")
        return Claim.objects.prefetch_related(
            Prefetch("appearances", queryset=appearances.order_by("id")),
            Prefetch(
                "evidence", queryset=EvidenceLink.objects.select_related("source").order_by("id")
            ),
        )

    def _respond(self, claim_id: int, *, http_status=status.HTTP_200_OK, headers=None):
        claim = self.get_queryset().get(pk=claim_id)
        data = self.get_serializer(claim).data
        self.etag_version = claim.version
        return Response(data, status=http_status, headers=headers)

    # --- reads -------------------------------------------------------------------------

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format == "csv":
            from ..exports import claims_csv_response

            queryset = self.filter_queryset(Claim.objects.all())
            ordering = self.paginator.get_ordering(request)
            return claims_csv_response(queryset.order_by(*self.paginator.orderings[ordering]))
        # A full-text search is read window by window, each window filtered in full; any
        # other list is filtered once.
        windows = self._search_windows(request)
        queryset = Claim.objects.all() if windows else self.filter_queryset(Claim.objects.all())
        page = self.paginator.paginate_queryset(
            claim_rows(queryset), request, view=self, key_of=claim_row_key, id_windows=windows
        )
        return self.get_paginated_response(claim_representations(page, request=request))

    def _search_windows(self, request):
        """For a full-text search in the default order: a function giving the filtered
        claims of a window of ids (the search itself restricted to the window), for the
        paginator's newest-first reading."""
        if not request.query_params.get("q", "").strip():
            return None
        if not self.paginator.reads_newest_first(request):
            return None
        filterset = ClaimFilter(request.query_params, queryset=Claim.objects.all(), request=request)
        if not (filterset.is_valid() and filterset.searches()):
            return None

        def within(above, upto):
            filterset.id_window = (above, upto)
            return filterset.filter_queryset(Claim.objects.all())

        return claim_rows_in_windows(within)

    def _prefetch(self, claims: list[Claim]) -> None:
        prefetch_related_objects(claims, *self.get_queryset()._prefetch_related_lookups)

    def retrieve(self, request, *args, **kwargs):
        claim = self.get_object()
        self.etag_version = claim.version
        return Response(self.get_serializer(claim).data)

    # --- writes ------------------------------------------------------------------------

    def create(self, request, *args, **kwargs):
        data = serializers.ClaimCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        claim = claim_services.claim_create(
            article=values["article"],
            start=values["start"],
            end=values["end"],
            quote=values["quote"],
            statement=values.get("statement", ""),
            claimant_name=values.get("claimant", ""),
            guess_claimant="claimant" not in values,
            by=request.user,
        )
        location = detail_url(request, "claim", claim.pk)
        return self._respond(
            claim.pk, http_status=status.HTTP_201_CREATED, headers={"Location": location}
        )

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        claim = self.get_object()
        data = serializers.ClaimUpdateInput(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        expected = expected_version(request, values.pop("version", None), require_header=True)

        def write(version):
            try:
                return claim_services.claim_update(
                    claim=claim, by=request.user, version=version, **values
                )
            except Conflict as exc:
                exc.details = {**exc.details, **their_changes(claim.pk, exc.details)}
                raise

        run_versioned(expected, write)
        return self._respond(claim.pk)

    def destroy(self, request, *args, **kwargs):
        claim = self.get_object()
        expected = expected_version(request, None, require_header=False)
        run_versioned(
            expected,
            lambda version: claim_services.claim_delete(
                claim=claim, by=request.user, version=version
            ),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    # --- formats and sync --------------------------------------------------------------

    @extend_schema(
        summary="schema.org ClaimReview of a published claim (JSON-LD)",
        responses={
            (200, "application/ld+json"): OpenApiTypes.OBJECT,
            (200, "application/json"): OpenApiTypes.OBJECT,
        },
    )
    @action(detail=True, methods=["get"], url_path="claimreview")
    def claimreview(self, request, pk=None):
        claim = get_object_or_404(self.get_queryset(), pk=pk)
        if claim.status != Status.PUBLISHED:
            raise NotFound(
                "This claim has no published verdict yet, so it has no ClaimReview.",
                details={"status": claim.status},
            )
        self.etag_version = claim.version
        return Response(claim_review(claim, request))

    @extend_schema(
        summary="ClaimReview JSON-LD of published claims (filtered, paginated)",
        operation_id="claims_claimreview_list",
        description="The claim list's filters apply; only published claims are included. "
        'The next page, if any, is in the `Link: <...>; rel="next"` header.',
        filters=True,
        responses={
            (200, "application/ld+json"): OpenApiTypes.OBJECT,
            (200, "application/json"): OpenApiTypes.OBJECT,
        },
    )
    @action(detail=False, methods=["get"], url_path="claimreview")
    def claimreviews(self, request):
        queryset = self.filter_queryset(Claim.objects.filter(status=Status.PUBLISHED))
        page = self.paginate_queryset(queryset)
        self._prefetch(page)
        headers = {}
        next_link = self.paginator.get_next_link()
        if next_link:
            headers["Link"] = f'<{next_link}>; rel="next"'
        return Response(claim_review_graph(page, request), headers=headers)

    @extend_schema(
        summary="Deleted claims (tombstones) for sync",
        description="Oldest deletion first. Store `resume` and GET it later for deletions "
        "after this page.",
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.DATETIME,
                required=False,
                description="Only deletions at or after this time (ISO 8601).",
            )
        ],
        responses={200: serializers.TombstoneSerializer(many=True)},
        filters=False,
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="deleted",
        pagination_class=TombstonePagination,
        filterset_class=None,
    )
    def deleted(self, request):
        events = Claim.pgh_event_model.objects.filter(pgh_label="delete").only(
            "pgh_id", "pgh_created_at", "id"
        )
        since = request.query_params.get("since")
        if since is not None:  # an empty one is an error, as on every list
            events = events.filter(pgh_created_at__gte=_parse_datetime(since, "since"))
        page = self.paginate_queryset(events)
        return self.get_paginated_response(serializers.TombstoneSerializer(page, many=True).data)

    @extend_schema(
        summary="Has this been checked? Tracked claims most similar to a text",
        description="Ranks claims by meaning and wording (apps/claims/matching.py). A text as "
        "people paste it is fine: links, handles, hashtags, emoji and a post's signature are "
        "ignored. Each result has a `score` (0 to 1) and a `tier`: `likely_same` (could take "
        "the same verdict: offered for one-click confirmation) or `related` (worth a look; "
        "for example the same subject but an opposite verb, another number, date or place, "
        "explained in `difference`). The list's filters (status, verdict, "
        "published_since...) narrow the claims searched. Fact-checks other organisations "
        "published (imported: POST /api/factchecks/import) are ranked with them, marked "
        "`origin: external`, unless `origin=claim`.",
        parameters=[*CLAIM_SEARCH_PARAMS, SEARCH_ORIGIN_PARAM],
        responses={200: serializers.SearchResponseSerializer},
    )
    @action(detail=False, methods=["get"], url_path="search")
    def search(self, request):
        text = " ".join((request.query_params.get("query") or "").split())[:1000]
        if not text:
            raise DomainError(
                "Give the text to look for in `query`.", details={"query": ["Required."]}
            )
        limit = _page_size_for_search(request.query_params.get("limit"))
        claims = self.filter_queryset(Claim.objects.all())
        origin = search_origin(request.query_params.get("origin"))
        results = search_results(text, limit=limit, claims=claims, origin=origin)
        data = serializers.SearchResponseSerializer(
            {"query": text, "results": results}, context=self.get_serializer_context()
        ).data
        return Response(data)


def _parse_datetime(raw: str, name: str):
    try:
        value = as_utc(parse_datetime(raw.strip()))
    except (ValueError, OverflowError):
        value = None
    if value is None:
        raise DomainError(
            f"{name} must be an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z.",
            details={name: [raw[:100]]},
        )
    return value
