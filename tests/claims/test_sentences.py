from pathlib import Path

import pytest

from apps.claims.nlp.sentences import Span, split_sentences

SEEDS = sorted((Path(__file__).resolve().parents[2] / "fixtures" / "seeds").glob("*.txt"))


def texts(text: str) -> list[str]:
    return [span.text for span in split_sentences(text)]


def test_empty_and_blank_text_have_no_sentences():
    assert split_sentences("") == []
    assert split_sentences("   \n\n\t \n") == []


def test_spans_are_frozen_and_carry_their_offsets():
    [span] = split_sentences("  Hello world.  ")
    assert span == Span(2, 14, "Hello world.")
    with pytest.raises(AttributeError):
        span.start = 0  # type: ignore[misc]


def test_plain_sentences_split_at_full_stops_question_and_exclamation_marks():
    assert texts("It rained. Did it? Yes! Then it stopped.") == [
        "It rained.",
        "Did it?",
        "Yes!",
        "Then it stopped.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Kim met Mrs. Lee and Dr. Shoigu in St. Petersburg.",
        "Gen. Milley, Lt. Col. Vindman and Col. Smith spoke.",
        "The U.S. National Security Council and the U.N. Security Council met.",
        "Some states, e.g. Iran, abstained, i.e. did not vote.",
        "He left at 10 a.m. and came back at 3 p.m. on Monday.",
        "Jean H. Lee and John F. Kennedy were quoted.",
        "Downing Street No. 10 issued a statement.",
        "The meeting is on Sept. 10 in Vladivostok.",
        "Roe v. Wade was decided in 1973.",
    ],
)
def test_abbreviations_do_not_end_a_sentence(text):
    assert texts(text) == [text]


def test_ambiguous_abbreviation_ends_a_sentence_before_a_sentence_starter():
    assert texts("Sanctions hit the U.S. The Kremlin said so.") == [
        "Sanctions hit the U.S.",
        "The Kremlin said so.",
    ]
    assert texts("They bought shells, rockets, etc. But the deal failed.") == [
        "They bought shells, rockets, etc.",
        "But the deal failed.",
    ]


def test_decimals_and_thousands_do_not_split():
    text = "Russia used 12.5 million shells, about 1,000 a day, at $152.50 each."
    assert texts(text) == [text]


def test_sentence_ending_in_a_number_splits():
    assert texts("It joined in 2014. North Korea agreed.") == [
        "It joined in 2014.",
        "North Korea agreed.",
    ]


def test_quotation_is_not_split_inside():
    text = "“Putin’s in a tight spot. He needs these things,” Robert Kelly told Al Jazeera."
    assert texts(text) == [text]
    text = 'He said "we will win. They will lose" and left.'
    assert texts(text) == [text]


def test_quotation_that_ends_a_sentence_splits_before_a_capital():
    assert texts("He said: “We will win.” Then he left.") == [
        "He said: “We will win.”",
        "Then he left.",
    ]
    assert texts("Washington said talks were “actively advancing”. Now CBS reports more.") == [
        "Washington said talks were “actively advancing”.",
        "Now CBS reports more.",
    ]


def test_quote_followed_by_lower_case_attribution_stays_one_sentence():
    text = "“Why not?” he asked. “These are our neighbours.”"
    assert texts(text) == ["“Why not?” he asked.", "“These are our neighbours.”"]


def test_unclosed_quotation_does_not_swallow_the_paragraph():
    text = "“This paragraph opens a quote. It goes on. It never closes"
    assert texts(text) == ["“This paragraph opens a quote.", "It goes on.", "It never closes"]


def test_dash_led_speech_with_attribution_is_one_sentence():
    text = (
        "– I consider some kind of trade agreement very possible. However, it has been "
        "justified, for example, by the Minister of Defense during a July visit, Moshes says."
    )
    assert texts(text) == [text]
    text = "– It would be a momentary relief for both countries, summarizes Moshes."
    assert texts(text) == [text]


def test_dash_led_list_items_without_attribution_split_normally():
    assert texts("- Prices rose. Wages fell.\n- SEE MORE How much does the war cost?") == [
        "- Prices rose.",
        "Wages fell.",
        "- SEE MORE How much does the war cost?",
    ]


def test_headline_without_full_stop_is_its_own_sentence():
    text = "Putin and Kim’s gun deal realistic\n\nRussia can now deliver technology. It may."
    assert texts(text) == [
        "Putin and Kim’s gun deal realistic",
        "Russia can now deliver technology.",
        "It may.",
    ]


def test_each_line_is_a_sentence_but_hard_wrapped_lines_are_joined():
    assert texts("The Chinese word can solve\nThe rapprochement is part of politics.") == [
        "The Chinese word can solve",
        "The rapprochement is part of politics.",
    ]
    text = "The sanctions imposed by the UN\non North Korea continue to strangle it."
    assert texts(text) == [text]


def test_ellipsis_splits_only_before_a_capital():
    assert texts("He would build on exchanges… to secure shells.") == [
        "He would build on exchanges… to secure shells."
    ]
    assert texts("We waited... Then nothing happened.") == [
        "We waited...",
        "Then nothing happened.",
    ]


def test_list_number_at_line_start_is_not_a_sentence():
    assert texts("1. Russia needs shells.\n2. Korea has them.") == [
        "1. Russia needs shells.",
        "2. Korea has them.",
    ]


def test_separators_without_letters_are_dropped():
    assert texts("First part.\n\n***\n\nSecond part.") == ["First part.", "Second part."]


def test_offsets_are_code_points_with_emoji_and_other_astral_characters():
    text = "🚀🇺🇦 Rockets 𝕏 launched. 😀 Kim smiled 👍. Next 𝄞 line"
    spans = split_sentences(text)
    assert [s.text for s in spans] == [
        "🚀🇺🇦 Rockets 𝕏 launched.",
        "😀 Kim smiled 👍.",
        "Next 𝄞 line",
    ]
    assert spans[1].start == text.index("😀")
    for span in spans:
        assert text[span.start : span.end] == span.text


def test_crlf_and_unicode_line_separators_break_lines():
    assert texts("One headline\r\nTwo lines.\u2028Three") == ["One headline", "Two lines.", "Three"]


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_seed_articles_round_trip_offsets(path):
    text = path.read_text(encoding="utf-8")
    spans = split_sentences(text)
    assert spans
    previous_end = 0
    for span in spans:
        assert text[span.start : span.end] == span.text
        assert span.text == span.text.strip()
        assert previous_end <= span.start < span.end
        previous_end = span.end
    # Nothing but white space and letterless separators falls between the spans.
    covered = set()
    for span in spans:
        covered.update(range(span.start, span.end))
    assert all(not ch.isalnum() for i, ch in enumerate(text) if i not in covered)


def test_seed_article_sentences():
    text = SEEDS[0].read_text(encoding="utf-8")
    found = texts(text)
    assert "Sampo Vaarakallio," in found
    assert "The Chinese word can solve" in found
    assert (
        "– Russia has to use the allies it has. North Korea is one of the few countries that "
        "recognized the annexation of Crimea to Russia in 2014, Moshes says."
    ) in found
    assert "Is North Korea’s Kim selling ammunition to Putin?" in found
