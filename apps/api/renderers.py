from rest_framework.renderers import BaseRenderer, JSONRenderer


class JSONLDRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


class CSVRenderer(BaseRenderer):
    """Marks text/csv as a format of the claim list; the list view streams the CSV itself
    (apps.api.exports) so that any number of rows is written in constant memory. Errors
    raised before streaming starts are rendered as JSON."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data, "application/json", renderer_context)
