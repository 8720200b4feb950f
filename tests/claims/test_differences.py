import pytest
from django.urls import reverse

from apps.claims import services
from apps.claims.differences import (
    claim_differences,
    claims_that_disagree,
    extract_details,
    with_disagreement,
)
from apps.claims.models import ClaimDifferences
from tests.factories import ArticleFactory

VLADIVOSTOK = "The Russian president will meet Kim Jong Un in Vladivostok tomorrow, officials said."
MOSCOW = "Kim Jong Un travels to Moscow later this month to meet Vladimir Putin."
COSMODROME = (
    "Kim and Putin are convening for a summit at the Vostochny Cosmodrome space center in "
    "Russia's remote Amur region on 13 September."
)


def test_extracts_places_numbers_dates_and_names():
    details = extract_details(
        "Defence Minister Sergei Shoigu visited Pyongyang in July 2023, and Russia used 12 "
        "million shells in Ukraine, the Royal United Services Institute said."
    )
    assert {"pyongyang", "ukraine", "russia"} <= set(details.places)
    assert "1.2e+07|shells" in details.numbers
    assert "july 2023" in details.dates
    assert "sergei shoigu" in details.names
    assert not any("institute" in name for name in details.names)


def test_site_and_region_names_are_kept_whole():
    details = extract_details(COSMODROME)
    assert details.places["vostochny cosmodrome"] == "Vostochny Cosmodrome"
    assert "amur region" in details.places


def _claim_with_appearances(analyst, texts):
    articles = [ArticleFactory(text=text) for text in texts]
    claim = services.claim_create(
        article=articles[0], start=0, end=len(texts[0]), quote=texts[0], by=analyst
    )
    for article, text in zip(articles[1:], texts[1:], strict=True):
        services.appearance_create(
            claim=claim, article=article, start=0, end=len(text), quote=text, by=analyst
        )
    return claim


def test_reports_that_place_the_meeting_in_different_cities_disagree(analyst):
    claim = _claim_with_appearances(analyst, [VLADIVOSTOK, MOSCOW, COSMODROME])
    result = claim_differences(claim)
    assert result["disagrees"] is True
    assert "place" in result["differing"]
    places = {row["value"] for row in result["kinds"]["place"]["values"]}
    assert {"Vladivostok", "Moscow", "Vostochny Cosmodrome"} <= places
    # Russia is the country around them all: context, not a rival place.
    assert "Russia" not in places
    relative = {row["value"] for row in result["kinds"]["date"]["relative"]}
    assert {"tomorrow", "later this month"} <= relative
    assert len(result["appearances"]) == 3
    stored = ClaimDifferences.objects.get(claim=claim)
    assert stored.disagrees and "place" in stored.kinds


def test_reports_that_agree_do_not_disagree(analyst):
    claim = _claim_with_appearances(
        analyst,
        [
            "Defence Minister Sergei Shoigu visited Pyongyang in July.",
            "In July, Sergei Shoigu visited Pyongyang for the parade.",
        ],
    )
    result = claim_differences(claim)
    assert result["disagrees"] is False
    assert result["differing"] == []


def test_numbers_of_the_same_thing_that_differ(analyst):
    claim = _claim_with_appearances(
        analyst,
        [
            "Russia used some 12 million shells in Ukraine in 2022.",
            "Russia used some 10 million shells in Ukraine in 2022.",
        ],
    )
    result = claim_differences(claim)
    assert result["differing"] == ["number"]
    assert result["disagrees"] is True


def test_one_appearance_has_nothing_to_compare(analyst):
    claim = _claim_with_appearances(analyst, [VLADIVOSTOK])
    result = claim_differences(claim)
    assert result["disagrees"] is False and result["appearance_count"] == 1


def test_list_filter_follows_new_appearances_after_commit(
    analyst, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        claim = _claim_with_appearances(analyst, [VLADIVOSTOK, MOSCOW])
        agreeing = _claim_with_appearances(analyst, [MOSCOW])
    assert list(claims_that_disagree()) == [claim]
    flags = {c.pk: c.details_disagree for c in with_disagreement(type(claim).objects.all())}
    assert flags == {claim.pk: True, agreeing.pk: False}


def test_differences_panel_renders(analyst, analyst_client):
    claim = _claim_with_appearances(analyst, [VLADIVOSTOK, MOSCOW])
    response = analyst_client.get(reverse("suggestions:differences", args=[claim.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="differences"' in body
    assert "Vladivostok" in body and "Moscow" in body
    data = analyst_client.get(
        reverse("suggestions:differences", args=[claim.pk]), HTTP_ACCEPT="application/json"
    ).json()
    assert data["disagrees"] is True


@pytest.mark.django_db
def test_panel_needs_login(client):
    response = client.get(reverse("suggestions:differences", args=[1]))
    assert response.status_code == 302
