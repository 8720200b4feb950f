import json
from pathlib import Path

import pytest

from apps.articles.cleaning import ParsedText, parse_plain_text, strip_boilerplate_lines

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
EVAL = json.loads((FIXTURES / "eval" / "seed-claims.json").read_text(encoding="utf-8"))
SAMPLES = sorted(EVAL["articles"])
CLAIMS = EVAL["claims"]


def _parse_sample(name: str) -> ParsedText:
    return parse_plain_text((FIXTURES / "seeds" / name).read_text(encoding="utf-8"))


# --- the five annotated samples ---------------------------------------------------------


def test_every_seed_file_is_annotated():
    seed_files = sorted(path.name for path in (FIXTURES / "seeds").glob("*.txt"))

    assert seed_files == SAMPLES
    assert len(SAMPLES) == 5


@pytest.mark.parametrize("name", SAMPLES)
def test_title_matches_annotation(name):
    assert _parse_sample(name).title == EVAL["articles"][name]["title"]


@pytest.mark.parametrize("name", SAMPLES)
def test_authors_match_annotation(name):
    assert _parse_sample(name).authors == EVAL["articles"][name]["authors"]


@pytest.mark.parametrize("name", SAMPLES)
def test_removed_pieces_are_the_annotated_boilerplate_and_the_byline_lines(name):
    expected = EVAL["articles"][name]
    parsed = _parse_sample(name)

    # The annotation lists boilerplate; `removed` also holds the byline lines whose names
    # became authors (the annotation has those under "authors" instead).
    assert set(expected["boilerplate"]) <= set(parsed.removed)
    extra = [piece for piece in parsed.removed if piece not in expected["boilerplate"]]
    assert all(any(author in piece for author in parsed.authors) for piece in extra), extra


@pytest.mark.parametrize("name", SAMPLES)
def test_removed_pieces_are_reported_in_document_order_and_gone_from_the_body(name):
    raw = (FIXTURES / "seeds" / name).read_text(encoding="utf-8")
    parsed = _parse_sample(name)

    assert parsed.removed  # every sample has boilerplate
    positions = [raw.index(piece) for piece in parsed.removed]
    assert positions == sorted(positions)
    for piece in parsed.removed:
        assert piece not in parsed.text


@pytest.mark.parametrize("claim", CLAIMS, ids=[claim["id"] for claim in CLAIMS])
def test_annotated_claim_quotes_survive_cleaning_verbatim(claim):
    assert claim["quote"] in _parse_sample(claim["article"]).text


@pytest.mark.parametrize("name", SAMPLES)
def test_only_title_and_removed_pieces_leave_the_body(name):
    raw = (FIXTURES / "seeds" / name).read_text(encoding="utf-8")
    parsed = _parse_sample(name)

    leftover = raw
    for piece in parsed.removed:
        leftover = leftover.replace(piece, "", 1)
    if not parsed.text.startswith(parsed.title):
        leftover = leftover.replace(parsed.title, "", 1)
    assert leftover.split() == parsed.text.split()


@pytest.mark.parametrize(
    ("name", "title_in_body"),
    [
        ("000_d886f9ee4cc6ef26.txt", False),
        ("001_fffd4934bec42331.txt", False),
        ("002_f49be105a19d2bd2.txt", False),
        ("003_374ff0f87a144445.txt", True),
        ("004_58777fc59fe47373.txt", True),
    ],
)
def test_headline_leaves_the_body_but_a_first_sentence_title_stays(name, title_in_body):
    parsed = _parse_sample(name)

    assert parsed.text.startswith(parsed.title) is title_in_body


# --- the rules generalise -----------------------------------------------------------------


def test_byline_prefix_lines_become_authors():
    parsed = parse_plain_text(
        "By Maria Schmidt and Tom O’Neill\n\nKremlin confirms the summit\n\nThe talks start today."
    )

    assert parsed.authors == ["Maria Schmidt", "Tom O’Neill"]
    assert parsed.title == "Kremlin confirms the summit"
    assert parsed.text == "The talks start today."
    assert parsed.removed == ["By Maria Schmidt and Tom O’Neill"]


def test_name_only_lines_after_the_lead_become_authors():
    raw = (
        "Seoul fears a new arms pipeline\n\n"
        "Officials in Seoul said on Monday that shipments had already begun.\n\n"
        "Anna Virtanen,\n\nMikko Järvinen\n\n"
        "The ministry gave no figures."
    )

    parsed = parse_plain_text(raw)

    assert parsed.authors == ["Anna Virtanen", "Mikko Järvinen"]
    assert parsed.removed == ["Anna Virtanen,", "Mikko Järvinen"]
    assert parsed.text == (
        "Officials in Seoul said on Monday that shipments had already begun.\n\n"
        "The ministry gave no figures."
    )


def test_name_like_heading_deep_in_the_body_is_kept():
    raw = (
        "Summit ends without a deal\n"
        "The leaders met for four hours.\n"
        "They issued no statement.\n"
        "Kremlin Reaction\n"
        "The Kremlin called the talks useful."
    )

    parsed = parse_plain_text(raw)

    assert parsed.authors == []
    assert "Kremlin Reaction" in parsed.text


def test_title_case_headline_is_not_mistaken_for_a_byline():
    parsed = parse_plain_text("Putin Meets Kim\n\nThe two leaders met on Wednesday.")

    assert parsed.title == "Putin Meets Kim"
    assert parsed.authors == []


def test_trailing_parenthesised_signature_becomes_author():
    parsed = parse_plain_text(
        "Grain talks stall\n\nNo agreement was reached. Talks resume in May. (Lena Vogt)"
    )

    assert parsed.authors == ["Lena Vogt"]
    assert parsed.text == "No agreement was reached. Talks resume in May."
    assert parsed.removed == ["(Lena Vogt)"]


def test_parenthesised_words_that_are_not_names_stay():
    text = "Russia used 12 million shells. (Estimates vary.)"

    assert parse_plain_text("Shell use\n\n" + text).text == text


def test_see_more_and_read_also_teasers_are_removed():
    raw = (
        "Kim arrives in Vladivostok\n"
        "The armoured train arrived at dawn.\n"
        "- SEE MORE What we know about Kim’s armoured train\n"
        "Read also: Five things to watch at the summit\n"
        "The leaders will meet on Wednesday."
    )

    parsed = parse_plain_text(raw)

    assert parsed.text == "The armoured train arrived at dawn.\nThe leaders will meet on Wednesday."
    assert parsed.removed == [
        "- SEE MORE What we know about Kim’s armoured train",
        "Read also: Five things to watch at the summit",
    ]


def test_sentences_that_merely_start_like_teasers_are_kept():
    raw = (
        "Analysts doubt the deal\n"
        "See more than one reason for doubt, analysts say, in the shipping data.\n"
        "Source material was not released."
    )

    assert parse_plain_text(raw).removed == []


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        ("Kim waves to the crowd. © Sergei Bobylev/AFP", "© Sergei Bobylev/AFP"),
        ("Kim waves to the crowd. Photograph: Ahn Young-joon/AP", "Photograph: Ahn Young-joon/AP"),
        ("Kim waves to the crowd. (Photo: Reuters)", "(Photo: Reuters)"),
    ],
)
def test_photo_credit_trailing_a_sentence_is_removed(line, credit):
    text, removed = strip_boilerplate_lines(f"{line}\nThe visit lasted two days.")

    assert text == "Kim waves to the crowd.\nThe visit lasted two days."
    assert removed == [credit]


def test_photo_credit_alone_on_a_line_is_removed():
    text, removed = strip_boilerplate_lines("© Getty Images\nThe visit lasted two days.")

    assert text == "The visit lasted two days."
    assert removed == ["© Getty Images"]


def test_copyright_sign_inside_a_sentence_is_kept():
    text = "The logo carried a © sign and the words Made in Russia."

    assert strip_boilerplate_lines(text) == (text, [])


def test_ad_shortcodes_and_orphaned_link_labels_are_removed():
    raw = "[ad_1]\nAdvertisement\nThe talks began.\n[embed_3]\nRead more\nSource link"

    text, removed = strip_boilerplate_lines(raw)

    assert text == "The talks began."
    assert removed == ["[ad_1]", "Advertisement", "[embed_3]", "Read more", "Source link"]


def test_stray_code_lines_are_removed_but_short_words_and_numbers_stay():
    text, removed = strip_boilerplate_lines("The talks began.\nab-12\n2019\nEnd\nXK7")

    assert text == "The talks began.\n2019\nEnd"
    assert removed == ["ab-12", "XK7"]


def test_garbled_repeat_of_the_headline_is_removed():
    raw = (
        "Can Seoul’s new missiles deter Pyongyang? Experts are divided\n\n"
        "Can Seouls new missiles deter Pyongyang\n\n"
        "South Korea unveiled the missiles on Friday."
    )

    parsed = parse_plain_text(raw)

    assert parsed.removed == ["Can Seouls new missiles deter Pyongyang"]
    assert parsed.text == "South Korea unveiled the missiles on Friday."


def test_heading_sharing_the_headline_opening_is_kept_after_the_lead():
    raw = (
        "Putin and Kim agree arms deal, officials say\n"
        "The agreement was signed on Wednesday.\n"
        "Putin and Kim agree\n"
        "Details were not published."
    )

    assert "Putin and Kim agree\n" in parse_plain_text(raw).text


def test_extracted_text_repeating_the_known_title_loses_the_repeat():
    text, removed = strip_boilerplate_lines(
        "Kim heads to Russia\nKim left Pyongyang by train.", title="Kim heads to Russia"
    )

    assert text == "Kim left Pyongyang by train."
    assert removed == ["Kim heads to Russia"]


def test_without_headline_the_first_sentence_is_the_title_and_stays_in_the_body():
    raw = (
        "Mr. Kim met U.S. envoys in Seoul on Monday, officials said. "
        "The meeting lasted an hour.\nA second meeting is planned."
    )

    parsed = parse_plain_text(raw)

    assert parsed.title == "Mr. Kim met U.S. envoys in Seoul on Monday, officials said."
    assert parsed.text == raw


def test_short_first_line_ending_in_a_full_stop_is_a_headline():
    parsed = parse_plain_text("The deal could fail at several points.\n\nExperts doubt it.")

    assert parsed.title == "The deal could fail at several points."
    assert parsed.text == "Experts doubt it."


def test_very_long_first_sentence_is_shortened_for_the_title():
    sentence = "Officials " + "said that the talks went on " * 20 + "until late."

    parsed = parse_plain_text(sentence)

    assert len(parsed.title) <= 301
    assert parsed.title.endswith("…")
    assert parsed.text == sentence


def test_crlf_input_is_cleaned_like_lf_input():
    lf = "From: Bona Hyun\n\nArms deal in doubt\n\n[ad_1]\nThe talks began.\nSource link\n"

    assert parse_plain_text(lf.replace("\n", "\r\n")) == parse_plain_text(lf)
    assert parse_plain_text(lf.replace("\n", "\r\n")).text == "The talks began."


def test_nul_bytes_are_dropped_from_title_and_body():
    parsed = parse_plain_text("Arms\x00 deal in doubt\n\nThe talks\x00 began.")

    assert parsed.title == "Arms deal in doubt"
    assert parsed.text == "The talks began."


@pytest.mark.parametrize("raw", ["", "   ", "\n\n\t\n", "\r\n \x00"])
def test_empty_or_whitespace_input_gives_empty_result(raw):
    assert parse_plain_text(raw) == ParsedText(title="", authors=[], text="", removed=[])
    assert strip_boilerplate_lines(raw) == ("", [])


def test_input_that_is_only_boilerplate_gives_an_empty_body():
    parsed = parse_plain_text("[ad_1]\n[ad_2]\nSource link")

    assert parsed.title == ""
    assert parsed.text == ""
    assert parsed.removed == ["[ad_1]", "[ad_2]", "Source link"]


def test_text_without_boilerplate_is_left_untouched():
    text = (
        "What next?\n\n"
        "– Russia has to use the allies it has, Moshes says.\n"
        "Kirby has warned the US would take action (including sanctions).\n"
        "North Korea is 9,000 kilometers away from the theater of war in Ukraine."
    )

    assert strip_boilerplate_lines(text) == (text, [])


# --- a title given by the record: no line is guessed as the headline -------------------

OPENING = "The deal could fail at several points.\n\nExperts doubt it will hold past May."


def test_with_a_given_title_a_short_first_sentence_stays_in_the_body():
    parsed = parse_plain_text(OPENING, title="Arms deal in doubt")

    assert parsed.title == "Arms deal in doubt"
    assert parsed.text == OPENING
    assert parsed.removed == []


def test_with_a_given_title_a_repeat_of_it_is_removed_and_reported():
    parsed = parse_plain_text(f"Arms deal in doubt\n\n{OPENING}", title="Arms deal in doubt")

    assert parsed.text == OPENING
    assert parsed.removed == ["Arms deal in doubt"]


def test_a_plain_text_record_with_a_title_keeps_its_opening_sentence():
    from apps.ingestion.extraction import extract_plain

    body = OPENING + "\n\n" + "The talks went on until late, officials said. " * 5
    extracted = extract_plain(body, metadata={"title": "Arms deal in doubt"})

    assert extracted.title == "Arms deal in doubt"
    assert extracted.text.startswith("The deal could fail at several points.")
