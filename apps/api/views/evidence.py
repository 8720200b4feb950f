"""Evidence links of claims."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view

from apps.evidence.models import EvidenceLink
from apps.evidence.services import evidence_add

from .. import serializers
from ..filters import EvidenceFilter
from .base import ListRetrieveCreateViewSet


@extend_schema_view(
    list=extend_schema(summary="List evidence links"),
    retrieve=extend_schema(summary="An evidence link"),
    create=extend_schema(
        summary="Link evidence to a claim",
        request=serializers.EvidenceCreateInput,
        responses={201: serializers.EvidenceSerializer},
    ),
)
class EvidenceViewSet(ListRetrieveCreateViewSet):
    serializer_class = serializers.EvidenceSerializer
    filterset_class = EvidenceFilter

    def get_queryset(self):
        return EvidenceLink.objects.select_related("source")

    def create(self, request, *args, **kwargs):
        data = serializers.EvidenceCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        link = evidence_add(by=request.user, **values)
        return self.created(request, link.pk)
