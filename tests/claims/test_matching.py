"""The claim matcher: meaning, direction, tiers and the search that uses them.

Sentences here are written for these tests, on everyday newsroom subjects; none comes
from the sample articles or the evaluation sets."""

import pytest

from apps.claims import matching
from apps.claims.embeddings import dense_candidates, embed_claims
from apps.claims.matching import LIKELY_SAME, RELATED, compare, match_claims
from apps.claims.models import Claim, ClaimEmbedding
from apps.claims.nlp import encoder
from tests.factories import ClaimFactory

HIRED = "The city council hired 2,000 new teachers for its primary schools this year"
HIRED_PARAPHRASE = "This year the city council took on two thousand extra primary school teachers"
FIRED = "The city council laid off 2,000 teachers from its primary schools this year"
UNRELATED = "A storm closed the harbour and cancelled every ferry to the islands on Sunday"


@pytest.mark.django_db
def test_finds_a_paraphrase_that_shares_few_words_and_ranks_it_first():
    target = ClaimFactory(statement=HIRED)
    ClaimFactory(statement=UNRELATED)
    ClaimFactory(statement="The hospital opened a new maternity ward in the north of the city")
    matches = match_claims(HIRED_PARAPHRASE, limit=5)
    assert matches, "the paraphrase was not retrieved"
    assert matches[0].claim == target
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert all(0 < m.score <= 1 for m in matches)


@pytest.mark.django_db
def test_an_opposite_claim_is_related_at_most_and_ranks_below_the_same_claim():
    same = ClaimFactory(statement=HIRED_PARAPHRASE)
    opposite = ClaimFactory(statement=FIRED)
    matches = {m.claim: m for m in match_claims(HIRED, limit=5)}
    assert matches[same].tier == LIKELY_SAME
    assert matches[opposite].tier == RELATED
    assert matches[opposite].difference.kind in ("antonym", "predicate")
    ranked = list(matches)
    assert ranked.index(same) < ranked.index(opposite)


@pytest.mark.xfail(
    strict=True,
    reason="known gap: 'took on two thousand extra … teachers' and 'laid off 2,000 teachers "
    "from …' are not read as the same arguments, so the opposite verbs go unflagged",
)
@pytest.mark.django_db
def test_an_opposite_of_a_paraphrase_is_related_at_most():
    same = ClaimFactory(statement=HIRED)
    opposite = ClaimFactory(statement=FIRED)
    matches = {m.claim: m for m in match_claims(HIRED_PARAPHRASE, limit=5)}
    assert matches[same].tier == LIKELY_SAME
    assert opposite not in matches or matches[opposite].tier != LIKELY_SAME
    ranked = list(matches)
    assert ranked.index(same) < (ranked.index(opposite) if opposite in ranked else 99)


@pytest.mark.django_db
def test_the_claim_being_matched_is_excluded():
    claim = ClaimFactory(statement=HIRED)
    other = ClaimFactory(statement=HIRED_PARAPHRASE)
    found = [m.claim for m in match_claims(claim.statement, exclude_claim_id=claim.pk)]
    assert claim not in found
    assert other in found


@pytest.mark.django_db
def test_the_claims_queryset_narrows_the_results():
    draft = ClaimFactory(statement=HIRED)
    published = ClaimFactory(statement=HIRED_PARAPHRASE, status="published", verdict="true")
    everything = [m.claim for m in match_claims(HIRED, limit=5)]
    assert draft in everything and published in everything
    published_only = Claim.objects.filter(status="published")
    narrowed = [m.claim for m in match_claims(HIRED, limit=5, claims=published_only)]
    assert narrowed == [published]


@pytest.mark.django_db
def test_nothing_for_an_empty_or_unrelated_text():
    ClaimFactory(statement=HIRED)
    assert match_claims("") == []
    assert match_claims("   ") == []
    assert all(m.tier != LIKELY_SAME for m in match_claims(UNRELATED))


@pytest.mark.django_db
def test_tweet_furniture_does_not_change_the_best_match():
    target = ClaimFactory(statement="The national park will ban private cars from its valley roads")
    ClaimFactory(statement="Twitter users posted photos of the valley at sunrise on March 3")
    tweet = (
        "So the national park is banning private cars from the valley roads?! 🚗🚫 "
        "https://t.co/abc pic.twitter.com/def — Park Watch (@parkwatch) March 3, 2021"
    )
    assert match_claims(tweet, limit=1)[0].claim == target


def test_compare_is_search_scoring_for_one_pair():
    same = compare(HIRED, HIRED_PARAPHRASE)
    opposite = compare(HIRED, FIRED)
    other = compare(HIRED, UNRELATED)
    assert same.tier == LIKELY_SAME and same.difference is None
    assert opposite.tier in (RELATED, "") and opposite.difference is not None
    assert other.tier == "" and other.score < same.score


def test_a_short_text_is_never_likely_the_same():
    model = matching.MatcherModel.load()
    assert matching.tier_for(0.99, "council hired teachers", None) == RELATED
    assert model.min_words_likely > 3


def test_the_shipped_model_orders_its_thresholds():
    model = matching.MatcherModel.load()
    assert 0 < model.shown <= model.related <= model.likely_same < 1
    assert set(model.weights) == set(matching.FEATURES)


@pytest.mark.django_db
def test_a_claim_is_encoded_on_save_and_re_encoded_when_its_statement_changes(analyst, article):
    from apps.claims import services

    quote = article.text[:40]
    claim = services.claim_create(
        article=article, start=0, end=40, quote=quote, by=analyst, statement=HIRED
    )
    first = ClaimEmbedding.objects.get(claim=claim)
    assert first.model == encoder.MODEL_ID
    services.claim_update(claim=claim, by=analyst, statement=FIRED)
    second = ClaimEmbedding.objects.get(claim=claim)
    assert bytes(second.vector) != bytes(first.vector)
    assert second.statement_hash != first.statement_hash


@pytest.mark.django_db
def test_the_dense_index_sees_new_and_changed_claims():
    claim = ClaimFactory(statement=HIRED)
    vector = encoder.encode([HIRED_PARAPHRASE])[0]
    assert dense_candidates(vector, 1) == [claim.pk]
    newer = ClaimFactory(statement=HIRED_PARAPHRASE)
    assert dense_candidates(vector, 1) == [newer.pk]
    newer.statement = UNRELATED
    newer.save()
    embed_claims([newer])
    assert dense_candidates(vector, 1) == [claim.pk]


@pytest.mark.django_db
def test_a_deleted_claim_leaves_the_dense_index():
    gone = ClaimFactory(statement=HIRED)
    kept = ClaimFactory(statement=HIRED_PARAPHRASE)
    vector = encoder.encode([HIRED])[0]
    assert dense_candidates(vector, 1) == [gone.pk]
    gone.delete()
    assert gone.pk not in [m.claim.pk for m in match_claims(HIRED)]
    assert dense_candidates(vector, 1) == [kept.pk]
