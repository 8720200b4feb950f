# ruff: noqa: E501  (a table of whole news sentences reads better unwrapped)
"""Claimant attribution on general news sentences written for these tests (no sample
article, no evaluation set): one group per construction, then spans, cues and name keys."""

import pytest

from apps.claims.nlp.attribution import (
    ORGANIZATION,
    PERSON,
    attribution_cues,
    claimant_key,
    guess_claimant,
    same_claimant,
)


def claimant(text: str, claim: str | None = None):
    """The guess for ``claim`` (by default the last line of ``text``)."""
    claim = claim if claim is not None else text.splitlines()[-1]
    start = text.rindex(claim)
    return guess_claimant(text, start, start + len(claim))


def name(text: str, claim: str | None = None) -> str:
    found = claimant(text, claim)
    return found.name if found else "none"


CASES = {
    # The subject of a verb of saying or thinking, titles and roles dropped.
    "x_said": [
        ("CEO Tim Cook said the company would open three new stores next year.", "Tim Cook"),
        (
            "Employee Steve Castro said the warehouse had been understaffed for months.",
            "Steve Castro",
        ),
        (
            "Climate scientist Anneke de Vries said the glacier had lost a tenth of its mass.",
            "Anneke de Vries",
        ),
        (
            "Dr. Sarah O'Connell, a cardiologist at a city hospital, said the drug cut heart attacks by a fifth.",
            "Sarah O'Connell",
        ),
        (
            "Ahmed Karimi, the head of the farmers' union, warned that the harvest would be the worst in a decade.",
            "Ahmed Karimi",
        ),
        ("German Chancellor Friedrich Weber said Germany would double its aid.", "Friedrich Weber"),
    ],
    # Verbs that no short list would hold.
    "reporting_verb": [
        (
            "Governor Lena Hoffmann urged residents to stay indoors as the storm approached.",
            "Lena Hoffmann",
        ),
        (
            "Economist Pavel Novak weighed in, saying the tax cut would add to inflation.",
            "Pavel Novak",
        ),
        ("The IMF estimated that global growth would slow to 2.9 percent.", "IMF"),
        (
            "Senator Yolanda Pierce conceded that the bill lacked the votes to pass.",
            "Yolanda Pierce",
        ),
    ],
    # The verb first, then its subject.
    "said_x": [
        (
            "Rents rose 12 percent last year, said Karl Jensen, an analyst at a property firm.",
            "Karl Jensen",
        ),
        (
            "The drought is the worst in 50 years, says the Sahel Water Council.",
            "Sahel Water Council",
        ),
    ],
    "quote": [
        (
            "“We will not raise fares this year,” said Kwame Asante, chief executive of Metro Transit.",
            "Kwame Asante",
        ),
        (
            "“The pipeline is safe,” insisted Jonas Lindgren, a spokesman for the operator.",
            "Jonas Lindgren",
        ),
        ("“The harvest,” said farmer Ines Moreau, “will be half of last year's.”", "Ines Moreau"),
    ],
    "according_to": [
        (
            "Unemployment fell to 4.1 percent in June, according to Priya Nair of the labour institute.",
            "Priya Nair",
        ),
        (
            "According to a report in the Daily Meridian, the factory will close in May.",
            "Daily Meridian",
        ),
        (
            "Unemployment fell to 4.1 percent, according to the national statistics office.",
            "national statistics office",
        ),
        ("The fee was about $9 million, according to two people familiar with the deal.", "none"),
    ],
    "told_outlet": [
        ("“Inflation has peaked,” central bank governor Elif Kaya told Reuters.", "Elif Kaya"),
        ("Mr. David Osei told the court that he had never seen the documents.", "David Osei"),
        ("A senior official in Lagos told the newspaper that talks had stalled.", "none"),
    ],
    # Organisations, including lower-case institutions and the body a spokesperson speaks for.
    "organisation": [
        (
            "Greenpeace said the spill had killed thousands of seabirds along the coast.",
            "Greenpeace",
        ),
        (
            "The health commission said 40 new cases had been confirmed on Sunday.",
            "health commission",
        ),
        ("Prices of rice rose 8 percent in July, the statistics bureau said.", "statistics bureau"),
        (
            "A spokeswoman for Hanseatic Rail said the line would reopen on Friday.",
            "Hanseatic Rail",
        ),
        ("In a statement, Toyota said production at two plants would be suspended.", "Toyota"),
        (
            "The Ministry of Health confirmed 12 new cases of measles on Thursday.",
            "Ministry of Health",
        ),
    ],
    # A report or study is the body's that made it; a study that names none is nobody's.
    "report_study": [
        (
            "A report by the World Health Organization found that air pollution kills millions.",
            "World Health Organization",
        ),
        (
            "Data published by the Federal Statistical Office showed exports fell 3 percent.",
            "Federal Statistical Office",
        ),
        ("A survey by Gallup showed that 60 percent of voters support the measure.", "Gallup"),
        (
            "Researchers from Stanford University found that the drug reduced symptoms.",
            "Stanford University",
        ),
        ("A new study reports that sleep loss raises the risk of heart disease.", "none"),
    ],
    # Pronouns and role nouns refer back to a name in the sentences before.
    "pronoun": [
        (
            "Maria Okafor runs the largest bakery in Enugu.\nShe said flour prices had doubled since March.",
            "Maria Okafor",
        ),
        (
            "Lucia Ferrari and Marco Bianchi met in Rome on Friday. Bianchi later left for Milan.\nHe said the merger talks had collapsed.",
            "Marco Bianchi",
        ),
        (
            "Acme Robotics unveiled its new warehouse robot on Wednesday.\nIt said the robot could sort 2,000 parcels an hour.",
            "Acme Robotics",
        ),
        ("Nobody has been charged.\nHe said the inquiry would take months.", "none"),
    ],
    "role_noun": [
        (
            "The Riverside Tenants Association held a meeting on Tuesday.\nThe association said 300 families faced eviction.",
            "Riverside Tenants Association",
        ),
        (
            "Professor Henrik Dahl leads the energy institute at Uppsala.\nThe professor said wind power would supply half of the country's electricity by 2030.",
            "Henrik Dahl",
        ),
        (
            "Finance Minister Aiko Tanaka visited the trading floor on Monday.\n“The yen is not undervalued,” the minister said.",
            "Aiko Tanaka",
        ),
        (
            "Acme Robotics unveiled its new warehouse robot on Wednesday.\nThe company said the robot could sort 2,000 parcels an hour.",
            "Acme Robotics",
        ),
    ],
    # The speaker of two names is the subject, not the person spoken about.
    "two_names": [
        (
            "Union leader Marta Ruiz criticised mining minister Jorge Salas, saying the new rules would cost 2,000 jobs.",
            "Marta Ruiz",
        ),
        (
            "Opposition lawmaker Rahul Verma accused the government of hiding the true cost of the project.",
            "Rahul Verma",
        ),
        (
            "Coach Ben Alvarez said striker Tomas Varga would miss the final with a knee injury.",
            "Ben Alvarez",
        ),
    ],
    "colon": [
        (
            "Grace Moyo, the mayor of Bulawayo: “The new dam will end water rationing.”",
            "Grace Moyo",
        ),
        (
            "Chen Wei chairs the port authority.\nHis verdict was clear: the harbour needs a second terminal.",
            "Chen Wei",
        ),
    ],
    "negation": [
        (
            "The city's mayor, Carlos Mendoza, denied that the contract had been awarded without a tender.",
            "Carlos Mendoza",
        ),
        (
            "Dr. Hana Sato did not rule out a second wave, but said hospitals were ready.",
            "Hana Sato",
        ),
    ],
    "in_response": [
        (
            "Asked about the delay, Transport Secretary Amara Nwosu said the trains would arrive by June.",
            "Amara Nwosu",
        ),
        (
            "Responding to criticism from the opposition, the Treasury said the figures were correct.",
            "Treasury",
        ),
    ],
    # Nobody by name: the outlet's own reporting, anonymous sources, impersonal passives, and
    # places or descriptions are never the speaker.
    "none": [
        (
            "Shares in Nordwind Energy fell 12 percent after the company cut its profit forecast.",
            "none",
        ),
        (
            "The bridge was closed for repairs after inspectors found cracks in two supports.",
            "none",
        ),
        ("Police said two men had been arrested in connection with the robbery.", "none"),
        ("Maryland officials said the bridge would reopen in two weeks.", "none"),
        ("San Francisco Bay Area residents said rents had risen by a third.", "none"),
        ("Sources close to the negotiations said a deal was expected within days.", "none"),
        ("It is believed that the fire started in the kitchen.", "none"),
        ("The vote was said to have been delayed by a power cut.", "none"),
        ("Investors fear that the central bank will raise rates again in September.", "none"),
        ("Turnout in the regional election reached 64 percent.", "none"),
        ("Port strike delays grain shipments", "none"),
    ],
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(text, expected, id=f"{group}-{i}")
        for group, cases in CASES.items()
        for i, (text, expected) in enumerate(cases)
    ],
)
def test_claimant_of_the_last_sentence(text, expected):
    assert name(text) == expected


def test_the_role_is_kept_apart_from_the_name():
    found = claimant("CEO Tim Cook said the company would open three new stores next year.")
    assert (found.name, found.kind, found.role) == ("Tim Cook", PERSON, "CEO")
    found = claimant("Karl Jensen, an analyst at a property firm, said rents would rise.")
    assert found.role == "analyst at a property firm"
    found = claimant("Samoa's prime minister, Tala Fetu, said the hospital was paid for.")
    assert (found.name, found.role) == ("Tala Fetu", "Samoa's prime minister")


def test_a_sentence_opening_word_is_not_glued_to_a_name():
    text = "Hosting Cook, the network said its ratings had doubled since January."
    assert name(text) != "Hosting Cook"


def test_kind_of_claimant():
    assert claimant("Greenpeace said the spill killed seabirds.").kind == ORGANIZATION
    assert claimant("The health commission said 40 cases were confirmed.").kind == ORGANIZATION
    assert claimant("Maria Okafor said flour prices had doubled.").kind == PERSON


def test_a_surname_alone_takes_the_full_name_seen_before():
    text = "Former aide Rui Salgado testified on Thursday.\n“Nobody ordered it,” Salgado said."
    assert name(text) == "Rui Salgado"


def test_a_quote_over_two_sentences_is_attributed_where_it_ends():
    text = "“Prices will fall. Wages will not,” said Olga Petrenko."
    assert name(text, "Prices will fall.") == "Olga Petrenko"


def test_a_span_inside_a_sentence_takes_the_cue_that_covers_it():
    text = "Inflation will fall to 2 percent next year, Maria Lopez said on Tuesday."
    assert name(text, "Inflation will fall to 2 percent next year") == "Maria Lopez"


def test_attribution_does_not_leak_into_the_next_sentence():
    text = "Maria Lopez said taxes would rise.\nThe port handled 4 million containers in 2023."
    assert name(text) == "none"


def test_evidence_and_confidence():
    found = claimant("Rents rose 12 percent last year, said Karl Jensen, an analyst.")
    assert "said Karl Jensen" in found.evidence
    assert 0 < found.confidence <= 1


def test_cues_say_which_side_they_attribute():
    text = "The economy grew by 5 percent in 2023, Ana Lopez said."
    (cue,) = attribution_cues(text, 0, len(text))
    assert text[cue.start : cue.end] == "Ana Lopez said"
    assert cue.name == "Ana Lopez" and cue.governs_left and not cue.governs_right
    text = "According to Ana Lopez, the economy grew by 5 percent in 2023."
    (cue,) = attribution_cues(text, 0, len(text))
    assert text[cue.start : cue.end] == "According to Ana Lopez"
    assert cue.governs_right and not cue.governs_left


def test_cues_of_nobody_are_not_listed():
    text = "Officials said the economy grew by 5 percent in 2023."
    assert attribution_cues(text, 0, len(text)) == []


def test_empty_text_and_span_outside_the_text():
    assert guess_claimant("   ", 0, 2) is None
    with pytest.raises(ValueError):
        guess_claimant("Short text.", 3, 40)
    with pytest.raises(ValueError):
        attribution_cues("Short text.", 3, 40)


# ---------------------------------------------------------------- names across articles


def test_claimant_key_ignores_case_diacritics_punctuation_and_titles():
    assert claimant_key("Rüdiger Frank") == claimant_key("RUDIGER  frank")
    assert claimant_key("the Red Cross") == claimant_key("Red Cross")
    assert claimant_key("Park Min-jung") == claimant_key("Park Min Jung")
    assert claimant_key("Dr. Jean H. Lee") == claimant_key("Jean H Lee")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Lopez", "Ana Lopez"),
        ("Ana Lopes", "Ana Lopez"),
        ("Wei", "Wei Jianguo"),
        ("Jean Lee", "Jean H. Lee"),
        ("IMF", "International Monetary Fund"),
        ("the Red Cross", "Red Cross"),
        ("Ms. Okafor", "Maria Okafor"),
    ],
)
def test_same_claimant_merges_variants(a, b):
    assert same_claimant(a, b)
    assert same_claimant(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Park Min-jung", "Park Ji-hoon"),
        ("Ana Lopez", "Luis Lopez"),
        ("Lee", "Lea"),
        ("Ministry", "Ministry of Health"),
        ("", "Ana Lopez"),
    ],
)
def test_same_claimant_keeps_different_claimants_apart(a, b):
    assert not same_claimant(a, b)
    assert not same_claimant(b, a)
