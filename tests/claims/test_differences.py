"""Where reports differ: places from the gazetteer, quantities and dates, each value with
the reports that say it. Sentences written for these tests."""

import pytest
from django.urls import reverse

from apps.articles.models import Outlet
from apps.claims import services
from apps.claims.differences import (
    claim_differences,
    claims_that_disagree,
    with_disagreement,
)
from apps.claims.models import ClaimDifferences
from apps.claims.nlp.details import text_details
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

LISBON = "The trade ministers will meet in Lisbon on Thursday, officials said."
MADRID = "Officials said the trade ministers will meet in Madrid on Thursday."
PORTUGAL = "The trade ministers will meet in Portugal on Thursday, according to officials."


def _outlet(name: str) -> Outlet:
    return Outlet.objects.create(name=name, domain=name.lower().replace(" ", "") + ".example")


def _claim(analyst, texts, outlets=None, claimants=None):
    outlets = outlets or [None] * len(texts)
    claimants = claimants or [""] * len(texts)
    articles = [
        ArticleFactory(text=text, outlet=_outlet(o) if o else None)
        for text, o in zip(texts, outlets, strict=True)
    ]
    claim = services.claim_create(
        article=articles[0],
        start=0,
        end=len(texts[0]),
        quote=texts[0],
        by=analyst,
        claimant_name=claimants[0],
    )
    for article, text, claimant in zip(articles[1:], texts[1:], claimants[1:], strict=True):
        services.appearance_create(
            claim=claim,
            article=article,
            start=0,
            end=len(text),
            quote=text,
            by=analyst,
            claimant_name=claimant,
        )
    return claim


def _values(result, kind):
    return {row["value"]: row for row in result["kinds"][kind]["values"]}


def test_places_of_any_country_come_from_the_gazetteer_with_quantities_and_dates():
    details = text_details(
        "Ferries from Cebu to Tromsø carried 1,200 passengers in the spring of 2021, "
        "and the port near Mombasa handled $40 million of goods on 3 June."
    )
    shown = {(d.kind, d.text) for d in details}
    assert {("place", "Cebu"), ("place", "Tromsø"), ("place", "Mombasa")} <= shown
    assert {("number", "1,200"), ("number", "$40 million")} <= shown
    assert {("date", "2021"), ("date", "spring"), ("date", "3 June")} <= shown
    assert ("number", "3") not in shown  # the day of the month is part of the date


def test_reports_naming_different_cities_differ_each_value_with_its_reports(analyst):
    claim = _claim(analyst, [LISBON, MADRID], outlets=["Outlet A", "Outlet B"])
    result = claim_differences(claim)
    assert result["disagrees"] is True and result["differing"] == ["place"]
    places = _values(result, "place")
    assert places["Lisbon"]["said_by"] == "report 1, Outlet A"
    assert places["Madrid"]["said_by"] == "report 2, Outlet B"
    assert result["summary"]["place"] == "Lisbon — report 1, Outlet A; Madrid — report 2, Outlet B"
    stored = ClaimDifferences.objects.get(claim=claim)
    assert stored.disagrees and stored.kinds == ["place"]
    assert stored.summary["place"][0]["value"] == "Lisbon"
    assert stored.summary["place"][0]["reports"][0]["outlet"] == "Outlet A"


def test_a_city_and_its_country_do_not_differ(analyst):
    result = claim_differences(_claim(analyst, [LISBON, PORTUGAL]))
    assert result["disagrees"] is False
    # The country is context of the city, the city is what the first report says.
    assert set(_values(result, "place")) == {"Lisbon", "Portugal"}
    assert _values(result, "date")["Thursday"]["everywhere"]


def test_numbers_of_the_same_thing_differ_and_the_same_number_written_otherwise_does_not(
    analyst,
):
    differing = claim_differences(
        _claim(
            analyst,
            [
                "The new factory will employ 1,200 workers, the company said.",
                "The company said the new factory will employ 1,500 workers.",
            ],
        )
    )
    assert differing["differing"] == ["number"]
    same = claim_differences(
        _claim(
            analyst,
            [
                "The new plant will employ 1,200 workers, the company said.",
                "The company said the new plant will employ 1.2 thousand workers.",
            ],
        )
    )
    assert same["disagrees"] is False
    assert len(same["kinds"]["number"]["values"]) == 1


def test_numbers_about_different_things_do_not_differ(analyst):
    result = claim_differences(
        _claim(
            analyst,
            [
                "The bridge, which took 4 years to build, carries 40,000 cars a day.",
                "The bridge, which cost $300 million, carries 40,000 cars a day.",
            ],
        )
    )
    assert result["disagrees"] is False
    assert _values(result, "number")["4"]["said_by"] == "report 1"
    assert _values(result, "number")["$300 million"]["said_by"] == "report 2"


def test_dates_differ_but_relative_dates_are_shown_and_not_counted(analyst):
    dates = claim_differences(
        _claim(
            analyst,
            [
                "The referendum on the new constitution will be held on 14 March.",
                "The referendum on the new constitution will be held on 21 March.",
            ],
        )
    )
    assert dates["differing"] == ["date"]
    assert {"14 March", "21 March"} <= set(_values(dates, "date"))
    relative = claim_differences(
        _claim(
            analyst,
            [
                "The museum will reopen tomorrow after two years of repairs.",
                "The museum reopens today after two years of repairs.",
                "The museum will reopen on Friday after two years of repairs.",
            ],
        )
    )
    # Written on different days, the three may all mean the same day.
    assert relative["disagrees"] is False
    shown = {row["value"]: row["said_by"] for row in relative["kinds"]["date"]["relative"]}
    assert shown == {"tomorrow": "report 1", "today": "report 2"}


def test_outlet_and_claimant_names_are_not_listed_as_places(analyst):
    texts = [
        "Floods forced 200 families from their homes near Mobile, the Houston Courier reported.",
        "Lincoln said floods forced 200 families from their homes near Mobile.",
    ]
    claim = _claim(analyst, texts, outlets=["Gulf Wire", None])
    services.claimant_update(
        claimant=services.claimant_resolve(name="Maria Lincoln"),
        by=analyst,
        kind="person",
        role="",
    )
    claim.appearances.filter(quote=texts[1]).update(
        claimant=services.claimant_match(name="Maria Lincoln")
    )
    _outlet("The Houston Courier")  # tracked, though not this claim's
    result = claim_differences(claim)
    assert set(_values(result, "place")) == {"Mobile"}
    assert result["disagrees"] is False


def test_one_appearance_has_nothing_to_compare(analyst):
    result = claim_differences(_claim(analyst, [LISBON]))
    assert result["disagrees"] is False and result["appearance_count"] == 1


def test_list_filter_follows_new_appearances_after_commit(
    analyst, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        claim = _claim(analyst, [LISBON, MADRID])
        agreeing = _claim(analyst, [MADRID])
    assert list(claims_that_disagree()) == [claim]
    flags = {c.pk: c.details_disagree for c in with_disagreement(type(claim).objects.all())}
    assert flags == {claim.pk: True, agreeing.pk: False}


def test_differences_panel_shows_each_value_with_its_reports(analyst, analyst_client):
    claim = _claim(analyst, [LISBON, MADRID], outlets=["Outlet A", "Outlet B"])
    response = analyst_client.get(reverse("suggestions:differences", args=[claim.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="differences"' in body
    assert "Lisbon — report 1, Outlet A; Madrid — report 2, Outlet B" in body
    assert "report 2</a>, Outlet B" in body
    data = analyst_client.get(
        reverse("suggestions:differences", args=[claim.pk]), HTTP_ACCEPT="application/json"
    ).json()
    assert data["disagrees"] is True


def test_panel_needs_login(client):
    response = client.get(reverse("suggestions:differences", args=[1]))
    assert response.status_code == 302
