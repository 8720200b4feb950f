"""Appearances (where a claim was made) and claimants (who made it)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from apps.claims import services as claim_services
from apps.claims.models import Appearance, Claimant

from .. import serializers
from ..filters import AppearanceFilter, ClaimantFilter
from .base import ConditionalMixin, ListRetrieveCreateViewSet


@extend_schema_view(
    list=extend_schema(summary="List claimants"), retrieve=extend_schema(summary="A claimant")
)
class ClaimantViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ClaimantSerializer
    filterset_class = ClaimantFilter
    queryset = Claimant.objects.all()


@extend_schema_view(
    list=extend_schema(summary="List appearances (where claims were made)"),
    retrieve=extend_schema(summary="An appearance"),
    create=extend_schema(
        summary="Attach a span of an article to a tracked claim",
        request=serializers.AppearanceCreateInput,
        responses={201: serializers.AppearanceSerializer},
    ),
)
class AppearanceViewSet(ListRetrieveCreateViewSet):
    serializer_class = serializers.AppearanceSerializer
    filterset_class = AppearanceFilter

    def get_queryset(self):
        return Appearance.objects.select_related("claimant", "article")

    def create(self, request, *args, **kwargs):
        data = serializers.AppearanceCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        appearance = claim_services.appearance_create(
            claim=values["claim"],
            article=values["article"],
            start=values["start"],
            end=values["end"],
            quote=values["quote"],
            claimant_name=values.get("claimant", ""),
            guess_claimant="claimant" not in values,
            by=request.user,
        )
        return self.created(request, appearance.pk)
