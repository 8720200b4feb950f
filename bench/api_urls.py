"""Bench-only URLs: the site plus the bare view. Never mounted in production."""

from django.urls import include, path

from bench.api_bare import bare_claims

urlpatterns = [
    path("bench/claims/", bare_claims),
    path("", include("config.urls")),
]
