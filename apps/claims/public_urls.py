from django.urls import path

from . import public_feeds, public_views

app_name = "fact_checks"

urlpatterns = [
    path("", public_views.index, name="index"),
    path("feed/", public_feeds.feed, name="feed"),
    path("<int:pk>/", public_views.detail_without_slug, name="detail_without_slug"),
    path("<int:pk>-<slug:slug>/", public_views.detail, name="detail"),
]
