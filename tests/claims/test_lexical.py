"""How a query is cleaned and read for matching (apps/claims/nlp/lexical.py)."""

import pytest

from apps.claims.nlp.lexical import clean_query, overlap, terms


@pytest.mark.parametrize(
    "pasted, expected",
    [
        (
            "Solar farms now cover 3% of the county https://t.co/AbC123 pic.twitter.com/xYz "
            "— Jane Roe (@janeroe) March 3, 2021",
            "Solar farms now cover 3% of the county — Jane Roe",
        ),
        (
            "RT @newsdesk: The bridge will close for repairs 🚧🚧",
            "The bridge will close for repairs",
        ),
        (
            "#ClimateAction is failing, says @GreenPeaceUK",
            "Climate Action is failing, says Green Peace UK",
        ),
        ("Read more at www.example.org/story/123 now", "Read more at now"),
    ],
)
def test_clean_query_drops_the_furniture_of_posts(pasted, expected):
    assert clean_query(pasted) == expected


def test_clean_query_keeps_a_signature_name_already_in_the_text_once():
    text = "Jane Roe says taxes went up — Jane Roe (@janeroe) May 1, 2020"
    assert clean_query(text) == "Jane Roe says taxes went up"


def test_rare_words_weigh_more_than_common_ones():
    weights = terms("People said the vaccine trial in Tbilisi enrolled 4,500 volunteers").weights
    assert weights["vaccin"] > weights["peopl"]
    assert weights["tbilisi"] > weights["trial"]
    assert "#4500" in weights  # numbers are read without their separators
    assert "the" not in weights and "in" not in weights


def test_overlap_is_symmetric_and_bounded():
    a = terms("The museum reopened its east wing after a flood")
    b = terms("After a flood, the east wing of the museum reopened")
    assert overlap(a, b) == pytest.approx(overlap(b, a))
    assert 0.9 <= overlap(a, b) <= 1.0
    assert overlap(a, terms("Parliament passed the budget")) == 0.0
