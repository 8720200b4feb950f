import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from apps.claims.models import Appearance, Suggestion, SuggestionRun
from apps.claims.suggestions import (
    score_sentences_in,
    suggestion_accept,
    suggestion_dismiss,
    suggestions_accept_above,
    suggestions_generate,
)
from apps.claims.suggestions import threshold as suggestions_threshold
from apps.core.errors import DomainError, NotAllowed
from tests.factories import ArticleFactory, ClaimFactory

TEXT = (
    "Russia and North Korea prepare for talks\n\n"
    "Russia used some 12 million artillery shells in Ukraine in 2022, according to the "
    "Royal United Services Institute.\n\n"
    "“It is a beautiful day,” he said.\n\n"
    "Defence Minister Sergei Shoigu visited Pyongyang in July, the agency reported.\n\n"
    "What happens next?\n\n"
    "The White House claimed that Putin and Kim had exchanged letters discussing a possible "
    "arms deal."
)


@pytest.fixture
def news(db):
    return ArticleFactory(text=TEXT, language="en")


def test_every_sentence_is_scored_and_headings_questions_are_not_eligible():
    scored = {s.text: s for s in score_sentences_in(TEXT)}
    assert not scored["Russia and North Korea prepare for talks"].eligible
    assert scored["Russia and North Korea prepare for talks"].note == "heading"
    assert scored["What happens next?"].note == "question"
    shells = next(s for t, s in scored.items() if t.startswith("Russia used"))
    assert shells.eligible and 0 <= shells.model_score <= 1 and 0 <= shells.score <= 1


def test_suggests_check_worthy_sentences_with_score_and_claimant(news):
    suggestions = suggestions_generate(article=news)
    sentences = [s.sentence for s in suggestions]
    assert any(s.startswith("Russia used some 12 million") for s in sentences)
    assert "“It is a beautiful day,” he said." not in sentences
    assert "What happens next?" not in sentences
    shells = next(s for s in suggestions if s.sentence.startswith("Russia used"))
    assert news.text[shells.start : shells.end] == shells.sentence
    assert shells.claimant_name == "Royal United Services Institute"
    assert shells.model_score is not None
    run = SuggestionRun.objects.get(article=news)
    assert run.outcome == SuggestionRun.Outcome.SUGGESTED
    assert run.suggested == len(suggestions)


def test_running_again_leaves_the_same_rows(news):
    first = suggestions_generate(article=news)
    second = suggestions_generate(article=news)
    assert [(s.pk, s.start, s.end, s.score) for s in first] == [
        (s.pk, s.start, s.end, s.score) for s in second
    ]
    assert Suggestion.objects.filter(article=news).count() == len(first)


def test_decided_suggestions_survive_a_rerun(news, analyst):
    first = suggestions_generate(article=news)
    dismissed = suggestion_dismiss(suggestion=first[0], by=analyst)
    again = suggestions_generate(article=news)
    dismissed.refresh_from_db()
    assert dismissed.state == Suggestion.State.DISMISSED
    assert dismissed.pk not in [s.pk for s in again]


def test_near_duplicate_gets_no_suggestions_and_says_why(news):
    copy = ArticleFactory(text=TEXT, duplicate_of=news)
    assert suggestions_generate(article=copy) == []
    run = SuggestionRun.objects.get(article=copy)
    assert run.outcome == SuggestionRun.Outcome.SKIPPED_DUPLICATE
    assert f"#{news.pk}" in run.reason
    assert not Suggestion.objects.filter(article=copy).exists()


def test_language_the_model_does_not_cover_is_skipped_with_a_reason(db):
    finnish = ArticleFactory(
        language="",
        text=(
            "Venäjä on loppumassa ammuksista, joita se käyttää sodassa Ukrainassa. "
            "Pohjois-Korea voisi myydä Venäjälle tykistön ammuksia, tutkija arvioi."
        ),
    )
    assert suggestions_generate(article=finnish) == []
    run = SuggestionRun.objects.get(article=finnish)
    assert run.outcome == SuggestionRun.Outcome.SKIPPED_LANGUAGE
    assert "Finnish" in run.reason and "English" in run.reason
    finnish.refresh_from_db()
    assert finnish.language == "fi"


def test_a_suggestion_is_matched_as_the_claim_it_would_make(news):
    # Tracked statements leave out who says them, so the sentence is matched without its
    # "according to …": the same claim, one click from confirmed.
    claim = ClaimFactory(
        statement="Russia used some 12 million artillery shells in Ukraine in 2022."
    )
    suggestions = suggestions_generate(article=news)
    shells = next(s for s in suggestions if s.sentence.startswith("Russia used"))
    assert (shells.matched_claim, shells.match_tier) == (claim, "likely_same")
    assert shells.match_score > 0.95


def test_a_suggestion_is_matched_to_a_tracked_claim(news):
    claim = ClaimFactory(
        statement="Russia used 12 million artillery shells in Ukraine in 2022, RUSI says"
    )
    suggestions = suggestions_generate(article=news)
    shells = next(s for s in suggestions if s.sentence.startswith("Russia used"))
    assert shells.matched_claim == claim
    assert shells.match_tier in ("likely_same", "related")
    assert shells.match_score > 0


def test_accept_makes_a_claim_marked_as_from_a_suggestion(news, analyst):
    suggestion = suggestions_generate(article=news)[0]
    appearance = suggestion_accept(suggestion=suggestion, by=analyst, statement="Edited words")
    assert appearance.origin == Appearance.Origin.SUGGESTION
    assert appearance.claim.statement == "Edited words"
    # Made as a suggestion's appearance, not changed into one: the history has one event.
    events = django_apps.get_model("claims", "AppearanceEvent").objects.filter(
        pgh_obj_id=appearance.pk
    )
    assert list(events.values_list("pgh_label", "origin")) == [("insert", "suggestion")]
    assert (appearance.start, appearance.end) == (suggestion.start, suggestion.end)
    suggestion.refresh_from_db()
    assert suggestion.state == Suggestion.State.ACCEPTED
    assert suggestion.appearance == appearance
    assert suggestion.decided_by == analyst
    with pytest.raises(DomainError, match="already accepted"):
        suggestion_accept(suggestion=suggestion, by=analyst)


def test_accept_onto_a_tracked_claim_adds_an_appearance(news, analyst):
    claim = ClaimFactory(statement="Shoigu visited North Korea")
    suggestion = next(s for s in suggestions_generate(article=news) if "Shoigu" in s.sentence)
    appearance = suggestion_accept(suggestion=suggestion, by=analyst, claim=claim)
    assert appearance.claim == claim
    assert appearance.origin == Appearance.Origin.SUGGESTION


def test_only_analysts_decide(news, django_user_model):
    nobody = django_user_model.objects.create_user(username="reader", password="x")
    suggestion = suggestions_generate(article=news)[0]
    with pytest.raises(NotAllowed):
        suggestion_accept(suggestion=suggestion, by=nobody)
    with pytest.raises(NotAllowed):
        suggestion_dismiss(suggestion=suggestion, by=nobody)


def test_accept_above_a_score_reports_each_one(news, analyst):
    suggestions = suggestions_generate(article=news)
    cutoff = sorted(s.score for s in suggestions)[-2]
    results = suggestions_accept_above(article=news, score=cutoff, by=analyst)
    assert len(results) == sum(1 for s in suggestions if s.score >= cutoff)
    assert all(r.ok and r.claim_id for r in results)
    with pytest.raises(DomainError):
        suggestions_accept_above(article=news, score="high", by=analyst)


def test_margin_fragment_and_buttons(news, analyst_client):
    suggestions_generate(article=news)
    url = reverse("suggestions:article", args=[news.pk])
    page = analyst_client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="suggestions"' in body and "Russia used some 12 million" in body
    first = Suggestion.objects.filter(article=news).order_by("start").first()
    response = analyst_client.post(
        reverse("suggestions:dismiss", args=[first.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Suggestion dismissed." in response.content.decode()
    again = analyst_client.post(
        reverse("suggestions:dismiss", args=[first.pk]), HTTP_ACCEPT="application/json"
    )
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "already_decided"
    accepted = analyst_client.post(
        reverse(
            "suggestions:accept",
            args=[Suggestion.objects.filter(article=news, state="open").first().pk],
        ),
        HTTP_ACCEPT="application/json",
    )
    assert accepted.status_code == 200 and accepted.json()["claim"]


@pytest.mark.django_db
def test_the_score_is_the_models_own_and_the_threshold_the_models(news):
    """Nothing in the suggester is tuned on the samples: a sentence scores what the model
    says of it alone, whatever article it is in, and the default threshold is the one the
    model was calibrated with on its own training data."""
    from apps.claims.suggestions import checkworthy_model, threshold

    model = checkworthy_model()
    sentence = "The regional parliament voted down the new coal tax in May, officials said."
    alone = {s.text: s for s in score_sentences_in(sentence)}[sentence]
    in_news = {s.text: s for s in score_sentences_in(TEXT + "\n\n" + sentence)}[sentence]
    assert alone.score == in_news.score == alone.model_score
    assert alone.score == pytest.approx(model.score([sentence])[0], abs=1e-4)
    assert threshold() == model.threshold


def test_accept_above_never_attaches_across_a_difference_in_direction(analyst):
    opposite = ClaimFactory(statement="The regional parliament approved the new mining law in May.")
    same = ClaimFactory(statement="In May the regional parliament voted down the new coal tax.")
    article = ArticleFactory(
        text=(
            "The regional parliament rejected the new mining law in May, after a long debate.\n\n"
            "The regional parliament voted down the new coal tax in May, officials said."
        ),
        language="en",
    )
    suggestions = {s.sentence: s for s in suggestions_generate(article=article)}
    mining = next(s for k, s in suggestions.items() if "mining" in k)
    coal = next(s for k, s in suggestions.items() if "coal" in k)
    assert (mining.matched_claim, mining.match_tier) == (opposite, "related")
    assert (coal.matched_claim, coal.match_tier) == (same, "likely_same")
    results = {
        r.suggestion_id: r for r in suggestions_accept_above(article=article, score=0, by=analyst)
    }
    assert results[mining.pk].claim_id not in (opposite.pk, same.pk)  # a new claim
    assert results[coal.pk].claim_id == same.pk  # attached


FACTUAL = [
    f"The city council said unemployment in district {n} rose to {n + 4}.{n} percent in 2023."
    for n in range(1, 21)
]


def test_an_article_of_facts_gets_at_most_a_fifth_of_its_sentences_most_worthy_first(db, settings):
    article = ArticleFactory(text="\n\n".join(FACTUAL), language="en")
    scored = [s for s in score_sentences_in(article.text) if s.eligible]
    over = [s for s in scored if s.score >= suggestions_threshold()]
    assert len(over) > 4, "the test needs more sentences over the threshold than the budget"

    suggestions = suggestions_generate(article=article)

    assert len(suggestions) == 4  # a fifth of 20 sentences
    kept = sorted(s.score for s in suggestions)
    left_out = [
        s.score for s in over if (s.start, s.end) not in {(x.start, x.end) for x in suggestions}
    ]
    assert min(kept) >= max(left_out)
    assert [s.start for s in suggestions] == sorted(s.start for s in suggestions)
    run = SuggestionRun.objects.get(article=article)
    assert run.suggested == 4
    assert f"{len(over)} sentences scored over the threshold; the 4 most" in run.reason

    settings.CLAIMS_SUGGESTION_MAX_SHARE = 1.0
    assert len(suggestions_generate(article=article)) == len(over)


def test_a_short_brief_keeps_up_to_three_suggestions(db):
    article = ArticleFactory(text="\n\n".join(FACTUAL[:5]), language="en")
    over = [
        s
        for s in score_sentences_in(article.text)
        if s.eligible and s.score >= suggestions_threshold()
    ]
    assert len(suggestions_generate(article=article)) == min(3, len(over))
