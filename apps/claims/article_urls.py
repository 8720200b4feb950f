"""The article list and reading page (apps/claims/article_views.py). They are claims screens,
served by the claims app; the namespace stays `articles` so every `articles:…` URL name and
path (/articles/…) is unchanged."""

from django.urls import path

from . import article_views as views

app_name = "articles"
urlpatterns = [
    path("", views.article_list, name="list"),
    path("<int:pk>/", views.article_detail, name="detail"),
    path("<int:pk>/claims/", views.article_claims, name="claims_here"),
    path("<int:pk>/restore-removed/", views.article_restore_removed, name="restore_removed"),
]
