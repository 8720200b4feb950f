"""Build the lexical data that `apps.claims.nlp.direction` reads, from Princeton WordNet 3.0.

    apt-get install -y wordnet-base          # Debian's package: /usr/share/wordnet
    python -m apps.claims.nlp.build_lexical_data [--wordnet /usr/share/wordnet]

Writes, into ``apps/claims/nlp/data/`` (committed; nothing here runs at request time):

* ``antonyms.tsv``: single-word lemmas that WordNet opposes, with their part of speech and
  how the pair was reached (one line per lemma, part of speech and way, listing the
  opposed lemmas that sort after it):
    - ``direct``: WordNet's own (lexical) antonym pointer between the two words;
    - ``synset``: the other words of the two synsets that the pointer joins
      (``reduce``/``cut_back``... are antonyms of ``increase`` only through ``decrease``'s
      synset, so the whole synsets are opposed);
    - ``similar``: an adjective satellite against the head that its cluster's head is
      opposed to (WordNet's "indirect antonyms": ``perilous`` ~ ``dangerous`` ≠ ``safe``);
    - ``also``: an adjective head that WordNet's "also see" links to one of the two heads
      (``warm`` ~ ``hot`` ≠ ``cold``);
    - ``prefix``: an adjective and the same with a negative prefix, both WordNet
      adjectives and not made similar by WordNet (``safe`` / ``unsafe``);
    - ``troponym``: a verb that is a manner of one of two opposed verbs, against the other
      verb or its manners, at most three troponym links in all (``raise`` is a way to
      ``increase``, ``cut`` a way to ``decrease``, ``expand`` a way to ``grow``, itself a
      way to ``increase``), when that is one of the word's four most frequent senses.
  A word enters a pair through a synset other than its direct antonym's only when that
  synset is one of the word's attested senses (WordNet's sense-tagged count), and pairs
  whose two words also share a synset (are synonyms in some sense) are dropped. Beyond
  WordNet's direct pairs and the prefixed adjectives, both words must have a sense-tagged
  use in that part of speech: rare words are left out, which keeps the file small. Nouns
  for participants and times (``parent``/``child``, ``buyer``/``seller``, ``day``/``night``)
  are left out: they say who or when, and a converse swaps them.
* ``negative_verbs.tsv``: verbs whose most frequent sense WordNet defines by a negation
  ("deny: declare untrue", "oppose: be against", "lack: be without"), less those with a
  direct antonym (left to the antonyms): the reader counts them as negation cues.
* ``inflections.tsv``: WordNet's irregular forms (``verb.exc``, ``adj.exc``, ``noun.exc``)
  of the lemmas the other files hold: ``sold`` → ``sell``, ``better`` → ``good``.
* ``lexicon.tsv``: the single words that WordNet lists in lower case with at least one
  sense-tagged use, with their parts of speech: the reader's dictionary, both for
  stripping regular endings (``busier`` → ``busy``) and for telling a capitalised common
  word that opens a sentence ("Inspectors found...") from a name.
* ``senses.tsv``: the senses (synsets, numbered here) of the verbs and adjectives the reader
  may meet as a clause's predicate: those of ``lexicon.tsv``, those that ``wordfreq`` finds
  at least 3 times in a million words (``compulsory``, ``deport``), and WordNet's phrasal
  verbs (``take_on``, ``lay_off``, ``step_down``: a verb and its particles, ``phrasal``
  rows), each with all its senses; and the nouns and adverbs of ``lexicon.tsv``
  that share a derivational link with one of those senses (``suspend`` / ``suspension``).
* ``sense_links.tsv``: for each verb and adjective sense, the senses that count as the same
  meaning for it: its hypernyms up to two levels (``dismiss`` -> ``fire``), WordNet's verb
  groups, similar adjectives, "also see", entailment, cause, participle and derivational
  links. Two predicates are related when one's senses meet the other's senses or links
  (so a hyponym up to two levels down is found from the other side). Read by the
  "predicate" check: two different main verbs or predicate adjectives in the same place
  with nothing in WordNet to say they mean the same.
* ``LICENSE-WordNet.txt``: the WordNet licence, which permits redistribution with it.

Every data file opens with ``#`` lines naming what it is, its source, its licence and this
command. The WordNet files are parsed here directly (the format is documented in
wndb(5WN)); no third-party package is needed.
"""

from __future__ import annotations

import argparse
import os
import re
from collections import defaultdict
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_WORDNET = "/usr/share/wordnet"
POS_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
COMMAND = "python -m apps.claims.nlp.build_lexical_data  (needs Debian's wordnet-base)"
SOURCE = "Princeton WordNet 3.0, as shipped by Debian's package wordnet-base (/usr/share/wordnet)"
LICENCE = (
    "WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. "
    "Redistributed under the WordNet licence (see LICENSE-WordNet.txt in this folder)."
)
TROPONYM_TOP_SENSES = 4
NEGATIVE_PREFIXES = ("un", "in", "im", "il", "ir", "dis", "non-", "non")
TROPONYM_DEPTH = 2
TROPONYM_LINKS = 3
# Noun antonyms between participants and times (noun.animal 05, noun.body 08, noun.food 13,
# noun.person 18, noun.plant 20, noun.time 28: parent/child, buyer/seller, day/night) name
# who or when, not which way something went: they are left out.
PARTICIPANT_NOUN_FILES = frozenset((5, 8, 13, 18, 20, 28))
_WORD = re.compile(r"^[a-z][a-z'-]*[a-z]$")


class Synset:
    __slots__ = ("pos", "offset", "lexfile", "words", "ptrs", "satellite", "gloss")

    def __init__(self, pos: str, offset: int):
        self.pos = pos
        self.offset = offset
        self.lexfile = 0
        self.gloss = ""
        self.words: list[str] = []
        self.ptrs: list[tuple[str, tuple[str, int], int, int]] = []
        self.satellite = False


def read_wordnet(root: str):
    """Synsets keyed by (pos, offset) and the index: (pos, lemma) -> (offsets, tagged)."""
    synsets: dict[tuple[str, int], Synset] = {}
    for pos, name in POS_FILES.items():
        with open(os.path.join(root, "data." + name), encoding="utf-8") as f:
            for line in f:
                if line.startswith("  ") or not line.strip():  # the licence
                    continue
                data, _bar, gloss = line.partition(" | ")
                fields = data.split()
                synset = Synset(pos, int(fields[0]))
                synset.gloss = gloss.strip()
                synset.lexfile = int(fields[1])
                synset.satellite = fields[2] == "s"
                i = 4
                for _ in range(int(fields[3], 16)):
                    word = fields[i]
                    if pos == "a" and word.endswith(")"):  # adjective markers: (p), (a), (ip)
                        word = word[: word.index("(")]
                    synset.words.append(word)
                    i += 2
                count = int(fields[i])
                i += 1
                for _ in range(count):
                    symbol, offset, target_pos, source_target = fields[i : i + 4]
                    target_pos = "a" if target_pos == "s" else target_pos
                    synset.ptrs.append(
                        (
                            symbol,
                            (target_pos, int(offset)),
                            int(source_target[:2], 16),
                            int(source_target[2:], 16),
                        )
                    )
                    i += 4
                synsets[(pos, synset.offset)] = synset
    index: dict[tuple[str, str], tuple[list[int], int]] = {}
    for pos, name in POS_FILES.items():
        with open(os.path.join(root, "index." + name), encoding="utf-8") as f:
            for line in f:
                if line.startswith("  ") or not line.strip():
                    continue
                fields = line.split()
                n_synsets, n_pointers = int(fields[2]), int(fields[3])
                tagged = int(fields[5 + n_pointers])
                offsets = [int(o) for o in fields[6 + n_pointers : 6 + n_pointers + n_synsets]]
                index[(pos, fields[0])] = (offsets, tagged)
    return synsets, index


def read_licence(root: str) -> str:
    lines = []
    with open(os.path.join(root, "data.adj"), encoding="utf-8") as f:
        for line in f:
            if not line.startswith("  "):
                break
            lines.append(re.sub(r"^\s+\d+\s?", "", line).rstrip())
    return "\n".join(lines).strip() + "\n"


class WordNet:
    def __init__(self, root: str):
        self.synsets, self.index = read_wordnet(root)
        self.rank: dict[tuple[str, int, str], int] = {}
        for (pos, lemma), (offsets, _tagged) in self.index.items():
            for rank, offset in enumerate(offsets):
                self.rank[(pos, offset, lemma)] = rank

    def tagged(self, pos: str, lemma: str) -> int:
        return self.index.get((pos, lemma), ([], 0))[1]

    def attested(self, key: tuple[str, int], word: str, top: int = 0) -> bool:
        """The synset is one of the word's sense-tagged senses (or its only sense), and
        with ``top``, one of its ``top`` most frequent."""
        pos, offset = key
        lemma = word.lower()
        rank = self.rank.get((pos, offset, lemma))
        if rank is None:
            return False
        return rank < max(self.tagged(pos, lemma), 1) and (not top or rank < top)

    def related(self, key, symbol: str) -> set:
        return {target for sym, target, _s, _t in self.synsets[key].ptrs if sym == symbol}

    def manners(self, key, depth: int) -> dict:
        """The synset and its troponyms (ways of doing it), ``depth`` levels down, with
        how many levels down each is."""
        out, frontier = {key: 0}, {key}
        for level in range(1, depth + 1):
            frontier = {t for k in frontier for t in self.related(k, "~")} - set(out)
            out.update(dict.fromkeys(frontier, level))
        return out

    def single_words(self, key) -> list[str]:
        return [w for w in self.synsets[key].words if _WORD.match(w.lower()) and "_" not in w]


def antonym_pairs(wn: WordNet) -> dict[tuple[str, str, str], str]:
    """(lemma, lemma, pos) -> how, both orders; see the module docstring."""
    strength = {"direct": 0, "synset": 1, "prefix": 2, "similar": 3, "also": 4, "troponym": 5}
    pairs: dict[tuple[str, str, str], str] = {}

    def add(w1: str, w2: str, pos: str, how: str) -> None:
        w1, w2 = w1.lower(), w2.lower()
        if w1 == w2:
            return
        for key in ((w1, w2, pos), (w2, w1, pos)):
            if key not in pairs or strength[how] < strength[pairs[key]]:
                pairs[key] = how

    def expand(k1, k2, how: str) -> None:
        # a manner of a verb stands for it only in one of the word's four main senses
        top = TROPONYM_TOP_SENSES if how == "troponym" else 0
        for w1 in wn.single_words(k1):
            if not wn.attested(k1, w1, top):
                continue
            for w2 in wn.single_words(k2):
                if wn.attested(k2, w2, top):
                    add(w1, w2, k1[0], how)

    for k1, synset in wn.synsets.items():
        if k1[0] == "n" and synset.lexfile in PARTICIPANT_NOUN_FILES:
            continue
        for symbol, k2, source, target in synset.ptrs:
            if symbol != "!":
                continue
            w1 = synset.words[source - 1]
            w2 = wn.synsets[k2].words[target - 1]
            if _WORD.match(w1.lower()) and _WORD.match(w2.lower()):
                add(w1, w2, k1[0], "direct")
            expand(k1, k2, "synset")
            if k1[0] == "a":
                for satellite in wn.related(k1, "&"):
                    expand(satellite, k2, "similar")
                for head in wn.related(k1, "^"):
                    if head[0] == "a" and not wn.synsets[head].satellite:
                        expand(head, k2, "also")
            elif k1[0] == "v":
                # a manner of one against the other or its manners, at most three
                # troponym links in all ("expand" is a way to "grow", a way to
                # "increase"; "reduce" a way to "decrease")
                manners1 = wn.manners(k1, TROPONYM_DEPTH)
                manners2 = wn.manners(k2, TROPONYM_DEPTH)
                for m1, d1 in manners1.items():
                    for m2, d2 in manners2.items():
                        if 0 < d1 + d2 <= TROPONYM_LINKS:
                            expand(m1, m2, "troponym")

    # An adjective and the same adjective with a negative prefix, both in WordNet
    # ("safe" / "unsafe", "secure" / "insecure"), unless WordNet makes one like the other
    # ("valuable" / "invaluable").
    adjectives: dict[str, list] = defaultdict(list)
    for (pos, lemma), (offsets, _tagged) in wn.index.items():
        if pos == "a" and _WORD.match(lemma):
            adjectives[lemma] = [("a", o) for o in offsets]
    for word, keys in adjectives.items():
        for prefix in NEGATIVE_PREFIXES:
            stem = word[len(prefix) :]
            if not word.startswith(prefix) or stem not in adjectives:
                continue
            if wn.tagged("a", stem) == 0:
                continue
            similar = {t for k in keys for t in wn.related(k, "&")}
            if similar & set(adjectives[stem]):
                continue
            add(stem, word, "a", "prefix")

    # Words that share a synset are synonyms in some sense: never opposed.
    shared: set[tuple[str, str]] = set()
    for synset in wn.synsets.values():
        words = [w.lower() for w in synset.words]
        for w1 in words:
            for w2 in words:
                shared.add((w1, w2))
    return {key: how for key, how in pairs.items() if (key[0], key[1]) not in shared}


# A definition that opens with a negation: "deny: declare untrue", "oppose: be against",
# "lack: be without", "boycott: refuse to sponsor". The openings are negation cues.
NEGATIVE_DEFINITION = re.compile(
    r"^(?:not |be against\b|be without\b|refuse to\b|fail to\b|decline to\b"
    r"|declare untrue\b)"
)


def negative_verbs(wn: WordNet, pairs) -> dict[str, str]:
    """Verbs whose most frequent sense WordNet defines by a negation -> that definition.
    Verbs with a direct WordNet antonym ("lose" / "win", "reject" / "accept") are left to
    the antonyms, which look at who does what to whom; words also used as nouns ("the
    rest", "a default") are left out, since the reader does not tag parts of speech."""
    opposed = {w1 for (w1, _w2, pos), how in pairs.items() if pos == "v" and how == "direct"}
    out = {}
    for (pos, lemma), (offsets, tagged) in wn.index.items():
        if pos != "v" or tagged == 0 or not _WORD.match(lemma) or lemma in opposed:
            continue
        if wn.tagged("n", lemma) > 0:
            continue
        definition = wn.synsets[("v", offsets[0])].gloss.split(";")[0].strip()
        if NEGATIVE_DEFINITION.match(definition):
            out[lemma] = definition
    return out


def lexicon(wn: WordNet) -> dict[str, str]:
    """word -> parts of speech, for lower-case single words with a sense-tagged use."""
    lower: set[tuple[str, str]] = set()
    for synset in wn.synsets.values():
        for word in synset.words:
            if word == word.lower() and _WORD.match(word):
                lower.add((synset.pos, word))
    out: dict[str, set[str]] = defaultdict(set)
    for pos, word in lower:
        if wn.tagged(pos, word) > 0:
            out[word].add(pos)
    return {word: "".join(sorted(p)) for word, p in out.items()}


# Particles that make a phrasal verb of a verb ("take on", "lay off", "step down"); the
# third word of a three-word one ("cut down on", "do away with") may also be one of
# the prepositions after them.
PARTICLES = frozenset(
    "up down on off in out over back away through along around round about apart aside "
    "forward ahead by under together behind across".split()
)
PARTICLE_TAILS = PARTICLES | frozenset("with to of from for at into".split())
# Links that make two senses the same meaning for the predicate check: verb group,
# similar adjective, also see, entailment, cause, participle, derivation, pertainym.
SAME_MEANING_LINKS = frozenset("$ & ^ * > < + \\".split())
HYPERNYM_LEVELS = 2


def phrasal_verbs(wn: WordNet) -> list[str]:
    """WordNet's multiword verbs made of a verb and particles ("take_on", "cut_down_on")."""
    out = []
    for pos, lemma in wn.index:
        parts = lemma.split("_")
        if pos != "v" or len(parts) not in (2, 3) or not all(_WORD.match(p) for p in parts):
            continue
        if ("v", parts[0]) not in wn.index or parts[1] not in PARTICLES:
            continue
        if len(parts) == 3 and parts[2] not in PARTICLE_TAILS:
            continue
        out.append(lemma)
    return sorted(out)


COMMON_ZIPF = 2.5  # a word used about three times in a million words of English or more


def common(word: str) -> bool:
    """Frequent enough in English to meet in the news (wordfreq, a project dependency)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") >= COMMON_ZIPF


def senses(wn: WordNet, words: dict[str, str]):
    """(rows, links): rows (lemma, kind, [synset keys]) and links {key: set of keys}; see
    the module docstring. Only senses that some row holds are linked."""
    rows: list[tuple[str, str, list]] = []
    candidates = {
        lemma
        for (pos, lemma) in wn.index
        if pos in "va" and _WORD.match(lemma) and (lemma in words or common(lemma))
    }
    for word in sorted(candidates):
        parts = "".join(pos for pos in "va" if (pos, word) in wn.index)
        keys = [(pos, o) for pos in parts for o in wn.index[(pos, word)][0]]
        rows.append((word, parts, keys))
    for lemma in phrasal_verbs(wn):
        rows.append(
            (lemma.replace("_", " "), "phrasal", [("v", o) for o in wn.index[("v", lemma)][0]])
        )
    predicate_keys = {k for _w, _kind, keys in rows for k in keys}

    def derived(key) -> set:
        return {t for sym, t, _s, _t in wn.synsets[key].ptrs if sym in ("+", "\\", "<")}

    linked = set()
    for key in predicate_keys:
        linked |= derived(key)
    for word in sorted(words):
        keys = [
            (pos, offset)
            for pos in "nr"
            if pos in words[word]
            for offset in wn.index.get((pos, word), ([], 0))[0]
            if (pos, offset) in linked
        ]
        if keys:
            rows.append((word, "derived", keys))
    used = {k for _w, _kind, keys in rows for k in keys}
    links: dict[tuple[str, int], set] = {}
    for key in sorted(predicate_keys):
        near, frontier = set(), {key}
        for _level in range(HYPERNYM_LEVELS):
            frontier = {
                t for k in frontier for sym, t, _s, _t in wn.synsets[k].ptrs if sym in ("@", "@i")
            }
            near |= frontier
        near |= {t for sym, t, _s, _t in wn.synsets[key].ptrs if sym in SAME_MEANING_LINKS}
        near = (near & used) - {key}
        if near:
            links[key] = near
    return rows, links


def inflections(root: str) -> list[tuple[str, str, str]]:
    rows = set()
    for pos in ("v", "a", "n"):
        with open(os.path.join(root, POS_FILES[pos] + ".exc"), encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                form, *bases = line.split()
                for base in bases:
                    if _WORD.match(form) and _WORD.match(base) and form != base:
                        rows.add((form, base, pos))
    return sorted(rows)


def antonym_rows(wn: WordNet, pairs) -> dict[tuple[str, str, str], list[str]]:
    """The pairs to keep, grouped: (lemma, pos, how) -> opposed lemmas that sort after it.
    WordNet's direct pairs and prefixed adjectives are all kept, the others when both
    words have a sense-tagged use."""
    rows: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for (w1, w2, pos), how in sorted(pairs.items()):
        if w1 >= w2:
            continue
        if how in ("direct", "prefix") or (wn.tagged(pos, w1) > 0 and wn.tagged(pos, w2) > 0):
            rows[(w1, pos, how)].append(w2)
    return dict(sorted(rows.items()))


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def header(what: str, columns: str) -> str:
    return (
        f"# {what}\n"
        f"# Source: {SOURCE}.\n"
        f"# Licence: {LICENCE}\n"
        f"# Rebuild: {COMMAND}\n"
        f"# Columns (tab-separated): {columns}\n"
    )


def write(root: str, out_dir: Path) -> dict[str, int]:
    wn = WordNet(root)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "LICENSE-WordNet.txt").write_text(
        "# The WordNet licence, under which the .tsv files in this folder are redistributed.\n"
        f"# Source: {SOURCE} (the header of data.adj).\n"
        f"# Licence: this file is the licence itself.\n"
        f"# Rebuild: {COMMAND}\n\n" + read_licence(root),
        encoding="utf-8",
    )
    pairs = antonym_pairs(wn)
    rows = antonym_rows(wn, pairs)
    with open(out_dir / "antonyms.tsv", "w", encoding="utf-8") as f:
        f.write(
            header(
                "Antonyms: single-word lemmas that WordNet opposes, grouped by the first "
                "(each pair once; read both ways). how = direct | synset | prefix | similar | "
                "also | troponym (see apps/claims/nlp/build_lexical_data.py).",
                "lemma, pos (n v a r), how, the opposed lemmas (comma-separated)",
            )
        )
        for (lemma, pos, how), opposed in rows.items():
            f.write(f"{lemma}\t{pos}\t{how}\t{','.join(opposed)}\n")
    negative = negative_verbs(wn, pairs)
    with open(out_dir / "negative_verbs.tsv", "w", encoding="utf-8") as f:
        f.write(
            header(
                "Negative verbs: verbs whose most frequent sense WordNet defines by a "
                "negation (not, be against, be without, refuse to, fail to, decline to, "
                "declare untrue), less those with a direct antonym or a noun use.",
                "lemma, definition (WordNet gloss)",
            )
        )
        for lemma in sorted(negative):
            f.write(f"{lemma}\t{negative[lemma]}\n")
    words = lexicon(wn)
    known = set(words) | {w for (w1, w2, _pos) in pairs for w in (w1, w2)}
    exc = [row for row in inflections(root) if row[1] in known]
    with open(out_dir / "inflections.tsv", "w", encoding="utf-8") as f:
        f.write(
            header(
                "Irregular inflections: WordNet's exception lists (verb.exc, adj.exc, "
                "noun.exc), for the lemmas in lexicon.tsv and antonyms.tsv.",
                "form, lemma, pos (v a n)",
            )
        )
        for row in exc:
            f.write("\t".join(row) + "\n")
    with open(out_dir / "lexicon.tsv", "w", encoding="utf-8") as f:
        f.write(
            header(
                "Common words: single lower-case lemmas with at least one sense-tagged use "
                "in WordNet, with their parts of speech.",
                "lemma, pos letters (n v a r)",
            )
        )
        for word in sorted(words):
            f.write(f"{word}\t{words[word]}\n")
    sense_rows, links = senses(wn, words)
    number: dict[tuple[str, int], str] = {}
    for _word, _kind, keys in sense_rows:
        for key in keys:
            number.setdefault(key, _base36(len(number)))
    with open(out_dir / "senses.tsv", "w", encoding="utf-8") as f:
        f.write(
            header(
                "Senses: the verbs and adjectives of lexicon.tsv or common in English (kind: "
                "v, a or av) and WordNet's phrasal verbs (kind phrasal) with all their senses "
                "in those parts of speech, and the nouns and adverbs of lexicon.tsv "
                "derived from one of those senses (kind derived). A sense is a WordNet synset, "
                "numbered here in base 36.",
                "lemma (a phrasal verb's words joined by a space), kind, senses (comma-separated)",
            )
        )
        for word, kind, keys in sense_rows:
            f.write(f"{word}\t{kind}\t{','.join(number[k] for k in keys)}\n")
    with open(out_dir / "sense_links.tsv", "w", encoding="utf-8") as f:
        f.write(
            header(
                "Sense links: for a verb or adjective sense of senses.tsv, the senses that "
                "count as the same meaning for it (hypernyms up to two levels, verb group, "
                "similar, also see, entailment, cause, participle, derivation).",
                "sense, linked senses (comma-separated), numbered as in senses.tsv",
            )
        )
        for key in sorted(links, key=lambda k: int(number[k], 36)):
            near = sorted(links[key], key=lambda k: int(number[k], 36))
            f.write(f"{number[key]}\t{','.join(number[k] for k in near)}\n")
    return {
        "senses": len(sense_rows),
        "sense_links": len(links),
        "antonyms": sum(len(v) for v in rows.values()),
        "negative_verbs": len(negative),
        "inflections": len(exc),
        "lexicon": len(words),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wordnet", default=DEFAULT_WORDNET, help="WordNet 3.0 dict folder")
    parser.add_argument("--out", default=str(DATA_DIR), help="where to write the data files")
    args = parser.parse_args(argv)
    counts = write(args.wordnet, Path(args.out))
    for name, count in counts.items():
        print(f"{name}: {count} rows")


if __name__ == "__main__":
    main()
