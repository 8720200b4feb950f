"""A suggestion or a claim that is likely the same as an imported fact-check says
"Checked by Publisher, year: rating", and an analyst cites the review in one click."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from apps.claims.factcheck_matching import reset_factcheck_index
from apps.claims.factchecks import factchecks_import
from apps.claims.models import ExternalFactCheck, Suggestion
from apps.claims.suggestions import suggestions_generate
from apps.evidence.models import EvidenceLink
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db

SHELLS = "Russia used some 12 million artillery shells in Ukraine in 2022"
TEXT = (
    "Russia used some 12 million artillery shells in Ukraine in 2022, according to the "
    "Royal United Services Institute.\n\n"
    "The city council approved a new budget for road repairs on Tuesday, officials said."
)


@pytest.fixture(autouse=True)
def _fresh_index():
    reset_factcheck_index()
    yield
    reset_factcheck_index()


@pytest.fixture
def factcheck():
    factchecks_import(
        [
            {
                "@type": "ClaimReview",
                "url": "https://checker.example/reviews/shells",
                "name": "Did Russia fire 12 million shells in 2022?",
                "claimReviewed": SHELLS,
                "datePublished": "2023-03-02",
                "author": {"@type": "Organization", "name": "Checker Desk"},
                "reviewRating": {"alternateName": "False"},
            },
            {
                "@type": "ClaimReview",
                "url": "https://checker.example/reviews/lemon",
                "claimReviewed": "Drinking hot water with lemon cures the common cold",
                "author": {"name": "Other Desk"},
                "reviewRating": {"alternateName": "Misleading"},
            },
        ]
    )
    return ExternalFactCheck.objects.get(url="https://checker.example/reviews/shells")


def test_a_suggestion_likely_the_same_stores_and_shows_the_factcheck(factcheck, analyst_client):
    article = ArticleFactory(text=TEXT, language="en")
    suggestions = suggestions_generate(article=article)
    shells = next(s for s in suggestions if s.sentence.startswith("Russia used"))
    assert shells.matched_factcheck == factcheck
    assert shells.factcheck_tier == "likely_same"
    others = [s for s in suggestions if s.pk != shells.pk]
    assert all(s.factcheck_tier != "likely_same" for s in others)

    page = analyst_client.get(reverse("suggestions:article", args=[article.pk])).content.decode()
    assert "Checked by Checker Desk, 2023: False" in page
    assert 'href="https://checker.example/reviews/shells"' in page
    assert reverse("evidence:factcheck_cite", args=[factcheck.pk]) in page
    assert page.count("Checked by ") == 1


def test_cite_from_a_suggestion_makes_the_claim_and_links_the_review(factcheck, analyst_client):
    article = ArticleFactory(text=TEXT, language="en")
    shells = next(
        s for s in suggestions_generate(article=article) if s.sentence.startswith("Russia")
    )
    response = analyst_client.post(
        reverse("evidence:factcheck_cite", args=[factcheck.pk]), {"suggestion": shells.pk}
    )
    shells.refresh_from_db()
    assert shells.state == Suggestion.State.ACCEPTED
    link = EvidenceLink.objects.select_related("source").get(claim=shells.matched_claim)
    assert response.status_code == 302
    assert response.url == reverse("claims:detail", args=[link.claim_id])
    assert link.stance == "context"
    assert link.source.url == factcheck.url
    assert link.source.publisher == "Checker Desk"
    assert link.source.title == "Did Russia fire 12 million shells in 2022?"
    assert "False" in link.note


def test_claim_page_says_checked_by_and_cites_with_the_chosen_stance(
    factcheck, analyst_client, analyst
):
    claim = ClaimFactory(statement=SHELLS + ".", created_by=analyst)
    page = analyst_client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "Checked by Checker Desk, 2023: False" in page
    assert "Cite as evidence" in page

    response = analyst_client.post(
        reverse("evidence:factcheck_cite", args=[factcheck.pk]),
        {"claim": claim.pk, "stance": "refutes"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Cited as evidence." in body and "Cite as evidence</button>" not in body
    link = EvidenceLink.objects.select_related("source").get(claim=claim)
    assert (link.stance, link.source.url) == ("refutes", factcheck.url)

    again = analyst_client.post(
        reverse("evidence:factcheck_cite", args=[factcheck.pk]), {"claim": claim.pk}
    )
    assert again.status_code == 400
    assert EvidenceLink.objects.filter(claim=claim).count() == 1


def test_a_claim_unlike_any_factcheck_says_nothing(factcheck, analyst_client):
    claim = ClaimFactory(statement="The city council approved a new budget for road repairs")
    page = analyst_client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "Checked by" not in page


def test_an_opposite_claim_is_not_said_to_be_checked(factcheck, analyst_client):
    claim = ClaimFactory(statement="Russia used fewer than one million artillery shells in 2022")
    page = analyst_client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "Checked by Checker Desk" not in page


def test_a_user_without_a_role_sees_the_line_but_cannot_cite(factcheck, client):
    claim = ClaimFactory(statement=SHELLS)
    client.force_login(User.objects.create_user("reader", password="x"))
    page = client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "Checked by Checker Desk, 2023: False" in page
    assert "Cite as evidence" not in page
    response = client.post(
        reverse("evidence:factcheck_cite", args=[factcheck.pk]),
        {"claim": claim.pk},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 403
    assert not EvidenceLink.objects.filter(claim=claim).exists()
