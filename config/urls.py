from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from apps.claims.public_feeds import SITEMAPS, sitemap_index, sitemap_section

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="articles:list", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("account/", include("apps.accounts.urls")),
    path("api/", include("apps.api.urls")),
    path("articles/", include("apps.claims.article_urls")),
    path("claims/", include("apps.claims.urls")),
    path("desk/", include("apps.claims.desk_urls")),
    path("evidence/", include("apps.evidence.urls")),
    # Public, no log-in: published fact-checks, their feed and the sitemap.
    path("fact-checks/", include("apps.claims.public_urls")),
    # A sitemap index of paginated sections (apps/claims/public_feeds.py).
    path(
        "sitemap.xml",
        sitemap_index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap_index",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_section,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("ingest/", include("apps.ingestion.urls")),
    path("suggestions/", include("apps.claims.suggestion_urls")),
]
