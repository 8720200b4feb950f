"""A claim and its denial: related, never "likely the same"."""

import pytest

from apps.claims import matching
from apps.claims.matching import LIKELY, RELATED, analyse, match_claims, similarity
from tests.factories import ClaimFactory

CLAIM = "Russia is running out of artillery ammunition for its war in Ukraine"
DENIAL = "Russia is not running out of artillery ammunition for its war in Ukraine"
DENIAL_PARAPHRASE = "Russia isn't running short of artillery shells for the war in Ukraine"


def test_denial_is_related_but_never_likely_the_same():
    score = similarity(DENIAL, CLAIM)
    assert matching.RELATED_THRESHOLD <= score < matching.LIKELY_THRESHOLD
    assert similarity(CLAIM, DENIAL) == score


def test_two_denials_can_be_likely_the_same():
    assert similarity(DENIAL_PARAPHRASE, DENIAL) >= matching.LIKELY_THRESHOLD


@pytest.mark.parametrize(
    "text, negated",
    [
        ("Russia is not running out of shells", True),
        ("Russia isn’t running out of shells", True),
        ("North Korea has never supplied rockets to Wagner", True),
        ("There is no sign of a deal", True),
        ("Nothing will happen unless Xi Jinping gives the green light", True),
        ("Not only Russia but also China shielded North Korea", False),
        ("There is no doubt that Russia bought shells", False),
        ("Russia is running out of shells", False),
    ],
)
def test_negation_cues(text, negated):
    assert analyse(text).negated is negated


@pytest.mark.django_db
def test_the_claim_saying_the_same_ranks_above_its_denial():
    denial = ClaimFactory(statement=DENIAL)
    same = ClaimFactory(statement=CLAIM)
    first, second = match_claims(CLAIM.replace("its war", "the war"), limit=2)
    assert (first.claim, first.tier) == (same, LIKELY)
    assert (second.claim, second.tier) == (denial, RELATED)
