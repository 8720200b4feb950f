"""The "Attach to claim…" list ranks imported fact-checks among our claims, marked
"Checked elsewhere", linked to their review and never attachable."""

import pytest
from django.urls import reverse

from apps.claims.factcheck_matching import reset_factcheck_index
from apps.claims.factchecks import factchecks_import
from apps.claims.selectors import AttachChoice, CheckedElsewhereChoice, attach_list
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

LIBRARIES = "The city council voted to close all public libraries in March 2024"


@pytest.fixture(autouse=True)
def _fresh_index():
    reset_factcheck_index()
    yield
    reset_factcheck_index()


@pytest.fixture
def imported():
    factchecks_import(
        [
            {
                "@type": "ClaimReview",
                "url": "https://checker.example/r/libraries",
                "claimReviewed": LIBRARIES,
                "datePublished": "2024-04-01",
                "author": {"name": "Checker Desk"},
                "reviewRating": {"alternateName": "Mostly false"},
            }
        ]
    )


def test_a_likely_same_factcheck_ranks_before_a_merely_related_claim(imported):
    related = ClaimFactory(statement="The city council debated library opening hours")
    choices = attach_list(quote="Council members decided in March 2024 to shut every library")
    kinds = [type(c) for c in choices]
    assert CheckedElsewhereChoice in kinds
    first = choices[0]
    assert isinstance(first, CheckedElsewhereChoice)
    assert first.tier == "likely_same"
    assert first.factcheck.url == "https://checker.example/r/libraries"
    ours = [i for i, c in enumerate(choices) if isinstance(c, AttachChoice)]
    assert [choices[i].claim for i in ours] == [related] and ours[0] > 0
    assert choices[ours[0]].tier != "likely_same"


def test_the_attach_fragment_marks_it_checked_elsewhere_and_links_the_review(
    imported, analyst_client
):
    ours = ClaimFactory(statement=LIBRARIES)
    response = analyst_client.get(reverse("claims:search"), {"quote": LIBRARIES})
    page = response.content.decode()
    assert "Checked elsewhere" in page
    assert 'href="https://checker.example/r/libraries"' in page
    assert "Checker Desk, 2024: Mostly false" in page
    # Our claim is attachable; the external review has no attach button.
    assert reverse("claims:attach", args=[ours.pk]) in page
    assert page.count('formaction="') == 1
    external = next(c for c in response.context["choices"] if hasattr(c, "factcheck"))
    assert external.tier == "likely_same"


def test_without_imports_the_list_is_our_claims_only(analyst_client):
    ClaimFactory(statement=LIBRARIES)
    response = analyst_client.get(reverse("claims:search"), {"quote": LIBRARIES})
    assert all(isinstance(c, AttachChoice) for c in response.context["choices"])
    assert "Checked elsewhere" not in response.content.decode()


def test_words_typed_find_the_factcheck_too(imported, analyst_client):
    response = analyst_client.get(
        reverse("claims:search"), {"q": "council closes public libraries"}
    )
    assert any(hasattr(c, "factcheck") for c in response.context["choices"])
