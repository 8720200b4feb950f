"""A sentence is tagged once: tagging it by hand closes its suggestion, and accepting a
suggestion whose span is already tagged (one at a time or in bulk) makes no second claim."""

import pytest
from django.db import IntegrityError, transaction

from apps.claims.models import Appearance, Claim, Suggestion
from apps.claims.services import appearance_create, claim_create
from apps.claims.suggestions import suggestion_accept, suggestions_accept_above
from apps.core.errors import DomainError
from tests.factories import ArticleFactory, ClaimFactory

SENTENCE = (
    "Russia used some 12 million artillery shells in Ukraine in 2022, according to the "
    "Royal United Services Institute."
)
OTHER = "The White House claimed that Putin and Kim had exchanged letters about an arms deal."


@pytest.fixture
def page(db):
    article = ArticleFactory(text=f"{SENTENCE}\n\n{OTHER}", language="en")
    first = Suggestion.objects.create(
        article=article, start=0, end=len(SENTENCE), sentence=SENTENCE, score=0.95
    )
    start = len(SENTENCE) + 2
    second = Suggestion.objects.create(
        article=article, start=start, end=start + len(OTHER), sentence=OTHER, score=0.95
    )
    return article, first, second


def _tag_by_hand(article, analyst, start, end):
    return claim_create(
        article=article, start=start, end=end, quote=article.text[start:end], by=analyst
    )


def test_tagging_a_sentence_by_hand_closes_its_suggestion(page, analyst):
    article, first, second = page
    claim = _tag_by_hand(article, analyst, 0, 40)  # part of the sentence
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == Suggestion.State.ACCEPTED
    assert first.matched_claim == claim and first.appearance == claim.appearances.get()
    assert second.state == Suggestion.State.OPEN


def test_accepting_a_suggestion_on_a_tagged_span_makes_no_second_claim(page, analyst):
    article, first, _ = page
    claim = _tag_by_hand(article, analyst, 0, len(SENTENCE))
    # A suggestion left open from before this rule (or a race): still no second claim.
    Suggestion.objects.filter(pk=first.pk).update(state=Suggestion.State.OPEN)
    with pytest.raises(DomainError) as caught:
        suggestion_accept(suggestion=first, by=analyst)
    assert caught.value.code == "already_tagged"
    assert f"#{claim.pk}" in caught.value.message
    assert Claim.objects.count() == 1
    assert Appearance.objects.filter(article=article).count() == 1
    first.refresh_from_db()
    assert first.state == Suggestion.State.ACCEPTED and first.matched_claim == claim


def test_accept_all_above_skips_what_is_already_tagged_and_says_so(page, analyst):
    article, first, second = page
    claim = _tag_by_hand(article, analyst, 0, len(SENTENCE))
    Suggestion.objects.filter(pk=first.pk).update(state=Suggestion.State.OPEN)
    results = {
        r.suggestion_id: r for r in suggestions_accept_above(article=article, score=0.9, by=analyst)
    }
    assert results[first.pk].skipped and results[first.pk].claim_id == claim.pk
    assert f"already tagged as claim #{claim.pk}" in results[first.pk].message
    assert results[second.pk].ok and results[second.pk].claim_id != claim.pk
    assert Appearance.objects.filter(article=article, start=0).count() == 1


def test_accept_all_view_reports_the_skipped(page, analyst, analyst_client):
    from django.urls import reverse

    article, first, _ = page
    claim = _tag_by_hand(article, analyst, 0, len(SENTENCE))
    Suggestion.objects.filter(pk=first.pk).update(state=Suggestion.State.OPEN)
    response = analyst_client.post(
        reverse("suggestions:accept_above", args=[article.pk]),
        {"score": "0.9"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    assert "1 skipped" in response.content.decode()
    assert f"#{claim.pk}" in response.content.decode()


def test_one_claim_cannot_appear_twice_on_overlapping_spans(page, analyst):
    article, _, _ = page
    claim = _tag_by_hand(article, analyst, 0, len(SENTENCE))
    with pytest.raises(DomainError) as caught:
        appearance_create(
            claim=claim, article=article, start=10, end=40, quote=article.text[10:40], by=analyst
        )
    assert caught.value.code == "duplicate_appearance"


def test_the_database_refuses_two_appearances_of_one_claim_on_one_span(page, analyst):
    article, _, _ = page
    claim = ClaimFactory()
    Appearance.objects.create(claim=claim, article=article, start=0, end=10, quote=SENTENCE[:10])
    with pytest.raises(IntegrityError), transaction.atomic():
        Appearance.objects.create(
            claim=claim, article=article, start=0, end=10, quote=SENTENCE[:10]
        )
