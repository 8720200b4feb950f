"""The words of a claim, for matching: cleaning a pasted query, content terms and weights.

Nothing here knows a topic. A word's weight is its rarity in general English (wordfreq's
Zipf frequency, from large multi-source corpora), so "vaccine" or a surname outweighs
"said" or "people" in any newsroom's beat; stems are Snowball's English stemmer, the
stemmer PostgreSQL's ``english`` text-search configuration uses, so the terms given to the
full-text index mean the same there as here; the stop list is Snowball's English list
(``data/stopwords-en.txt``).

``clean_query`` turns a text as people paste it (a tweet, a post, a paragraph) into the
claim it carries: links, handles, hashtag marks, emoji and the "— Name (@handle) date"
signature are removed (the name is kept: who says it is part of the claim).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import snowballstemmer
from wordfreq import zipf_frequency

DATA = Path(__file__).resolve().parent / "data"

# --------------------------------------------------------------------------- query cleaning

_SIGNATURE = re.compile(
    r"[\s\"”]*[—–-]{1,2}\s*(?P<name>[^—–\n]{0,80}?)\s*\(@\w{1,30}\)\s*"
    r"(?:[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]{2,8} \d{4})?[\s\"”]*$"
)
_URL = re.compile(
    r"(?:https?://|www\.)\S+|\bpic\.twitter\.com/\S+|\b(?:[\w-]+\.)+[a-z]{2,6}/\S*",
    re.IGNORECASE,
)
_RETWEET = re.compile(r"^\s*RT\s+@\w+:?\s*")
_HANDLE = re.compile(r"(?<![\w@])@(\w{1,30})")
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)")


def _split_camel(word: str) -> str:
    return _CAMEL.sub(" ", word)


def _is_symbol(ch: str) -> bool:
    # Emoji, pictographs, dingbats, variation selectors and joiners.
    return unicodedata.category(ch) in {"So", "Sk", "Cs", "Co", "Mn", "Cf"} and ch not in "'"


def clean_query(text: str) -> str:
    """The claim in a pasted text, with the furniture of social posts removed."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(" " if _is_symbol(ch) else ch for ch in text)
    text = _RETWEET.sub("", text)
    signature = _SIGNATURE.search(text)
    speaker = ""
    if signature:
        speaker = " ".join(signature.group("name").split())
        text = text[: signature.start()]
    text = _URL.sub(" ", text)
    text = _HANDLE.sub(lambda m: _split_camel(m.group(1)), text)
    text = _HASHTAG.sub(lambda m: _split_camel(m.group(1)), text)
    text = " ".join(text.split())
    if speaker and speaker.casefold() not in text.casefold():
        text = f"{text} — {speaker}" if text else speaker
    return text


# --------------------------------------------------------------------------- terms

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*%?|[^\W\d_]+(?:['’][^\W\d_]+)*")
_STEMMER = snowballstemmer.stemmer("english")
MAX_WEIGHT = 7.0  # a word wordfreq has never seen (a rare name, a typo)
MIN_WEIGHT = 0.5
NUMBER_WEIGHT = 4.0


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    lines = (DATA / "stopwords-en.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=200_000)
def word_weight(word: str) -> float:
    """Rarity of a word in general English: 8 - Zipf frequency, within [0.5, 7]."""
    return min(MAX_WEIGHT, max(MIN_WEIGHT, 8.0 - zipf_frequency(word, "en")))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


@dataclass(frozen=True)
class Terms:
    """A text's content terms: stem -> weight, and stem -> the word as written."""

    weights: dict[str, float]
    written: dict[str, str]
    words: int  # words in the text, stop words included

    @property
    def total(self) -> float:
        return sum(self.weights.values())


def _number(token: str) -> str:
    return token.replace(",", "").rstrip("%").rstrip(".")


@lru_cache(maxsize=20_000)
def terms(text: str) -> Terms:
    stops = stopwords()
    weights: dict[str, float] = {}
    written: dict[str, str] = {}
    tokens = _TOKEN.findall(unicodedata.normalize("NFKC", text or "").replace("’", "'"))
    for token in tokens:
        lowered = token.lower()
        if lowered[0].isdigit():
            key = "#" + _number(lowered)
            weight = NUMBER_WEIGHT
        else:
            if lowered.endswith("'s"):
                lowered = lowered[:-2]
            if lowered in stops or len(lowered) < 2:
                continue
            key = stem(lowered)
            weight = word_weight(lowered)
        if weight > weights.get(key, 0.0):
            weights[key] = weight
            written[key] = token
    return Terms(weights=weights, written=written, words=len(tokens))


def overlap(a: Terms, b: Terms) -> float:
    """0..1: the rarity-weighted share of content the two texts have in common."""
    if not a.weights or not b.weights:
        return 0.0
    shared = sum(min(w, b.weights[k]) for k, w in a.weights.items() if k in b.weights)
    return shared / math.sqrt(a.total * b.total)


def char_grams(text: str, n: int = 3) -> Counter:
    grams: Counter = Counter()
    for word in _TOKEN.findall(text.lower()):
        padded = f" {word} "
        for i in range(max(1, len(padded) - n + 1)):
            grams[padded[i : i + n]] += 1
    return grams


def cosine(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
