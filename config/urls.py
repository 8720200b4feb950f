from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="articles:list", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("account/", include("apps.accounts.urls")),
    path("api/", include("apps.api.urls")),
    path("articles/", include("apps.articles.urls")),
    path("claims/", include("apps.claims.urls")),
    path("desk/", include("apps.claims.desk_urls")),
    path("evidence/", include("apps.evidence.urls")),
    path("ingest/", include("apps.ingestion.urls")),
    path("suggestions/", include("apps.claims.suggestion_urls")),
]
