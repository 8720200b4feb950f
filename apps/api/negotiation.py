from django.http import Http404
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation


class ApiContentNegotiation(DefaultContentNegotiation):
    """An unknown ?format= is a 400 that names the formats, not DRF's bare 404."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            formats = sorted({r.format for r in renderers if r.format != "api"})
            raise exceptions.ValidationError(
                {"format": [f"Unknown format; this endpoint serves: {', '.join(formats)}."]}
            ) from None
