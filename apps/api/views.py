from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.articles.models import Article
from apps.claims import services as claim_services
from apps.claims.models import Appearance, Claim, Verdict
from apps.core.errors import DomainError
from apps.evidence.models import EvidenceLink

from . import serializers
from .filters import ArticleFilter, ClaimFilter

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The claim version you last saw (its ETag); a stale version gets 409.",
)


class WorkflowInput(drf_serializers.Serializer):
    verdict = drf_serializers.ChoiceField(choices=Verdict.choices, required=False)
    rationale = drf_serializers.CharField(required=False, allow_blank=True)
    note = drf_serializers.CharField(required=False, allow_blank=True, default="")
    override_reason = drf_serializers.CharField(required=False, allow_blank=True, default="")
    version = drf_serializers.IntegerField(required=False, min_value=1)


def _expected_version(request, data) -> int | None:
    header = request.headers.get("If-Match", "").strip().strip("W/").strip('"')
    if header:
        try:
            return int(header)
        except ValueError:
            raise DomainError("If-Match must be the claim's version number (its ETag).") from None
    return data.get("version")


class ClaimViewSet(viewsets.ReadOnlyModelViewSet):
    """Claims with their appearances and evidence. Filter by status and verdict (repeatable).
    Workflow actions are POSTs on the claim; each runs the same service as the browser."""

    serializer_class = serializers.ClaimSerializer
    filterset_class = ClaimFilter

    def get_queryset(self):
        return Claim.objects.prefetch_related(
            Prefetch(
                "appearances",
                queryset=Appearance.objects.select_related("claimant", "article").order_by("id"),
            ),
            Prefetch(
                "evidence", queryset=EvidenceLink.objects.select_related("source").order_by("id")
            ),
        )

    def _run(self, request, service, **fields):
        claim = self.get_object()
        data = WorkflowInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        kwargs = {name: values.get(name, default) for name, default in fields.items()}
        claim = service(
            claim=claim, by=request.user, version=_expected_version(request, values), **kwargs
        )
        claim = self.get_queryset().get(pk=claim.pk)
        return Response(self.get_serializer(claim).data, headers={"ETag": f'"{claim.version}"'})

    @extend_schema(request=WorkflowInput, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        return self._run(request, claim_services.claim_propose_verdict, verdict="", rationale="")

    @extend_schema(request=WorkflowInput, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._run(request, claim_services.claim_submit_for_review)

    @extend_schema(request=WorkflowInput, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._run(request, claim_services.review_approve, note="", override_reason="")

    @extend_schema(request=WorkflowInput, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        return self._run(request, claim_services.review_send_back, note="")

    @extend_schema(request=WorkflowInput, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._run(request, claim_services.claim_reopen, note="")


class ArticleViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ArticleSerializer
    filterset_class = ArticleFilter

    def get_queryset(self):
        return Article.objects.select_related("outlet")
