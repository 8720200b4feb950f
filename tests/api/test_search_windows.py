"""Full-text `q` pages are read newest first in windows of claim ids
(KeysetPagination.newest_first): the pages must be exactly those of the plain query."""

import random

import pytest
from django.db import connection

from apps.api.filters import claim_text_search
from apps.api.pagination import KeysetPagination
from apps.claims.models import Appearance, Claim

pytestmark = pytest.mark.django_db

WORDS = ["grain", "export", "budget", "vaccine", "border", "tariff"]


@pytest.fixture
def searchable(article):
    """120 claims; words drawn so that some are common, some rare, some only in quotes, and
    runs of ids match nothing (so windows come back empty)."""
    rng = random.Random(6)
    made = []
    for n in range(120):
        words = rng.sample(WORDS[:4], rng.choice((0, 1, 2))) if n % 40 < 30 else []
        if n % 17 == 0:
            words.append("tariff")
        status = rng.choice(["new", "published"])
        claim = Claim.objects.create(
            statement=" ".join(["Claim", str(n), *words]),
            status=status,
            verdict="false" if status == "published" else "",
        )
        if n % 3 == 0:
            quote = "border" if n % 6 == 0 else "nothing here"
            Appearance.objects.create(
                claim=claim, article=article, start=n, end=n + len(quote), quote=quote
            )
        made.append(claim)
    return made


def _pages(api, params) -> list[list[int]]:
    pages = []
    response = api.get("/api/claims/", params).json()
    while True:
        pages.append([c["id"] for c in response["results"]])
        if not response["next"]:
            return pages
        response = api.get(response["next"]).json()


def _plain(q: str, page_size: int, **filters) -> list[list[int]]:
    ids = list(
        Claim.objects.filter(claim_text_search(q), **filters)
        .order_by("-id")
        .values_list("id", flat=True)
    )
    return [ids[i : i + page_size] for i in range(0, len(ids), page_size)] or [[]]


@pytest.mark.parametrize("first_window,growth", [(1, 2), (3, 2), (7, 8), (4096, 8)])
def test_windowed_search_pages_equal_the_plain_query(
    analyst_api, searchable, monkeypatch, first_window, growth
):
    monkeypatch.setattr(KeysetPagination, "first_window", first_window)
    monkeypatch.setattr(KeysetPagination, "window_growth", growth)
    queries = ["grain", "tariff", "border", "grain budget", "grain or tariff", "-grain", "zebra"]
    for q in queries:
        for page_size in (1, 5, 50):
            got = _pages(analyst_api, {"q": q, "page_size": page_size})
            assert got == _plain(q, page_size), (q, page_size)
        got = _pages(analyst_api, {"q": q, "status": "published", "page_size": 4})
        assert got == _plain(q, 4, status="published"), q


def test_small_windows_are_used_and_stop_once_the_page_is_full(
    analyst_api, searchable, monkeypatch
):
    """With a first window of 3 ids the page is read in several windows; a page that the
    first window fills needs no more."""
    monkeypatch.setattr(KeysetPagination, "first_window", 3)
    seen = []

    def count(execute, sql, params, many, context):
        if sql.startswith('SELECT "claims_claim"."id" AS "id", "claims_claim"."statement"'):
            seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert len(_pages(analyst_api, {"q": "grain", "page_size": 10})[0]) == 10
    assert len(seen) > 2
    seen.clear()
    newest = searchable[-1]  # the newest 3 ids match: the first window fills the page
    Claim.objects.filter(pk__in=[c.pk for c in searchable[-3:]]).update(statement="grain")
    with connection.execute_wrapper(count):
        page = analyst_api.get("/api/claims/", {"q": "grain", "page_size": 1}).json()
    assert [c["id"] for c in page["results"]] == [newest.id]
    assert len(seen) == 1


def test_search_in_other_orderings_is_not_windowed_and_still_right(analyst_api, searchable):
    page = analyst_api.get("/api/claims/", {"q": "grain", "ordering": "id"}).json()
    got = [c["id"] for c in page["results"]]
    want = list(
        Claim.objects.filter(claim_text_search("grain")).order_by("id").values_list("id", flat=True)
    )
    assert got == want[:50]


def test_search_with_a_bad_filter_is_still_a_400(analyst_api, searchable):
    response = analyst_api.get("/api/claims/", {"q": "grain", "status": "bogus"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
