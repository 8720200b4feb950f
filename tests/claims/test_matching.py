import pytest

from apps.claims import matching
from apps.claims.matching import (
    LIKELY,
    RELATED,
    PoolIdf,
    analyse,
    find_similar_claims,
    match_claims,
    match_tier,
    similarity,
)
from tests.factories import ClaimFactory

ORIGINAL = (
    "Russia used some 12 million shells in Ukraine in 2022 and is expected to use "
    "some 7 million this year, according to the Royal United Services Institute."
)
SPUN = (
    "Russia used some 12 million shells in Ukraine in 2022 and is anticipated to make use "
    "of some 7 million this 12 months, in response to the Royal United Providers Institute."
)


def test_spun_copy_scores_like_the_original():
    assert similarity(SPUN, ORIGINAL) >= matching.LIKELY_THRESHOLD


def test_synonym_layer_folds_spinner_and_translation_variants():
    train = analyse("Kim travelled to Vladivostok in his armoured practice")
    assert "c:train" in train.weights and "c:armoured" in train.weights
    assert "c:year" in analyse("2.5 million shells a 12 months").weights
    munitions = analyse("Russia is running out of munitions")
    ammunition = analyse("With Moscow running short of ammunition")
    assert "c:shortage" in munitions.weights and "c:shortage" in ammunition.weights
    assert "c:ammunition" in munitions.weights and "c:ammunition" in ammunition.weights


def test_paraphrase_ranks_above_a_claim_on_another_subject():
    query = "Russia is running out of munitions used in the war in Ukraine"
    same = "With Russia running out of ammunition"
    other = "Kim and Putin exchanged letters about closer military cooperation"
    assert similarity(query, same) > similarity(query, other) + 0.2


def test_pool_idf_prefers_the_candidate_sharing_a_rare_word():
    query = analyse("Kim inspected the Vostochny launch pad and a new tank factory in Omsk")
    rare = analyse("Kim visited a tank factory in Omsk")  # Omsk: in no other candidate
    common = [analyse(f"Kim inspected the launch pad, report {i} says") for i in range(20)]
    idf = PoolIdf.of([rare, *common])
    assert idf.idf(idf.features["w:omsk"]) > idf.idf(idf.features["w:inspect"])
    assert similarity(query, rare, idf=idf) > similarity(query, common[0], idf=idf)


def test_pool_idf_keeps_a_near_duplicate_likely_in_a_pool_of_one():
    # IDF_PRIOR: with one candidate, the features it shares with the text are not "common".
    original, spun = analyse(ORIGINAL), analyse(SPUN)
    assert similarity(SPUN, original, idf=PoolIdf.of([original])) >= matching.LIKELY_THRESHOLD
    assert similarity(ORIGINAL, spun, idf=PoolIdf.of([spun])) >= matching.LIKELY_THRESHOLD


@pytest.mark.django_db
def test_finds_the_paraphrase_through_the_index_and_ranks_it_first():
    target = ClaimFactory(statement="Russia is running out of artillery ammunition for the war")
    ClaimFactory(statement="North Korea and Russia exchanged letters on military cooperation")
    ClaimFactory(statement="The economy of Finland grew by two percent last year")
    results = find_similar_claims("Moscow is short of munitions to fight in Ukraine", limit=5)
    assert results, "the paraphrase was not retrieved"
    claim, score = results[0]
    assert claim == target
    assert 0 < score <= 1
    assert all(isinstance(s, float) for _, s in results)
    assert [s for _, s in results] == sorted((s for _, s in results), reverse=True)


@pytest.mark.django_db
def test_excludes_the_claim_being_matched():
    claim = ClaimFactory(statement="Defence Minister Sergei Shoigu visited Pyongyang in July")
    other = ClaimFactory(statement="Sergei Shoigu visited North Korea in July 2023")
    found = [c for c, _ in find_similar_claims(claim.statement, exclude_claim_id=claim.pk)]
    assert claim not in found
    assert other in found


@pytest.mark.django_db
def test_long_near_duplicate_is_likely_the_same():
    claim = ClaimFactory(statement=ORIGINAL)
    [match] = match_claims(SPUN, limit=1)
    assert match.claim == claim
    assert match.tier == LIKELY
    assert match.claim.match_tier == LIKELY


@pytest.mark.django_db
def test_statement_under_eight_words_is_never_likely_the_same():
    ClaimFactory(statement="Shoigu visited Pyongyang in July")
    [match] = match_claims("Shoigu visited Pyongyang in July", limit=1)
    assert match.score >= matching.LIKELY_THRESHOLD
    assert match.tier == RELATED
    assert match_tier(0.99, "only seven words in this short text") == RELATED


@pytest.mark.django_db
def test_typed_fragment_and_misspelt_name_are_found_by_trigrams():
    claim = ClaimFactory(statement="Defence Minister Sergei Shoigu visited Pyongyang in July")
    assert claim in [c for c, _ in find_similar_claims("Shoig")]
    assert claim in [c for c, _ in find_similar_claims("Sergei Shoigun visit")]


@pytest.mark.django_db
def test_unrelated_text_finds_nothing():
    ClaimFactory(statement="Russia is running out of artillery ammunition")
    assert find_similar_claims("The weather in Lisbon was sunny on Tuesday afternoon") == []
    assert find_similar_claims("") == []


@pytest.mark.django_db
def test_a_few_queries_whatever_the_number_of_candidates(django_assert_max_num_queries):
    for i in range(30):
        ClaimFactory(statement=f"Russia is short of ammunition and shells, report {i} says")
    # Index statistics, the lexemes, each retrieval leg in a savepoint, one fetch.
    with django_assert_max_num_queries(14):
        results = find_similar_claims("Russia is running out of ammunition and shells", limit=10)
    assert len(results) == 10
