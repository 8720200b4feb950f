"""Imported fact-checks answer "has this been checked?" with the tiers our claims get."""

import pytest

from apps.claims import matching
from apps.claims.factcheck_matching import match_factchecks, reset_factcheck_index
from apps.claims.factchecks import factchecks_import

pytestmark = pytest.mark.django_db

CLAIMS = [
    "The city council voted to close all public libraries in March 2024",
    "Unemployment in the region fell to its lowest level in thirty years",
    "A new vaccine causes infertility in young women",
    "The national railway company cancelled every night train last winter",
    "Drinking hot water with lemon cures the common cold",
]


@pytest.fixture(autouse=True)
def _fresh_index():
    reset_factcheck_index()
    yield
    reset_factcheck_index()


def _import():
    reviews = [
        {
            "@type": "ClaimReview",
            "url": f"https://checker.example/r/{n}",
            "claimReviewed": text,
            "author": {"name": "Checker Desk"},
            "reviewRating": {"alternateName": "False"},
        }
        for n, text in enumerate(CLAIMS)
    ]
    factchecks_import(reviews)


def test_a_paraphrase_ranks_the_imported_factcheck_first():
    _import()
    query = "Council members decided in March 2024 to shut every public library in the city"
    matches = match_factchecks(query)
    assert matches[0].factcheck.claim_reviewed == CLAIMS[0]
    assert matches[0].tier == matching.LIKELY_SAME
    assert all(m.score <= matches[0].score for m in matches)


def test_scores_and_tiers_are_those_of_the_claims_matcher():
    _import()
    query = "Hot water and lemon will cure a cold"
    best = match_factchecks(query)[0]
    same = matching.compare(query, best.factcheck.claim_reviewed)
    assert best.factcheck.claim_reviewed == CLAIMS[4]
    assert best.tier == same.tier
    assert best.score == pytest.approx(same.score, abs=0.02)


def test_an_opposite_claim_is_only_related_with_its_difference():
    _import()
    matches = match_factchecks(
        "Unemployment in the region rose to its highest level in thirty years"
    )
    top = matches[0]
    assert top.factcheck.claim_reviewed == CLAIMS[1]
    assert top.tier == matching.RELATED
    assert top.difference is not None


def test_a_new_import_is_found_without_a_restart():
    assert match_factchecks(CLAIMS[2]) == []
    _import()
    assert match_factchecks(CLAIMS[2])[0].factcheck.claim_reviewed == CLAIMS[2]


def test_one_search_of_claims_and_factchecks_encodes_the_query_once(monkeypatch):
    from apps.claims import embeddings

    _import()
    calls = []
    real = embeddings.encode
    monkeypatch.setattr(embeddings, "encode", lambda texts: calls.append(texts) or real(texts))
    embeddings.query_vector.cache_clear()
    query = "Lemon in hot water is a cure for colds"

    matching.match_claims(query, limit=5)
    found = match_factchecks(query, limit=5)

    assert found and "lemon" in found[0].factcheck.claim_reviewed
    assert calls == [[query]]
