from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import factchecks, views

app_name = "api"


class OptionalSlashRouter(SimpleRouter):
    """`/api/claims/search` and `/api/claims/search/` both work: no redirect that a client
    might follow without its Authorization header."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"


router = OptionalSlashRouter()
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("articles", views.ArticleViewSet, basename="article")
router.register("appearances", views.AppearanceViewSet, basename="appearance")
router.register("evidence", views.EvidenceViewSet, basename="evidence")
router.register("claimants", views.ClaimantViewSet, basename="claimant")
router.register("outlets", views.OutletViewSet, basename="outlet")
router.register("jobs", views.IngestJobViewSet, basename="job")
router.register("feeds", views.FeedViewSet, basename="feed")
router.register("factchecks", factchecks.FactCheckViewSet, basename="factcheck")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # The package's page with a link back to the app on top; its start-up script is
        # served from the same URL (?script), not inline, so the page keeps the strict CSP.
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("", include(router.urls)),
    re_path(r"^", views.api_not_found),
]
