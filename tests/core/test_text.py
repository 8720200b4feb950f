import hashlib
import unicodedata

import pytest

from apps.core.text import content_hash, normalize_text


def test_text_is_composed_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Rüdiger Frank")
    assert decomposed != "Rüdiger Frank"

    assert normalize_text(decomposed) == "Rüdiger Frank"


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\u2028", "\u2029", "\x85"])
def test_every_newline_convention_becomes_lf(newline):
    assert normalize_text(f"one{newline}two{newline}{newline}three") == "one\ntwo\n\nthree"


def test_nul_and_other_control_characters_are_removed_but_tabs_and_newlines_kept():
    raw = "Kim\x00 met\x07 Putin\x1b.\n\tIndented\x0b line\x7f"

    assert normalize_text(raw) == "Kim met Putin.\n\tIndented line"


def test_trailing_spaces_are_stripped_and_leading_indentation_kept():
    assert normalize_text("  first   \nsecond\t \nthird") == "  first\nsecond\nthird"


def test_runs_of_blank_lines_collapse_to_one_blank_line():
    raw = "one\n\n\n\ntwo\n \n\t\n\nthree\n\n\nfour\n\nfive\nsix"

    assert normalize_text(raw) == "one\n\ntwo\n\nthree\n\nfour\n\nfive\nsix"


def test_leading_and_trailing_blank_lines_are_stripped():
    assert normalize_text("\n \n\nbody\n\n  \n") == "body"


@pytest.mark.parametrize("blank", ["", "   ", "\n\r\n\t\n", "\x00\x00"])
def test_empty_or_blank_input_normalises_to_empty_string(blank):
    assert normalize_text(blank) == ""


def test_normalisation_is_idempotent():
    raw = "Title \r\n\r\n\r\n\r\nBody\x00 text\u2028end  "
    once = normalize_text(raw)

    assert normalize_text(once) == once


def test_content_hash_is_sha256_of_the_normalised_text():
    assert content_hash("a\r\nb") == hashlib.sha256(b"a\nb").hexdigest()


def test_content_hash_ignores_encoding_differences():
    stored = "Rüdiger Frank said:\n\nNo."
    variant = unicodedata.normalize("NFD", "Rüdiger Frank said:  \r\n\r\n\r\nNo.\r\n")

    assert content_hash(variant) == content_hash(stored)


def test_content_hash_differs_when_the_words_differ():
    assert content_hash("Russia used 12 million shells.") != content_hash(
        "Russia used 11 million shells."
    )
