"""How the matcher reads words: hyphenated compounds and function words."""

from apps.claims.matching import analyse, similarity


def test_unlisted_hyphenated_compound_is_read_as_its_parts():
    weights = analyse("The shells would only have a symbolic and no war-decisive value").weights
    assert "w:decisiv" in weights
    assert "c:war" in weights
    assert not any("-" in key for key in weights)


def test_compound_is_found_by_its_parts_written_apart():
    compound = "Shelling had no war-decisive effect on the front"
    apart = "The shelling was not decisive for the war"
    other = "The shelling of the front continued for weeks"
    assert similarity(compound, apart) > similarity(compound, other) + 0.2


def test_compound_the_lexicon_lists_stays_whole():
    weights = analyse("Russia could share its nuclear know-how with Pyongyang").weights
    assert "c:technology" in weights
    assert "w:know" not in weights and "w:how" not in weights


def test_function_words_carry_no_weight():
    weights = analyse("Several officials made it clear, together with others, within days").weights
    for word in ("several", "made", "together", "within", "other"):
        assert f"w:{word}" not in weights, word
    assert "w:official" in weights and "w:clear" in weights


def test_texts_sharing_only_function_words_do_not_match():
    a = "Several ships made port together within the harbour limits"
    b = "Several farmers made their protest together within the capital"
    assert similarity(a, b) < 0.12


def test_prefixed_word_is_one_word_whether_hyphenated_or_not():
    hyphenated = analyse("North Korea delivered anti-tank missiles").weights
    solid = analyse("North Korea delivered antitank missiles").weights
    assert "w:antitank" in hyphenated and "w:antitank" in solid
    # Not the bare stem: a non-nuclear power is not a nuclear one.
    assert "c:nuclear" not in analyse("a non-nuclear state").weights
    assert "c:nuclear" in analyse("a nuclear-armed state").weights
