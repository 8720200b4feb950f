"""Suggestions (accept, dismiss, accept all above a score, re-run) and the differences
panel. Included from config/urls.py under /suggestions/."""

from django.urls import path

from . import suggestion_views as views

app_name = "suggestions"
urlpatterns = [
    path("article/<int:article_id>/", views.article_suggestions, name="article"),
    path("article/<int:article_id>/accept-above/", views.accept_above, name="accept_above"),
    path("article/<int:article_id>/regenerate/", views.regenerate, name="regenerate"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("claim/<int:pk>/differences/", views.claim_differences, name="differences"),
]
