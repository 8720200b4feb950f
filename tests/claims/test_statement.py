"""A claim's statement from its quote: who says it is left out, cautiously."""

import pytest

from apps.claims.nlp.statement import statement_from_quote


def statement(text: str, quote: str | None = None) -> str:
    quote = text if quote is None else quote
    start = text.index(quote)
    return statement_from_quote(text, start, start + len(quote))


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        # An attribution at the end, after a comma or a closing quote mark.
        (
            "The economy grew by 5 percent in 2023, Ana Lopez said.",
            "The economy grew by 5 percent in 2023.",
        ),
        (
            "Russia is short of shells, said John Kirby, the White House spokesman.",
            "Russia is short of shells.",
        ),
        (
            "“It’s a brand new world,” In-bum Chun, a retired general, told Al Jazeera.",
            "It’s a brand new world.",
        ),
        (
            "“North Korea’s production capacities are limited,” Moshes says.",
            "North Korea’s production capacities are limited.",
        ),
        (
            "Is the deal real?” Moshes asked.",
            "Is the deal real?” Moshes asked.",
        ),
        # An interview answer led by a dash, over two sentences.
        (
            "– Russia has to use the allies it has. North Korea is one of the few countries "
            "that recognized the annexation, Moshes says.",
            "Russia has to use the allies it has. North Korea is one of the few countries "
            "that recognized the annexation.",
        ),
        # An attribution at the start, joined by a comma or "that".
        (
            "According to Moshes, it is also possible that Russia wants rare earth metals.",
            "It is also possible that Russia wants rare earth metals.",
        ),
        (
            "The White House claimed that Putin and Kim had exchanged letters.",
            "Putin and Kim had exchanged letters.",
        ),
        # Quote marks around the whole statement.
        (
            "“Putin will obtain weapons and North Korea the know-how.”",
            "Putin will obtain weapons and North Korea the know-how.",
        ),
    ],
)
def test_who_says_it_is_left_out(quote, expected):
    assert statement(quote) == expected


@pytest.mark.parametrize(
    "quote",
    [
        # A denial or a doubt inverts the claim: keep it.
        "Fyodor Tertitskiy, a researcher, does not believe that the two rulers have a deal.",
        "The Kremlin denied that troops had crossed the border.",
        # The words after the verb are its object or a time, not the claim.
        "Putin told Kim, in the meantime, that he expected closer cooperation.",
        "The US said last week that North Korea would pay a price for selling arms.",
        "Washington said arms negotiations between the countries were advancing.",
        # A cue that starts the claim, not one that ends it.
        "In the first quarter of 2023, Ana Lopez said taxes rose by five percent.",
        # More than a role after the name: another clause.
        "Russia is short of shells, said John Kirby, and the US will act on it.",
        # "According to X, a think tank, …": an appositive, not the claim.
        "According to the Royal United Services Institute, a London think tank, Russia used "
        "12 million shells.",
        # Nothing would be left.
        "Russia agrees, Moshes says.",
        # No attribution at all.
        "Russia used some 12 million shells in Ukraine in 2022.",
    ],
)
def test_the_quote_stays_when_leaving_out_is_not_safe(quote):
    assert statement(quote) == quote


def test_a_role_resolved_to_a_name_is_left_out_too():
    text = (
        "Finance minister Ana Lopez spoke on Monday. "
        "The economy grew by 5 percent in 2023, the minister said."
    )
    quote = "The economy grew by 5 percent in 2023, the minister said."
    assert statement(text, quote) == "The economy grew by 5 percent in 2023."


def test_only_cues_inside_the_quote_count_and_whitespace_is_collapsed():
    text = "Russia is short of shells\nand rockets, Moshes says."
    assert statement(text, "Russia is short of shells\nand rockets") == (
        "Russia is short of shells and rockets"
    )
    assert statement(text) == "Russia is short of shells and rockets."


def test_a_span_outside_the_text_is_refused():
    with pytest.raises(ValueError):
        statement_from_quote("Short text.", 5, 50)
