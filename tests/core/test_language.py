import pytest

from apps.core.language import detect_language, detect_language_with_confidence, primary_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia is running out of munitions used in the war in Ukraine, officials said.", "en"),
        ("Venäjä on loppumassa ammuksista, joita se käyttää sodassa Ukrainassa.", "fi"),
        ("Russland gehen die Munitionsvorräte für den Krieg in der Ukraine aus.", "de"),
        ("Путин встретится с Ким Чен Ыном во Владивостоке на следующей неделе.", "ru"),
    ],
)
def test_detects_the_language_of_a_sentence(text, expected):
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "Kim Jong Un", "2023", "https://example.com/a/b"])
def test_short_text_gives_no_language_rather_than_a_guess(text):
    assert detect_language(text) == ""


def test_confidence_is_a_probability():
    code, confidence = detect_language_with_confidence(
        "The economy grew by five percent last year, according to the ministry of finance."
    )
    assert code == "en"
    assert 0.5 <= confidence <= 1.0


def test_primary_language_strips_regions():
    assert primary_language("en-GB") == "en"
    assert primary_language("EN_us") == "en"
    assert primary_language("") == ""
