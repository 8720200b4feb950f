"""What every API view shares: conditional requests (ETag, If-Match), the JSON 404, the
Location of a created object, and the read-and-create viewset."""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter
from rest_framework import mixins, status, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from ..conditional import with_etag

IF_MATCH_REQUIRED = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description='The claim\'s ETag (or just its version, `"7"`). Missing → 428; stale → 412.',
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description='The claim\'s ETag (or just its version, `"7"`); stale → 412. Without it, '
    "`version` in the body is checked instead (stale → 409), or nothing.",
)


def detail_url(request, basename: str, pk: int) -> str:
    """The absolute URL of one object of the API (``basename`` as registered in urls.py), in
    the form the schema documents: with the trailing slash, which the optional-slash routes
    accept but leave out when reversed."""
    path = reverse(f"api:{basename}-detail", kwargs={"pk": pk})
    return request.build_absolute_uri(path if path.endswith("/") else f"{path}/")


class ConditionalMixin:
    # ETag on every JSON GET, 304 on a matching If-None-Match. (A comment, not a docstring:
    # drf-spectacular would show a docstring as every operation's description.)

    etag_version = None

    def handle_exception(self, exc):
        # Errors are JSON whatever format was asked for (CSV, JSON-LD).
        renderer = getattr(self.request, "accepted_renderer", None)
        if renderer is None or renderer.format in ("csv", "jsonld"):
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return with_etag(request, response, version=self.etag_version)


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Any other URL under /api/: the JSON error shape, not the HTML 404 page."""
    return JsonResponse(
        {
            "error": {
                "code": "not_found",
                "message": "No such API endpoint or object. "
                f"See {reverse('api:docs')} for the endpoints.",
                "details": {},
            }
        },
        status=404,
    )


class ListRetrieveCreateViewSet(
    ConditionalMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Read and create (through a service); no update or delete."""

    def created(self, request, pk: int) -> Response:
        obj = self.get_queryset().get(pk=pk)
        return Response(
            self.get_serializer(obj).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": detail_url(request, self.basename, pk)},
        )
