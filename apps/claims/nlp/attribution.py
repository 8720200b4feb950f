"""Guess who made a claim, from the words around it.

Pure Python and regular expressions: no models, no Django. ``guess_claimant``
looks at the sentence holding a claim's span (and, for quotes and
"according to" paragraphs, its neighbours) for the cues newsrooms use to
attribute a statement:

- ``X said ...`` / ``... , X said`` / ``... , said X`` (and told, warned, noted,
  claimed, added, thinks, believes, estimates, argues, stated, ...);
- ``X, a professor at ..., said`` (an appositive gives the role);
- ``according to X``; ``... was warned by X``; ``..., adding that ...``;
- dash-led interview quotes (``– ..., Moshes says.``) and quotes that run over
  several sentences;
- ``he said`` / ``the researcher thinks`` / ``the paper added``, resolved to the
  most recent person (or organisation) named before;
- a surname alone (``Moshes``) resolved to the full name seen in the article;
- institutions: ``the White House claimed``, ``CBS News reports``, ``Washington
  said`` (a capital or country speaking for its government).

``claimant_key`` and ``same_claimant`` merge the names found across articles.

The analysis of one article is cached, so many spans of the same text are cheap.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = [
    "ORGANIZATION",
    "PERSON",
    "AttributionCue",
    "ClaimantGuess",
    "attribution_cues",
    "claimant_key",
    "guess_claimant",
    "same_claimant",
]

PERSON = "person"
ORGANIZATION = "organization"


@dataclass(frozen=True)
class ClaimantGuess:
    """Who most likely made a claim, and the cue that says so."""

    name: str
    kind: str  # PERSON or ORGANIZATION
    role: str
    confidence: float
    evidence: str


@dataclass(frozen=True)
class AttributionCue:
    """Where a text says who speaks: ``text[start:end]`` is the cue ("Moshes says",
    "According to Moshes", "In-bum Chun, a retired general, told"), and it attributes
    the words on its left, its right or both."""

    start: int
    end: int
    name: str
    governs_left: bool
    governs_right: bool


# --------------------------------------------------------------------------- lexicon


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Verbs that attribute a statement to their subject ("X said", "X warned that").
_CUE_VERBS = _words(
    """
    say says said tell tells told warn warns warned note notes noted claim claims claimed
    add adds added think thinks believe believes believed estimate estimates estimated
    argue argues argued state states stated explain explains explained insist insists
    insisted stress stresses stressed emphasize emphasizes emphasized emphasise emphasises
    emphasised assert asserts asserted report reports reported write writes wrote reveal
    reveals revealed announce announces announced acknowledge acknowledges acknowledged
    admit admits admitted agree agrees agreed maintain maintains maintained predict predicts
    predicted contend contends contended conclude concludes concluded observe observes
    observed remark remarks remarked caution cautions cautioned voice voices voiced
    highlight highlights highlighted summarize summarizes summarized summarise summarises
    summarised comment comments commented confirm confirms confirmed deny denies denied
    allege alleges alleged declare declares declared mention mentions mentioned instruct
    instructs instructed consider considers suggest suggests suggested tweet tweets
    tweeted recall recalls recalled testify testifies testified clarify clarifies clarified
    express expresses expressed forecast forecasts projected projects
    """
)
# Plain forms: 'he and Putin agree' has a plural subject; 'does not believe' is fine.
_BASE_FORMS = _words(
    """
    say tell warn note claim add think believe estimate argue state explain insist stress
    emphasize emphasise assert report write reveal announce acknowledge admit agree maintain
    predict contend conclude observe remark caution voice highlight summarize summarise
    comment confirm deny allege declare mention instruct consider suggest tweet recall
    testify clarify express forecast
    """
)
# Verbs that attribute only with a reported clause: 'maintains the view that ...',
# not 'have maintained close ties'.
_WEAK_VERBS = _words(
    """
    maintain maintains maintained voice voices voiced express expresses expressed highlight
    highlights highlighted consider considers recall recalls recalled comment comments
    commented
    """
)
# Verbs that journalists put before their subject: '..., said The Guardian.'
_INVERSION_VERBS = _words(
    """
    said says added adds noted notes wrote writes explained explains continued continues
    argued argues observed observes remarked summarized summarizes summarised summarises
    concluded concludes reported reports stated warned warns thinks believes claimed
    insisted asked replied mentioned cautioned estimates estimated
    """
)
# '..., saying that ...': the participle continues the attribution before it.
_PARTICIPLES = _words(
    """
    saying adding noting warning asserting arguing claiming stressing insisting explaining
    suggesting emphasizing emphasising stating declaring telling
    """
)
# 'X was warned by Y': the agent of a passive speech verb is the claimant.
_PASSIVE_SPEECH = _words(
    """
    warned advised told cautioned informed reported stated claimed said announced assured
    urged quoted cited described
    """
)
_BE_FORMS = _words("is are was were be been being")
# Words that may sit between a subject and its verb: 'Kirby has warned', 'Everard also said'.
_AUX_ADVERBS = _words(
    """
    has have had also further later then again previously recently already once did does
    do not never would will could may might still just repeatedly had publicly privately
    first earlier since subsequently reportedly
    """
)
# Passive hearsay: 'are said to', 'it has been speculated that', 'reportedly'.
_HEARSAY_RE = re.compile(
    r"\b(?:is|are|was|were|been|be)\s+(?:\w+ly\s+)?"
    r"(?:said|believed|thought|reported|rumou?red|speculated|alleged|understood|claimed|"
    r"expected|suspected|known)\s+to\b"
    r"|\bit\s+(?:is|was|has\s+been|had\s+been)\s+(?:\w+ly\s+)?"
    r"(?:said|reported|speculated|rumou?red|believed|thought|claimed|suggested|alleged)\b"
    r"|\b(?:reportedly|allegedly|purportedly|supposedly|rumou?redly)\b",
    re.IGNORECASE,
)

# Capitalised words that start sentences or clauses but never names.
_FUNCTION_CAPS = _words(
    """
    A An The But And Or Nor So Yet Then Now However Indeed Also Still Meanwhile
    Nevertheless Nonetheless Furthermore Moreover Instead Thus Therefore Hence Even Only
    Last Earlier Later In On At For From With Without After Before When While If As Since
    Although Though Because This That These Those It Its He She His Her They Their We Our I
    You Your There Here What Why How Who Whom Whose Which Where Both Some Many Most All Any
    Each Every Among Towards Toward Unlike Like Given Whereas Over Under During Despite
    Through Into Onto Upon Above Below Between Within Across Against About Around Beyond
    Consequently Additionally Finally First Second Third Besides Again Already Just Not No
    Yes Is Are Was Were Be Has Have Had Do Does Did Will Would Can Could Should May Might
    Must Shall Writing Speaking Asked Asking According Following Amid Per Via To Of By Off
    Out Up Down One Two Three Four Five Six Seven Eight Nine Ten
    Today Tomorrow Yesterday Tonight Said Says Source See More Read Watch Photo Everyone
    Everybody Nobody Someone Somebody Anyone Anybody Others Other Another Several Few
    """
)
_HONORIFICS = _words(
    "Mr Mrs Ms Miss Dr Prof Sir Dame Lord Lady Rev Gen Lt Col Sgt Capt Sen Rep Gov"
)
# Titles and role words that precede a name: 'Defence Minister Sergei Shoigu'.
_TITLES = (
    _words(
        """
    President Vice Prime Minister Ministers Defence Defense Foreign Interior Finance Trade
    Secretary General Lieutenant Colonel Major Captain Admiral Marshal Chancellor Senator
    Representative Congressman Congresswoman Governor Mayor King Queen Prince Princess Pope
    Chairman Chairwoman Chair Leader Chief Ambassador Envoy Spokesman Spokeswoman
    Spokesperson Director Program Programme Former Deputy Acting Supreme Commander Premier
    Judge Justice Father Sheikh Emir Sultan Crown State National Security Adviser Advisor
    Professor Doctor Associate Assistant Senior Executive Head Official Analyst Expert
    Researcher Fellow Editor Correspondent Reporter Commissioner Officer Sergeant Agent
    """
    )
    | _HONORIFICS
)
# Words that make a capitalised run an organisation.
_ORG_WORDS = _words(
    """
    Institute Institution University College School Academy Council Center Centre Ministry
    Department Office Agency Administration Government Parliament Congress Senate Assembly
    Court Commission Committee Union Nations Organisation Organization Association
    Federation Foundation Endowment Fund Bank Program Programme Party Army Navy Force Forces
    Guard Police Service Services Group Company Corporation Corp Inc Ltd Times News Post
    Journal Herald Tribune Telegraph Guardian Gazette Press Review Daily Weekly Magazine
    Radio Television TV Network Broadcasting Channel Jazeera Reuters Interfax Xinhua Yonhap
    Bloomberg TASS Intelligence Research Studies Policy Affairs Relations House Kremlin
    Pentagon Whitehall Cosmodrome Republic Kingdom States Society Club League Alliance
    Coalition Initiative Project Board Authority Bureau Cabinet Secretariat Embassy
    Consulate Mission Command Watch Monitor Observatory Laboratory Institutes Universities
    Hospital Church Ministries Democrats Republicans Party Studio Studios Media Network
    """
)
# Geographic words: a run made of them is a place (which may speak for its government).
_PLACE_WORDS = _words(
    """
    Korea Koreas Korean Koreans Russia Russian Russians China Chinese Japan Japanese Ukraine
    Ukrainian Ukrainians America American Americans United Britain British Europe European
    Asia Asian Africa African Eurasia Eurasian Middle East West North South Northern
    Southern Eastern Western Central Pacific Atlantic Arctic Ocean Sea Gulf Peninsula Strait
    River Mountain Mountains Island Islands Region Province City Square Sq Street St Avenue
    Road World Soviet Germany German France French India Indian Iran Iranian Israel Israeli
    Syria Syrian Turkey Turkish Belarus Crimea Moscow Beijing Pyongyang Seoul Tokyo Kyiv
    Kiev London Paris Berlin Brussels Vladivostok Donetsk Luhansk Taiwan Vietnam NATO EU UN
    US UK USA DPRK Day War Western Eastern Latin Arab Gaza Poland Polish Canada Canadian
    Australia Australian Italy Italian Spain Spanish Washington Kremlin
    """
)
_MONTHS_DAYS = _words(
    """
    January February March April May June July August September October November December
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday Thursday
    Friday Saturday Sunday
    """
)
# Lower-case words allowed to glue a name together: 'Institute for Foreign Policy'.
_CONNECTORS = _words("of for de van von bin al da di du del der la le y")
_SPLIT_CONNECTORS = _words("of for")
# Nouns that make a definite description refer back to a speaker.
_PERSON_ROLE_NOUNS = _words(
    """
    expert researcher director analyst professor official spokesman spokeswoman
    spokesperson minister diplomat adviser advisor scientist economist author leader
    president ambassador fellow scholar specialist commentator general officer secretary
    chief lawmaker senator envoy historian academic observer head strategist lecturer
    """
)
_ORG_ROLE_NOUNS = _words(
    """
    paper newspaper daily broadcaster agency outlet magazine network channel website
    ministry government administration institute organisation organization group company
    firm tank thinktank publication tabloid
    """
)
# Lower-case words that end a noun phrase after a verb or 'according to'.
_NP_STOP = _words(
    """
    that which who whom whose when where while as in on at after before during because if
    than then to from with without by into about and or but not also is are was were has
    have had will would could should may might can last this next earlier later today
    yesterday tomorrow recently previously on since until so while however though although
    its his her their our your my it's
    """
)
# Words that make a noun phrase the subject of a clause: 'says Kim would ...'.
_CLAUSE_VERBS = _words(
    """
    is are was were has have had will would could should may might can must does did do
    shall won't wouldn't can't couldn't isn't aren't wasn't weren't hasn't haven't
    """
)
_PRONOUNS_PERSON = _words("he she He She")
_PRONOUNS_ORG = _words("it It")

_OPEN_QUOTES = '“"‘«„'
_CLOSE_QUOTES = '”"’»'
_DASHES = "–—-"

# Capital or country speaking for its government: 'Washington said', 'the US warned'.
_GOVERNMENT_ALIASES: dict[str, tuple[str, ...]] = {
    "United States government": (
        "us",
        "usa",
        "united states",
        "united states of america",
        "america",
        "washington",
        "us government",
        "us administration",
    ),
    "Russian government": ("russia", "moscow", "russian federation"),
    "Chinese government": ("china", "beijing", "prc", "peoples republic of china"),
    "North Korean government": ("north korea", "pyongyang", "dprk"),
    "South Korean government": ("south korea", "seoul"),
    "Japanese government": ("japan", "tokyo"),
    "British government": ("uk", "united kingdom", "britain", "great britain", "london"),
    "Ukrainian government": ("ukraine", "kyiv", "kiev"),
    "French government": ("france", "paris"),
    "German government": ("germany", "berlin"),
    "Indian government": ("india", "new delhi"),
    "Iranian government": ("iran", "tehran"),
    "Israeli government": ("israel",),
    "Turkish government": ("turkey", "turkiye", "ankara"),
    "Taiwanese government": ("taiwan", "taipei"),
    "Polish government": ("poland", "warsaw"),
    "Canadian government": ("canada", "ottawa"),
}


# --------------------------------------------------------------------------- keys


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_KEY_HONORIFICS = frozenset(w.casefold() for w in _HONORIFICS) | {"professor"}


def _key_tokens(name: str) -> list[str]:
    text = _fold(name)
    text = re.sub(r"[’'`]s\b", "", text)  # possessive
    text = re.sub(r"[’'`.]", "", text)  # U.S. -> us, O'Brien -> obrien
    tokens = re.sub(r"[^\w]+|_", " ", text).split()
    while tokens and (tokens[0] == "the" or tokens[0] in _KEY_HONORIFICS):
        tokens = tokens[1:]
    return tokens


_ALIAS_KEYS: dict[str, str] = {}
for _canonical, _aliases in _GOVERNMENT_ALIASES.items():
    _canonical_key = " ".join(_key_tokens(_canonical))
    for _alias in (*_aliases, _canonical_key):
        _ALIAS_KEYS[_alias] = _canonical_key
        _ALIAS_KEYS[_alias + " government"] = _canonical_key
_DISPLAY_BY_KEY = {" ".join(_key_tokens(c)): c for c in _GOVERNMENT_ALIASES}


def claimant_key(name: str) -> str:
    """A normal form of a claimant's name for exact matching.

    Case, diacritics, punctuation, a leading 'the' and honorifics are ignored;
    a country or its capital maps to its government ('Washington', 'the U.S.'
    -> 'united states government').
    """
    key = " ".join(_key_tokens(name))
    return _ALIAS_KEYS.get(key, key)


def _within_one_edit(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def _same_token(a: str, b: str, *, fuzzy: bool) -> bool:
    if a == b:
        return True
    # A small spelling variant of a long word: 'shoigun' ~ 'shoigu'.
    return fuzzy and min(len(a), len(b)) >= 5 and _within_one_edit(a, b)


def _initial_match(a: str, b: str) -> bool:
    return (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


_ACRONYM_SKIP = frozenset({"of", "for", "and", "the", "on", "in", "de"})
# Words that name a kind of body or place, never a surname on their own.
_GENERIC_KEYS = frozenset(w.casefold() for w in _ORG_WORDS | _PLACE_WORDS) | {"government"}


def _is_acronym_of(raw: str, tokens: list[str]) -> bool:
    letters = re.sub(r"[^\w]", "", raw)
    if raw.strip().casefold().startswith("the "):
        letters = re.sub(r"[^\w]", "", raw.strip()[4:])
    if not (2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()):
        return False
    initials = "".join(t[0] for t in tokens if t not in _ACRONYM_SKIP)
    return len(tokens) > 1 and initials == _fold(letters)


def same_claimant(a: str, b: str) -> bool:
    """Whether two claimant names most likely refer to the same claimant.

    Beyond ``claimant_key`` equality: a surname alone matches a full name
    ('Shoigu' ~ 'Sergei Shoigu'; a family name written first, 'Kim' ~ 'Kim Jong
    Un', also counts), a surname of five letters or more may differ by one edit
    ('Sergei Shoigun' ~ 'Sergei Shoigu'), and an acronym matches its expansion
    ('NYT' ~ 'The New York Times'). Full names must agree on every part, so
    'Kim Jong Un' and 'Kim Yo Jong' stay apart.
    """
    key_a, key_b = claimant_key(a), claimant_key(b)
    if not key_a or not key_b:
        return False
    if key_a == key_b:
        return True
    tokens_a, tokens_b = key_a.split(), key_b.split()
    if _is_acronym_of(a, tokens_b) or _is_acronym_of(b, tokens_a):
        return True
    if len(tokens_a) > len(tokens_b):
        tokens_a, tokens_b = tokens_b, tokens_a
    if len(tokens_a) == 1:
        (single,) = tokens_a
        if len(tokens_b) == 1:
            return _same_token(single, tokens_b[0], fuzzy=True)
        if single in _GENERIC_KEYS:
            return False
        return _same_token(single, tokens_b[-1], fuzzy=True) or single == tokens_b[0]
    if not _same_token(tokens_a[-1], tokens_b[-1], fuzzy=True):
        return False
    first_a, first_b = tokens_a[0], tokens_b[0]
    if not (_same_token(first_a, first_b, fuzzy=True) or _initial_match(first_a, first_b)):
        return False
    # Middle parts: every one the shorter name has must appear, in order, in the other.
    middle_b = iter(tokens_b[1:-1])
    for part in tokens_a[1:-1]:
        if not any(
            _same_token(part, other, fuzzy=True) or _initial_match(part, other)
            for other in middle_b
        ):
            return False
    if len(tokens_a) == len(tokens_b):
        return True
    # 'Jean Lee' ~ 'Jean H. Lee' (extra middle initials or names), not 'Kim Jong' ~ 'Kim Il Jong'.
    return len(tokens_a) == 2


# --------------------------------------------------------------------------- tokens


_TOKEN_RE = re.compile(
    r"(?:[^\W\d_]\.){2,}"  # U.S., e.g.
    r"|[A-Z]\.(?=\s+[A-Z])"  # a middle initial: Jean H. Lee
    r"|[^\W\d_]+(?:[’'\-][^\W\d_]+)*"
    r"|\d[\d.,:]*\d|\d"
)
_ABBREVIATIONS = frozenset(
    w.casefold()
    for w in _HONORIFICS
    | _words("St Jr Sr Inc Co Corp Ltd No vs etc Mt Ft approx Jan Feb Mar Apr Aug Sep Sept")
    | _words("Oct Nov Dec Prof Gov Gen Rep")
)
_SENTENCE_END_RE = re.compile(r"[.!?…]+[\"”’'»)\]]*\s+")


def _is_cap(token: str) -> bool:
    return token[0].isupper()


def _is_possessive(token: str) -> bool:
    return len(token) > 2 and token[-2] in "’'" and token[-1] in "sS"


def _strip_possessive(token: str) -> str:
    return token[:-2] if _is_possessive(token) else token


def _is_acronym(token: str) -> bool:
    letters = token.replace(".", "")
    return len(letters) > 1 and letters.isalpha() and letters.isupper()


@dataclass
class _Attribution:
    start: int  # cue phrase span in the text
    end: int
    name: str
    kind: str
    role: str
    confidence: float
    evidence: str
    how: str  # subject, inversion, according, response, passive, participle
    governs_left: bool = True
    governs_right: bool = True


@dataclass
class _Sentence:
    start: int
    end: int
    paragraph: int
    first_token: int = 0
    end_token: int = 0  # exclusive
    attributions: list[_Attribution] = field(default_factory=list)
    hearsay: bool = False


@dataclass(frozen=True)
class _Claimant:
    name: str
    kind: str
    role: str
    confidence: float
    how: str  # named, surname, pronoun, role, forward (settled later), alias, acronym


class _Article:
    """One article's sentences, tokens, names and attributions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tok_start: list[int] = []
        self.tok_end: list[int] = []
        self.tok: list[str] = []
        for match in _TOKEN_RE.finditer(text):
            self.tok_start.append(match.start())
            self.tok_end.append(match.end())
            self.tok.append(match.group())
        self.paragraphs: list[tuple[int, int]] = []
        self.sentences: list[_Sentence] = []
        self._split()
        self.tok_sentence = [0] * len(self.tok)
        for index, sentence in enumerate(self.sentences):
            sentence.first_token = bisect_right(self.tok_start, sentence.start - 1)
            sentence.end_token = bisect_right(self.tok_start, sentence.end - 1)
            for t in range(sentence.first_token, sentence.end_token):
                self.tok_sentence[t] = index
        self.sentence_starts = [s.start for s in self.sentences]
        self.quoted = sorted(self._quote_regions())
        self.paragraph_sentences: list[list[int]] = [[] for _ in self.paragraphs]
        for index, sentence in enumerate(self.sentences):
            self.paragraph_sentences[sentence.paragraph].append(index)
        self.acronyms: dict[str, str] = {}
        self.full_names: list[tuple[int, str, list[str]]] = []  # persons with 2+ names
        self.antecedents: list[tuple[int, str]] = []  # persons a pronoun may refer to
        self.speakers: list[tuple[int, str, str, str]] = []  # (pos, name, kind, role)
        self._forward: list[tuple[_Sentence, _Attribution]] = []
        self._find_names()
        for index in range(len(self.sentences)):
            self._find_attributions(index)
        self._settle_forward_references()

    # ---------------------------------------------------------------- structure

    def _split(self) -> None:
        text = self.text
        for line in re.finditer(r"[^\n]+", text):
            start, end = line.start(), line.end()
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start == end:
                continue
            paragraph = len(self.paragraphs)
            self.paragraphs.append((start, end))
            sentence_start = start
            for match in _SENTENCE_END_RE.finditer(text, start, end):
                after = match.end()
                if after >= end:
                    break
                following = text[after]
                if not (
                    following.isupper()
                    or following.isdigit()
                    or following in _OPEN_QUOTES + _DASHES + "(["
                ):
                    continue
                if text[match.start()] == "." and self._is_abbreviation(match.start()):
                    continue
                self.sentences.append(_Sentence(sentence_start, match.end(), paragraph))
                sentence_start = after
            self.sentences.append(_Sentence(sentence_start, end, paragraph))
        for sentence in self.sentences:
            end = sentence.end
            while end > sentence.start and self.text[end - 1].isspace():
                end -= 1
            sentence.end = end
            sentence.hearsay = bool(_HEARSAY_RE.search(self.text, sentence.start, sentence.end))

    def _is_abbreviation(self, dot: int) -> bool:
        word = re.search(r"[\w.]*$", self.text[max(0, dot - 12) : dot]).group()
        if not word:
            return False
        if word.casefold() in _ABBREVIATIONS:
            return True
        # A single letter or dotted initials: 'H.', 'U.S.'
        return bool(re.fullmatch(r"(?:[A-Za-z]\.)*[A-Za-z]", word))

    def _quote_regions(self) -> list[tuple[int, int]]:
        regions = []
        for start, end in self.paragraphs:
            chunk = self.text[start:end]
            opened = None
            for match in re.finditer(r"[“”\"]", chunk):
                char = match.group()
                position = start + match.start()
                if char == "“" or (char == '"' and opened is None):
                    if opened is None:
                        opened = position
                elif opened is not None:
                    regions.append((opened, position + 1))
                    opened = None
            if opened is not None:
                regions.append((opened, end))
        return regions

    def _in_quote(self, position: int) -> bool:
        return self._quote_around(position) is not None

    def _quote_around(self, position: int) -> tuple[int, int] | None:
        index = bisect_right(self.quoted, (position, len(self.text) + 1)) - 1
        if index >= 0 and self.quoted[index][0] <= position < self.quoted[index][1]:
            return self.quoted[index]
        return None

    def sentence_at(self, position: int) -> int:
        return max(0, bisect_right(self.sentence_starts, position) - 1)

    def gap(self, index: int) -> str:
        """The text between token index-1 and token index."""
        return self.text[self.tok_end[index - 1] : self.tok_start[index]]

    def joined(self, index: int) -> bool:
        """Whether token index continues the phrase of token index-1 (only spaces between)."""
        if index <= 0 or self.tok_sentence[index] != self.tok_sentence[index - 1]:
            return False
        gap = self.gap(index)
        if gap.strip() == "":
            return "\n" not in gap
        return gap.strip() == "." and self.tok[index - 1] in _HONORIFICS

    # ---------------------------------------------------------------- names

    def _cap_runs(self) -> list[tuple[int, int]]:
        runs = []
        index, count = 0, len(self.tok)
        while index < count:
            if not _is_cap(self.tok[index]):
                index += 1
                continue
            last = index
            while not _is_possessive(self.tok[last]):
                following = last + 1
                if following < count and self.joined(following):
                    if _is_cap(self.tok[following]):
                        last = following
                        continue
                    if (
                        self.tok[following] in _CONNECTORS
                        and following + 1 < count
                        and self.joined(following + 1)
                        and _is_cap(self.tok[following + 1])
                    ):
                        last = following + 1
                        continue
                break
            runs.append((index, last))
            index = last + 1
        return runs

    def _person_core(self, first: int, last: int) -> tuple[int, int] | None:
        """The token range of a person's name inside a capitalised run, if it holds one."""
        for index in range(last, first - 1, -1):
            if self.tok[index] in _SPLIT_CONNECTORS:
                first = index + 1
                break
        while first <= last and (
            self.tok[first] in _FUNCTION_CAPS
            or self.tok[first] in _TITLES
            or _strip_possessive(self.tok[first]) in _PLACE_WORDS
        ):
            first += 1
        if not 2 <= last - first + 1 <= 4:
            return None
        for index in range(first, last + 1):
            word = _strip_possessive(self.tok[index])
            if (
                word in _ORG_WORDS
                or word in _PLACE_WORDS
                or word in _MONTHS_DAYS
                or word in _FUNCTION_CAPS
                or word in _TITLES
                or (_is_acronym(word) and not re.fullmatch(r"[A-Z]\.", word))
                or (index < last and _is_possessive(self.tok[index]))
            ):
                return None
            if not _is_cap(word) and word not in _CONNECTORS:
                return None
        return first, last

    def _span_text(self, first: int, last: int) -> str:
        text = self.text[self.tok_start[first] : self.tok_end[last]]
        text = re.sub(r"\s+", " ", text)
        return re.sub(r"[’']s$", "", text) if _is_possessive(self.tok[last]) else text

    def _find_names(self) -> None:
        self.cap_runs = runs = self._cap_runs()
        singles: list[tuple[int, int]] = []
        for first, last in runs:
            # 'The New York Times (NYT)': remember what an acronym stands for.
            after = self.text[self.tok_end[last] : self.tok_end[last] + 12]
            acronym = re.match(r"\s*\(([A-Z]{2,6})\)", after)
            if acronym and last > first:
                self.acronyms[acronym.group(1)] = self._span_text(first, last)
            core = self._person_core(first, last)
            if core is not None:
                name = self._span_text(*core)
                position = self.tok_start[core[0]]
                parts = [_fold(_strip_possessive(self.tok[t])) for t in range(core[0], core[1] + 1)]
                self.full_names.append((position, name, parts))
                if not self._in_quote(position) and not _is_possessive(self.tok[core[1]]):
                    self.antecedents.append((position, name))
            else:
                singles.append((first, last))
        self._by_last_part: dict[str, list[tuple[int, str]]] = {}
        self._by_first_part: dict[str, list[tuple[int, str]]] = {}
        for position, name, parts in self.full_names:
            self._by_last_part.setdefault(parts[-1], []).append((position, name))
            self._by_first_part.setdefault(parts[0], []).append((position, name))
        for first, last in singles:
            word = self.tok[last]
            if _is_possessive(word) or self._in_quote(self.tok_start[last]):
                continue
            if last > first and not (
                self.tok[last - 1] in _TITLES or self.tok[last - 1] in _FUNCTION_CAPS
            ):
                continue
            name = self.resolve_surname(word, self.tok_start[last])
            if name:
                self.antecedents.append((self.tok_start[last], name))
        self.antecedents.sort()

    def resolve_surname(self, word: str, position: int) -> str | None:
        """The full name that a one-word mention most likely stands for."""
        folded = _fold(_strip_possessive(word))
        # Prefer the latest full name before the mention, by surname then by a family
        # name written first ('Kim' -> 'Kim Jong Un'); then the first one after it.
        for before in (True, False):
            for index in (self._by_last_part, self._by_first_part):
                mentions = index.get(folded)
                if not mentions:
                    continue
                cut = bisect_right(mentions, (position,))
                if before and cut > 0:
                    return mentions[cut - 1][1]
                if not before and cut < len(mentions):
                    return mentions[cut][1]
        return None

    def _acronym_expansion(self, acronym: str) -> str | None:
        if acronym in self.acronyms:
            return self.acronyms[acronym]
        for first, last in self.cap_runs:
            words = [t for t in self.tok[first : last + 1] if t not in _ACRONYM_SKIP]
            words = [w for w in words if w != "The"]
            if len(words) > 1 and "".join(w[0] for w in words) == acronym:
                return self._span_text(first, last)
        return None

    # ---------------------------------------------------------------- claimants

    def _classify(self, first: int, last: int, role: str) -> _Claimant | None:
        """Turn a capitalised run (a name as written) into a claimant."""
        while first <= last and self.tok[first] in _FUNCTION_CAPS and self.tok[first] != "The":
            first += 1
        if first > last:
            return None
        words = [_strip_possessive(self.tok[t]) for t in range(first, last + 1)]
        if words[0] == "The" and len(words) == 1:
            return None
        written = self._span_text(first, last)
        if words[0] == "The" and not self._written_with_the(written):
            # 'The Kremlin said' opens a sentence; 'the Kremlin' is how the name goes.
            written = written[4:]
        if any(w in _MONTHS_DAYS for w in words) and len(words) <= 2:
            return None
        key = claimant_key(written)
        if key in _DISPLAY_BY_KEY:
            return _Claimant(_DISPLAY_BY_KEY[key], ORGANIZATION, role, 0.9, "alias")
        core = self._person_core(first, last)
        if core is not None:
            titles = self._span_text(first, core[0] - 1) if core[0] > first else ""
            role = " ".join(part for part in (titles, role) if part)
            return _Claimant(self._span_text(*core), PERSON, role, 0.9, "named")
        content = [w for w in words if w != "The" and w not in _TITLES]
        if len(content) == 1 and len(words) > 1 and words[-2] in _TITLES:
            # 'Mr. Putin', 'President Zelensky': a titled surname is a person.
            full = self.resolve_surname(content[0], self.tok_start[last])
            return _Claimant(full or content[0], PERSON, role, 0.8, "surname" if full else "named")
        if len(content) == 1:
            word = content[0]
            if _is_acronym(word):
                expansion = self._acronym_expansion(word.replace(".", ""))
                if expansion:
                    return _Claimant(expansion, ORGANIZATION, role, 0.85, "acronym")
                return _Claimant(word, ORGANIZATION, role, 0.8, "named")
            full = self.resolve_surname(word, self.tok_start[last])
            if full:
                return _Claimant(full, PERSON, role, 0.85, "surname")
            if word in _ORG_WORDS or words[0] == "The":
                return _Claimant(written.removeprefix("the "), ORGANIZATION, role, 0.8, "named")
            if word in _FUNCTION_CAPS or word in _TITLES or word in _PLACE_WORDS:
                return None
            # A single capitalised word never introduced by a full name is more often a
            # body ('Eurostat said') than a person; at the start of a sentence it may be
            # a common word ('Officials said'), so it must look like a proper noun.
            sentence = self.sentences[self.tok_sentence[first]]
            if first == sentence.first_token and not self._looks_proper(word):
                return None
            return _Claimant(word, ORGANIZATION, role, 0.6, "named")
        if any(w in _ORG_WORDS or w in _PLACE_WORDS for w in content) or words[0] == "The":
            return _Claimant(written, ORGANIZATION, role, 0.85, "named")
        if any(self.tok[t] in _SPLIT_CONNECTORS for t in range(first, last + 1)):
            return _Claimant(written, ORGANIZATION, role, 0.8, "named")
        return _Claimant(written, PERSON, role, 0.75, "named")

    def _looks_proper(self, word: str) -> bool:
        """Whether a sentence-initial capitalised word is a name rather than a noun."""
        for index, token in enumerate(self.tok):
            if token == word:
                sentence = self.sentences[self.tok_sentence[index]]
                if index != sentence.first_token:
                    return True
            elif token == word.lower():
                return False
        return not word.endswith("s")

    def _written_with_the(self, written: str) -> bool:
        """Whether the article capitalises 'The' in this name mid-sentence."""
        for match in re.finditer(re.escape(written), self.text):
            before = self.text[max(0, match.start() - 3) : match.start()]
            if re.search(r"[\w,;]\s+$", before):
                return True
        return False

    def _recent_speaker(self, position: int, kind: str) -> tuple[str, str] | None:
        for spoken_at, name, speaker_kind, role in reversed(self.speakers):
            if spoken_at < position and speaker_kind == kind:
                return name, role
        return None

    def _pronoun_person(self, position: int) -> str | None:
        best = None
        for mentioned_at, name in self.antecedents:
            if mentioned_at >= position:
                break
            best = name
        for spoken_at, name, kind, _ in reversed(self.speakers):
            if spoken_at < position and kind == PERSON:
                if best is None or spoken_at > self._mention_position(best, position):
                    best = name
                break
        return best

    def _mention_position(self, name: str, position: int) -> int:
        latest = -1
        for mentioned_at, mentioned in self.antecedents:
            if mentioned_at >= position:
                break
            if mentioned == name:
                latest = mentioned_at
        return latest

    def _role_reference(self, description: str, kind: str, position: int) -> _Claimant | None:
        """'the researcher', 'the paper': the most recent speaker of that kind."""
        recent = self._recent_speaker(position, kind)
        if recent:
            return _Claimant(recent[0], kind, recent[1] or description, 0.65, "role")
        if kind == PERSON:
            # A headline's 'the researcher thinks' refers forward to the first person
            # quoted; settled once the whole article has been read.
            return _Claimant("", kind, description, 0.5, "forward")
        return None

    def _settle_forward_references(self) -> None:
        for sentence, attribution in self._forward:
            later = [
                (name, role)
                for spoken_at, name, kind, role in self.speakers
                if spoken_at > attribution.start and kind == attribution.kind
            ]
            if later:
                attribution.name = later[0][0]
                attribution.role = later[0][1] or attribution.role
                continue
            name = self._pronoun_person(attribution.start)
            if name:
                attribution.name = name
            else:
                sentence.attributions.remove(attribution)

    def _interpret(self, indices: list[int], role: str = "") -> _Claimant | None:
        """Interpret a noun phrase (token indices, in order) that names a claimant."""
        while indices and self.tok[indices[0]] in ("the", "a", "an"):
            indices = indices[1:]
        if not indices:
            return None
        position = self.tok_start[indices[0]]
        if len(indices) == 1 and self.tok[indices[0]] in _PRONOUNS_PERSON:
            name = self._pronoun_person(position)
            return _Claimant(name, PERSON, "", 0.7, "pronoun") if name else None
        if len(indices) == 1 and self.tok[indices[0]] in _PRONOUNS_ORG:
            recent = self._recent_speaker(position, ORGANIZATION)
            return _Claimant(recent[0], ORGANIZATION, recent[1], 0.6, "pronoun") if recent else None
        last_word = self.tok[indices[-1]]
        description = self._span_text(indices[0], indices[-1])
        if not _is_cap(last_word):
            caps = [t for t in indices if _is_cap(self.tok[t]) and not _is_possessive(self.tok[t])]
            if last_word in _PERSON_ROLE_NOUNS:
                return self._role_reference(description, PERSON, position)
            if last_word in _ORG_ROLE_NOUNS:
                if caps:
                    run_end = caps[-1]
                    run_start = run_end
                    while (
                        run_start - 1 in indices
                        and _is_cap(self.tok[run_start - 1])
                        and not _is_possessive(self.tok[run_start - 1])
                    ):
                        run_start -= 1
                    return self._classify(run_start, run_end, role or description)
                return self._role_reference(description, ORGANIZATION, position)
            return None
        # The name is the trailing capitalised run; what comes before it is a role.
        run_start = len(indices) - 1
        while run_start > 0:
            previous = self.tok[indices[run_start - 1]]
            if _is_possessive(previous):
                break
            if _is_cap(previous) or (
                previous in _CONNECTORS
                and run_start > 1
                and _is_cap(self.tok[indices[run_start - 2]])
            ):
                run_start -= 1
                continue
            break
        prefix = self._span_text(indices[0], indices[run_start - 1]) if run_start > 0 else ""
        role = " ".join(part for part in (prefix, role) if part)
        return self._classify(indices[run_start], indices[-1], role)

    def _right_phrase(self, after: int, end_token: int) -> list[int]:
        """Tokens of the noun phrase right after token ``after``."""
        indices: list[int] = []
        index = after + 1
        while index < end_token and len(indices) < 10 and self.joined(index):
            word = self.tok[index]
            if word in _NP_STOP or word in _CUE_VERBS:
                break
            if word in _CONNECTORS and not (indices and _is_cap(self.tok[indices[-1]])):
                break
            indices.append(index)
            index += 1
        # End at a name or a role noun: 'the White House against pursuing ...'.
        while indices and not (
            _is_cap(self.tok[indices[-1]])
            or self.tok[indices[-1]] in _PERSON_ROLE_NOUNS
            or self.tok[indices[-1]] in _ORG_ROLE_NOUNS
            or self.tok[indices[-1]] in _PRONOUNS_PERSON
            or self.tok[indices[-1]] in _PRONOUNS_ORG
        ):
            indices.pop()
        while indices and self.tok[indices[-1]] in _CONNECTORS:
            indices.pop()
        return indices

    def _appositive_after(self, last: int, end_token: int) -> tuple[str, int]:
        """', Program Director of the Institute', right after a name: (role, last token)."""
        following = last + 1
        if following >= end_token or self.gap(following).strip() != ",":
            return "", last
        word = self.tok[following]
        if not (word in ("a", "an", "the") or word in _TITLES or word in _PERSON_ROLE_NOUNS):
            return "", last
        index = following
        while index + 1 < end_token and "," not in self.gap(index + 1):
            if any(c in self.gap(index + 1) for c in '“”"();:'):
                break
            index += 1
        role = self._span_text(following, index)
        return re.sub(r"^(?:a|an|the)\s+", "", role), index

    def _left_subject(self, verb: int, sentence: _Sentence) -> tuple[_Claimant, int] | None:
        """The subject of a cue verb: (claimant, first token of the subject phrase)."""
        first_token = sentence.first_token
        index = verb - 1
        while (
            index >= first_token
            and self.joined(index + 1)
            and (self.tok[index] in _AUX_ADVERBS or re.fullmatch(r"[a-z]+ly", self.tok[index]))
        ):
            index -= 1
        if index < first_token:
            return None
        if self.tok[verb] in _BASE_FORMS and index == verb - 1:
            return None
        if self.tok[verb] in _WEAK_VERBS and not self._has_complement(verb, sentence.end_token):
            return None
        if not self.joined(index + 1):
            if "," in self.gap(index + 1):
                return self._appositive_subject(index, sentence)
            return None
        word = self.tok[index]
        if word in _BE_FORMS:  # 'Kim and Putin are said to ...': passive, no speaker
            return None
        if word == "who" and index > first_token and "," in self.gap(index):
            return self._appositive_subject(index - 1, sentence, relative=True)
        chunk = [index]
        while chunk[0] > first_token and self.joined(chunk[0]):
            previous = self.tok[chunk[0] - 1]
            if previous in _NP_STOP or previous in _CUE_VERBS or previous in _AUX_ADVERBS:
                break
            if not _is_cap(previous) and not previous.isalpha():
                break
            chunk.insert(0, chunk[0] - 1)
            if len(chunk) > 8:
                return None
        if len(chunk) == 1 and self.tok[chunk[0]] in _PRONOUNS_PERSON | _PRONOUNS_ORG:
            claimant = self._interpret(chunk)
            return (claimant, chunk[0]) if claimant else None
        while chunk and self.tok[chunk[0]] in _FUNCTION_CAPS and self.tok[chunk[0]] != "The":
            chunk = chunk[1:]
        if not chunk:
            return None
        claimant = self._interpret(chunk)
        if claimant is None:
            return None
        # 'Victor Cha and Andrius Tursa remarked': the first one named leads.
        conjunction = chunk[0] - 1
        if (
            conjunction > first_token
            and self.tok[conjunction] == "and"
            and self.joined(chunk[0])
            and self.joined(conjunction)
            and _is_cap(self.tok[conjunction - 1])
            and _is_cap(self.tok[chunk[0]])
        ):
            found = self._left_subject_chunk(conjunction - 1, first_token)
            if found:
                return found
        return claimant, chunk[0]

    def _left_subject_chunk(self, index: int, first_token: int) -> tuple[_Claimant, int] | None:
        chunk = [index]
        while chunk[0] > first_token and self.joined(chunk[0]):
            previous = self.tok[chunk[0] - 1]
            if previous in _NP_STOP or previous in _CUE_VERBS or not previous.isalpha():
                break
            chunk.insert(0, chunk[0] - 1)
        while chunk and self.tok[chunk[0]] in _FUNCTION_CAPS and self.tok[chunk[0]] != "The":
            chunk = chunk[1:]
        claimant = self._interpret(chunk) if chunk else None
        return (claimant, chunk[0]) if claimant else None

    def _has_complement(self, verb: int, end_token: int) -> bool:
        """A reported clause follows: 'that', a quote, a colon or ', asserting ...'."""
        for index in range(verb + 1, min(end_token, verb + 8)):
            gap = self.gap(index)
            if self.tok[index] == "that" or any(c in gap for c in _OPEN_QUOTES + ":"):
                return True
            if self.tok[index] in _PARTICIPLES and "," in gap:
                return True
        return False

    def _appositive_subject(
        self, last: int, sentence: _Sentence, *, relative: bool = False
    ) -> tuple[_Claimant, int] | None:
        """'Bruce Bechtol, a professor at ..., says': find the name before the appositive."""
        lowest = max(sentence.first_token + 1, last - 45)
        candidates = [last + 1] if relative else range(last, lowest - 1, -1)
        for start in candidates:
            if start <= sentence.first_token or self.gap(start).strip() != ",":
                continue
            starter = self.tok[start] if start <= last else "who"
            if not (
                starter in ("a", "an", "the", "who") or not _is_cap(starter) or starter in _TITLES
            ):
                continue
            name_end = start - 1
            if not _is_cap(self.tok[name_end]) or _is_possessive(self.tok[name_end]):
                continue
            name_start = name_end
            while name_start > sentence.first_token and self.joined(name_start):
                previous = self.tok[name_start - 1]
                if _is_cap(previous) or (
                    previous in _CONNECTORS and _is_cap(self.tok[name_start - 2])
                ):
                    name_start -= 1
                    continue
                break
            role = "" if relative else self._span_text(start, last)
            role = re.sub(r"^(?:a|an|the|who is|who was|who)\s+", "", role)
            if starter == "which":
                role = ""
            claimant = self._interpret(list(range(name_start, name_end + 1)), role)
            if claimant:
                return claimant, name_start
        return None

    def _evidence(self, start: int, end: int, name_end: int | None = None) -> str:
        text = re.sub(r"\s+", " ", self.text[start:end]).strip(" ,")
        if len(text) > 90 and name_end is not None:
            head = re.sub(r"\s+", " ", self.text[start:name_end]).strip(" ,")
            tail = text.rsplit(" ", 1)[-1]
            return f"{head}, …, {tail}"
        return text

    def _add(
        self,
        sentence: _Sentence,
        claimant: _Claimant | None,
        start: int,
        end: int,
        how: str,
        *,
        weight: float = 1.0,
        name_end: int | None = None,
    ) -> None:
        if claimant is None:
            return
        attribution = _Attribution(
            start=start,
            end=end,
            name=claimant.name,
            kind=claimant.kind,
            role=claimant.role,
            confidence=round(claimant.confidence * weight, 3),
            evidence=self._evidence(start, end, name_end),
            how=how,
        )
        sentence.attributions.append(attribution)
        if claimant.how == "forward":
            self._forward.append((sentence, attribution))
        else:
            self.speakers.append((start, claimant.name, claimant.kind, claimant.role))

    def _find_attributions(self, index: int) -> None:
        sentence = self.sentences[index]
        first, end_token = sentence.first_token, sentence.end_token
        verb = first
        while verb < end_token:
            word = self.tok[verb]
            following = self.tok[verb + 1] if verb + 1 < end_token else ""
            previous = self.tok[verb - 1] if verb > first else ""
            if word in ("according", "According") and following == "to":
                phrase = self._right_phrase(verb + 1, end_token)
                if phrase:
                    claimant = self._interpret(phrase)
                    role, last = self._appositive_after(phrase[-1], end_token)
                    if claimant and role and not claimant.role:
                        claimant = _Claimant(
                            claimant.name, claimant.kind, role, claimant.confidence, claimant.how
                        )
                    self._add(
                        sentence,
                        claimant,
                        self.tok_start[verb],
                        self.tok_end[phrase[-1]],
                        "according",
                        name_end=self.tok_end[phrase[-1]],
                    )
                    verb = last + 1
                    continue
            if word == "response" and previous in ("in", "In") and following == "to":
                # A reworded 'according to' (synonym-spun copies); trusted less.
                phrase = self._right_phrase(verb + 1, end_token)
                claimant = self._interpret(phrase) if phrase else None
                if claimant and claimant.how in ("named", "alias", "acronym", "surname"):
                    role, last = self._appositive_after(phrase[-1], end_token)
                    claimant = _Claimant(
                        claimant.name,
                        claimant.kind,
                        claimant.role or role,
                        claimant.confidence,
                        claimant.how,
                    )
                    self._add(
                        sentence,
                        claimant,
                        self.tok_start[verb - 1],
                        self.tok_end[phrase[-1]],
                        "response",
                        weight=0.6,
                    )
                    verb = last + 1
                    continue
            if (
                word in _PASSIVE_SPEECH
                and following == "by"
                and any(self.tok[t] in _BE_FORMS for t in range(max(first, verb - 3), verb))
            ):
                phrase = self._right_phrase(verb + 1, end_token)
                claimant = self._interpret(phrase) if phrase else None
                if claimant:
                    self._add(
                        sentence,
                        claimant,
                        self.tok_start[verb],
                        self.tok_end[phrase[-1]],
                        "passive",
                        weight=0.85,
                    )
                    verb = phrase[-1] + 1
                    continue
            if word in _PARTICIPLES and verb > first and "," in self.gap(verb):
                if sentence.attributions:
                    earlier = sentence.attributions[-1]
                    sentence.attributions.append(
                        _Attribution(
                            start=self.tok_start[verb],
                            end=self.tok_end[verb],
                            name=earlier.name,
                            kind=earlier.kind,
                            role=earlier.role,
                            confidence=earlier.confidence,
                            evidence=f"{earlier.evidence}, {word}",
                            how="participle",
                            governs_left=False,
                        )
                    )
                verb += 1
                continue
            if word in _INVERSION_VERBS and verb > first:
                gap = self.gap(verb)
                if "," in gap or any(c in gap for c in _CLOSE_QUOTES):
                    phrase = self._right_phrase(verb, end_token)
                    # ', says Kim would ...': the phrase is the subject of a reported
                    # clause, so the speaker comes before the verb instead.
                    if phrase and self._starts_clause(phrase[-1] + 1, end_token):
                        phrase = []
                    claimant = self._interpret(phrase) if phrase else None
                    if claimant:
                        role, last = self._appositive_after(phrase[-1], end_token)
                        if role and not claimant.role:
                            claimant = _Claimant(
                                claimant.name,
                                claimant.kind,
                                role,
                                claimant.confidence,
                                claimant.how,
                            )
                        self._add(
                            sentence,
                            claimant,
                            self.tok_start[verb],
                            self.tok_end[phrase[-1]],
                            "inversion",
                            name_end=self.tok_end[phrase[-1]],
                        )
                        verb = last + 1
                        continue
            if word in _CUE_VERBS and verb > first:
                found = self._left_subject(verb, sentence)
                if found:
                    claimant, subject_start = found
                    self._add(
                        sentence,
                        claimant,
                        self.tok_start[subject_start],
                        self.tok_end[verb],
                        "subject",
                        name_end=self._name_end(subject_start, verb),
                    )
            verb += 1
        self._set_directions(sentence)

    def _starts_clause(self, index: int, end_token: int) -> bool:
        return (
            index < end_token
            and self.joined(index)
            and (self.tok[index] in _CLAUSE_VERBS or self.tok[index] in _CUE_VERBS)
        )

    def _name_end(self, subject_start: int, verb: int) -> int:
        index = subject_start
        while index + 1 < verb and self.joined(index + 1):
            index += 1
        return self.tok_end[index]

    def _set_directions(self, sentence: _Sentence) -> None:
        """Which side of its cue each attribution covers within the sentence."""
        for attribution in sentence.attributions:
            first = bisect_right(self.tok_start, attribution.start - 1)
            last = bisect_right(self.tok_start, attribution.end - 1)
            before = first - sentence.first_token
            after = sentence.end_token - last
            set_off = first > sentence.first_token and any(
                c in self.gap(first) for c in ",:;" + _CLOSE_QUOTES + _DASHES
            )
            next_word = self.tok[last] if last < sentence.end_token else ""
            attribution.governs_right = after >= 3
            attribution.governs_left = before >= 2 and set_off
            if attribution.how == "subject" and next_word == "that":
                attribution.governs_left = False
            if attribution.how == "according" and before <= 2:
                attribution.governs_left = False
            if attribution.how == "participle":
                attribution.governs_left = False

    # ---------------------------------------------------------------- lookup

    def guess(self, start: int, end: int) -> ClaimantGuess | None:
        first = self.sentence_at(start)
        last = self.sentence_at(max(start, end - 1))
        best: tuple[float, float, _Attribution] | None = None
        for index in range(first, last + 1):
            for attribution in self.sentences[index].attributions:
                if attribution.end <= start:
                    if not attribution.governs_right:
                        continue
                    distance = start - attribution.end
                elif attribution.start >= end:
                    if not attribution.governs_left:
                        continue
                    distance = attribution.start - end
                else:
                    distance = 0
                candidate = (distance, -attribution.confidence, attribution)
                if best is None or candidate[:2] < best[:2]:
                    best = candidate
        if best is not None:
            distance, _, attribution = best
            weight = max(0.6, 1.0 - distance / 500)
            return self._result(attribution, weight)
        return self._continued(first, start)

    def _continued(self, index: int, start: int) -> ClaimantGuess | None:
        """Attribution carried over from neighbouring sentences."""
        sentence = self.sentences[index]
        paragraph_start, paragraph_end = self.paragraphs[sentence.paragraph]
        same_paragraph = self.paragraph_sentences[sentence.paragraph]
        # An interview answer led by a dash, or a quote running over several sentences,
        # is attributed where it ends: '– ... . ..., Moshes says.'
        quote = self._quote_around(start)
        if self.text[paragraph_start] in _DASHES:
            scope_end = paragraph_end
        elif quote is not None and quote[1] > sentence.end:
            scope_end = quote[1]
        else:
            scope_end = None
        if scope_end is not None:
            for later in same_paragraph:
                if later <= index or self.sentences[later].start >= scope_end + 1:
                    continue
                for attribution in self.sentences[later].attributions:
                    if attribution.start >= scope_end - 1 or (
                        attribution.governs_left and self.sentences[later].end >= scope_end
                    ):
                        return self._result(attribution, 0.9)
        previous = [i for i in same_paragraph if i < index]
        # A quote standing alone right after an attributed quote continues it.
        if previous and self.text[sentence.start] in _OPEN_QUOTES:
            before = self.sentences[previous[-1]]
            chunk = self.text[before.start : before.end]
            if before.attributions and any(c in chunk for c in _OPEN_QUOTES):
                return self._result(before.attributions[-1], 0.8)
        # 'According to X, ...' may source the rest of its paragraph (reported speech),
        # unless a sentence says it is hearsay ('are said to', 'reportedly').
        if sentence.hearsay:
            return None
        for earlier in reversed(previous[-3:]):
            other = self.sentences[earlier]
            if other.hearsay:
                return None
            if other.attributions:
                sourced = [a for a in other.attributions if a.how in ("according", "response")]
                if sourced and len(sourced) == len(other.attributions):
                    return self._result(sourced[-1], 0.45)
                return None
        return None

    @staticmethod
    def _result(attribution: _Attribution, weight: float) -> ClaimantGuess:
        return ClaimantGuess(
            name=attribution.name,
            kind=attribution.kind,
            role=attribution.role,
            confidence=round(min(1.0, attribution.confidence * weight), 2),
            evidence=attribution.evidence,
        )


@lru_cache(maxsize=64)
def _article(text: str) -> _Article:
    return _Article(text)


def guess_claimant(text: str, start: int, end: int) -> ClaimantGuess | None:
    """The most likely claimant of the claim at ``text[start:end]``, or None.

    ``start`` and ``end`` are code-point offsets. None means the article states
    the claim itself (plain reporting) or nothing names who made it.
    """
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}:{end} is outside a text of length {len(text)}")
    if not text.strip():
        return None
    return _article(text).guess(start, end)


def attribution_cues(text: str, start: int, end: int) -> list[AttributionCue]:
    """The attribution cues that lie inside ``text[start:end]``, in text order."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}:{end} is outside a text of length {len(text)}")
    if start == end or not text.strip():
        return []
    article = _article(text)
    cues = []
    for index in range(article.sentence_at(start), article.sentence_at(end - 1) + 1):
        for a in article.sentences[index].attributions:
            if start <= a.start and a.end <= end:
                cues.append(AttributionCue(a.start, a.end, a.name, a.governs_left, a.governs_right))
    return sorted(cues, key=lambda cue: cue.start)
