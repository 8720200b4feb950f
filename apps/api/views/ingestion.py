"""Ingest jobs (their submitter's; editors see all) and feeds (admins)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import BasePermission

from apps.accounts.roles import is_admin, is_editor
from apps.ingestion.models import Feed, IngestJob

from .. import serializers
from ..filters import FeedFilter, IngestJobFilter
from .base import ConditionalMixin


class IsAdminRole(BasePermission):
    message = "Only admins can manage feeds."

    def has_permission(self, request, view):
        return is_admin(request.user)


@extend_schema_view(
    list=extend_schema(summary="List ingest jobs (yours; editors see all)"),
    retrieve=extend_schema(summary="An ingest job's status"),
)
class IngestJobViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.IngestJobSerializer
    filterset_class = IngestJobFilter

    def get_queryset(self):
        jobs = IngestJob.objects.all()
        if getattr(self, "swagger_fake_view", False):
            return jobs.none()
        return jobs if is_editor(self.request.user) else jobs.filter(created_by=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="List feeds (admins)"),
    retrieve=extend_schema(summary="A feed and its polling state (admins)"),
)
class FeedViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.FeedSerializer
    filterset_class = FeedFilter
    permission_classes = [IsAdminRole]
    queryset = Feed.objects.all()
