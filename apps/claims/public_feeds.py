"""The Atom feed of published fact-checks (django.contrib.syndication) and the sitemap
(django.contrib.sitemaps); both list published claims only, at their public address."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from . import public
from .models import Verdict

FEED_ITEMS = 50


class FactCheckFeed(Feed):
    feed_type = Atom1Feed
    description_template = None

    def title(self):
        return f"Fact-checks by {settings.CLAIMTRACK_ORGANIZATION}"

    def subtitle(self):
        return f"The latest fact-checks published by {settings.CLAIMTRACK_ORGANIZATION}."

    def link(self):
        return reverse("fact_checks:index")

    def author_name(self):
        return settings.CLAIMTRACK_ORGANIZATION

    def items(self):
        return public.published_claims().only(
            "statement", "verdict", "rationale", "published_at", "updated_at"
        )[:FEED_ITEMS]

    def item_title(self, claim):
        return f"{Verdict(claim.verdict).label}: {claim.statement}"

    def item_description(self, claim):
        return claim.rationale

    def item_link(self, claim):
        return public.public_path(claim)

    def item_pubdate(self, claim):
        return claim.published_at

    def item_updateddate(self, claim):
        return claim.updated_at


class FactCheckSitemap(Sitemap):
    changefreq = "weekly"
    limit = 10_000

    def items(self):
        return public.published_claims().only("statement", "updated_at")

    def location(self, claim):
        return public.public_path(claim)

    def lastmod(self, claim):
        return claim.updated_at


class FactCheckIndexSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["fact_checks:index"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"index": FactCheckIndexSitemap, "fact-checks": FactCheckSitemap}
