"""The Atom feed of published fact-checks (django.contrib.syndication) and the sitemap
(django.contrib.sitemaps); both list published claims only, at their public address.

The sitemap is a sitemap index (/sitemap.xml) of sections paginated SITEMAP_PAGE_SIZE
addresses a file (/sitemap-fact-checks.xml?p=N): one file of 100,000 addresses would be
past what one response should carry, and Django's section view serves only its first page
unless the index links the others. Fact-checks are listed by id, so a new publication adds
to the last page and leaves the others (and their Last-Modified) as they were."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.db.models import Max
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from . import public
from .models import Claim, Status, Verdict

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


SITEMAP_PAGE_SIZE = 5_000


class FactCheckSitemap(Sitemap):
    changefreq = "weekly"
    limit = SITEMAP_PAGE_SIZE

    def items(self):
        return (
            Claim.objects.filter(status=Status.PUBLISHED)
            .order_by("id")
            .only("statement", "updated_at")
        )

    def location(self, claim):
        return public.public_path(claim)

    def lastmod(self, claim):
        return claim.updated_at

    def get_latest_lastmod(self):
        # Django's default calls lastmod() on every item: 100,000 rows for the index.
        return Claim.objects.filter(status=Status.PUBLISHED).aggregate(last=Max("updated_at"))[
            "last"
        ]


class FactCheckIndexSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["fact_checks:index"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"index": FactCheckIndexSitemap, "fact-checks": FactCheckSitemap}
