"""The Atom feed of published fact-checks (django.contrib.syndication) and the sitemap
(django.contrib.sitemaps); both list published claims only, at their public address.

The sitemap is a sitemap index (/sitemap.xml) of sections paginated SITEMAP_PAGE_SIZE
addresses a file (/sitemap-fact-checks.xml?p=N): one file of 100,000 addresses would be
past what one response should carry, and Django's section view serves only its first page
unless the index links the others. Fact-checks are listed by id, so a new publication adds
to the last page and leaves the others (and their Last-Modified) as they were."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.contrib.syndication.views import Feed
from django.db.models import Max
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_safe

from . import public
from .models import Claim, Status, Verdict
from .public_views import listing_condition

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

    def get_feed(self, obj, request):
        self._path = public.public_paths()  # the address prefix once, not per item
        return super().get_feed(obj, request)

    def item_link(self, claim):
        return self._path(claim)

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

    def get_urls(self, *args, **kwargs):
        # The address prefix once per section page, not reverse() per address.
        self._path = public.public_paths()
        return super().get_urls(*args, **kwargs)

    def location(self, claim):
        return self._path(claim)

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


def _without_own_last_modified(view):
    """Django's section view sets Last-Modified to the latest lastmod on the page; that
    goes back in time when the page's latest claim is withdrawn, so the listing's own
    value (public.listing_last_modified) is the one sent."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.has_header("Last-Modified"):
            del response["Last-Modified"]
        return response

    return wrapped


# Conditional GET (ETag, Last-Modified) on the feed and the sitemap, as on the index.
feed = require_safe(listing_condition(FactCheckFeed()))
sitemap_index = require_safe(listing_condition(sitemap_views.index))
sitemap_section = require_safe(listing_condition(_without_own_last_modified(sitemap_views.sitemap)))
