"""Articles (a push starts an ingest job) and outlets."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from apps.articles.models import Article, Outlet
from apps.ingestion.models import IngestJob
from apps.ingestion.services import job_submit_content, job_submit_url

from .. import serializers
from ..filters import ArticleFilter, OutletFilter
from .base import ConditionalMixin, detail_url

ACCEPTED = OpenApiResponse(
    serializers.IngestJobSerializer,
    description="The ingest job was queued; poll its `Location` (GET /api/jobs/{id}/).",
)


@extend_schema_view(
    list=extend_schema(summary="List articles"),
    retrieve=extend_schema(
        summary="An article with its text", responses=serializers.ArticleDetailSerializer
    ),
    create=extend_schema(
        summary="Push an article (text, HTML or a URL to fetch)",
        request=serializers.ArticlePushInput,
        responses={202: ACCEPTED},
    ),
)
class ArticleViewSet(
    ConditionalMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    filterset_class = ArticleFilter

    def get_queryset(self):
        queryset = Article.objects.select_related("outlet")
        return queryset if self.action == "retrieve" else queryset.defer("text")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.ArticleDetailSerializer
        return serializers.ArticleSerializer

    def create(self, request, *args, **kwargs):
        data = serializers.ArticlePushInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        content = values.get("content") or ""
        if content.strip():
            metadata = {
                key: values[key]
                for key in ("url", "title", "language", "outlet", "outlet_domain")
                if values.get(key)
            }
            if values.get("authors"):
                metadata["authors"] = values["authors"]
            if values.get("published_at"):
                metadata["published_at"] = values["published_at"].isoformat()
            job = job_submit_content(
                name=values.get("title") or values.get("url") or "API push",
                content=content,
                fmt=values["format"],
                metadata=metadata,
                by=request.user,
                channel=IngestJob.Channel.PUSH,
            )
        else:
            job = job_submit_url(url=values["url"], by=request.user)
        job.refresh_from_db()
        location = detail_url(request, "job", job.pk)
        return Response(
            serializers.IngestJobSerializer(job).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": location},
        )


@extend_schema_view(
    list=extend_schema(summary="List outlets"), retrieve=extend_schema(summary="An outlet")
)
class OutletViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.OutletSerializer
    filterset_class = OutletFilter
    queryset = Outlet.objects.all()
