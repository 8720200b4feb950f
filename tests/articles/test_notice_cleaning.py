"""Paywall prompts and reprint notices are told apart from reporting that mentions them."""

import pytest

from apps.articles.cleaning import notice_kind, strip_boilerplate_lines


@pytest.mark.parametrize(
    "line",
    [
        "Subscribe now to continue reading.",
        "To keep reading, please log in or register for free.",
        "This content is only available to subscribers. Already a subscriber? Sign in",
        "Exclusive for premium members only",
        "Subscribers get unlimited access to every story and the archive.",
        "Get unlimited digital access for $1 a week.",
    ],
)
def test_paywall_prompts_are_notices(line):
    assert notice_kind(line) == "paywall"


@pytest.mark.parametrize(
    "line",
    [
        "This article was originally published on The Valley Ledger.",
        "This story first appeared in Harbour Weekly. Read the original article",
        "It is republished here with permission from the Bay Herald.",
        "Originally published by the Northern Times on 3 May.",
    ],
)
def test_reprint_notices_are_notices(line):
    assert notice_kind(line) == "reprint"


@pytest.mark.parametrize(
    "line",
    [
        "The newspaper said the report was available to subscribers for a week before "
        "the ministry published it, and that 40,000 people had read it.",
        "Subscriptions rose by 12 percent last year, the company said.",
        "The study was originally published in 2019 and has been cited 400 times.",
        "The deal gives the army unlimited access to the port.",
        "The new pool is available to members of the sailing club.",
        "The archive is open only to members of the society.",
        "The novel, first published in 1962, was reprinted with a new foreword.",
        "",
    ],
)
def test_reporting_that_mentions_them_is_not_a_notice(line):
    assert notice_kind(line) is None


def test_notices_are_dropped_from_the_text_and_reported():
    text = (
        "The harbour vote passed by seven votes to four.\n"
        "This article was originally published by the Bay Herald.\n"
        "Subscribe to continue reading."
    )
    cleaned, removed = strip_boilerplate_lines(text)
    assert cleaned == "The harbour vote passed by seven votes to four."
    assert removed == [
        "This article was originally published by the Bay Herald.",
        "Subscribe to continue reading.",
    ]
