"""Rebuild the WordNet word lists in this folder.

    python apps/claims/nlp/data/attribution/build_wordnet_lists.py [/usr/share/wordnet]

Reads WordNet 3.0 as Debian's ``wordnet-base`` package installs it (``data.noun`` and
``data.verb``; WordNet 3.0 licence, Princeton University, a permissive licence that allows
redistribution with its notice) and writes one lower-case lemma a line, ``_`` read as a space
(named instances — people, places, bodies such as "Dana" or "Congress" — and capitalised
lemmas other than all-capital ones such as "CEO" are left out), each file under a header
saying which part of WordNet it holds:

- ``speech_verbs.txt``: the verbs with a sense in the lexicographer files
  verb.communication or verb.cognition among their three most frequent senses (WordNet's
  sense order in ``index.verb``): say, add, write, urge, warn, deny, believe, estimate;
- ``speech_verbs_rare.txt``: the other verbs with such a sense (find, have, reach): they
  attribute only when they govern a reported clause ("a study found that ...");
- ``person_nouns.txt``: every noun in noun.person (minister, coach, striker, chief executive);
- ``group_nouns.txt``: every noun in noun.group (ministry, union, company, court, police);
- ``content_nouns.txt``: every noun in noun.communication, noun.cognition and noun.act
  (report, study, survey, audit, statement, message, verdict, figures, research);
- ``female_nouns.txt`` / ``male_nouns.txt``: the nouns under female_person (09619168) and
  male_person (09624168) by hyponymy, and lemmas ending in "woman"/"man" in noun.person;
- ``spokesperson_nouns.txt``: the nouns under spokesperson (10638385) by hyponymy.

Nothing here is written by hand or drawn from any article.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LEX = {
    "noun.act": 4,
    "noun.cognition": 9,
    "noun.communication": 10,
    "noun.group": 14,
    "noun.person": 18,
    "verb.cognition": 31,
    "verb.communication": 32,
}
FEMALE_PERSON, MALE_PERSON, SPOKESPERSON = "09619168", "09624168", "10638385"


def load(wordnet: Path, pos: str) -> dict[str, tuple[int, list[str], list[str]]]:
    synsets = {}
    for line in (wordnet / f"data.{pos}").read_text(encoding="latin-1").splitlines():
        if line.startswith("  "):
            continue
        parts = line.split(" | ")[0].split()
        offset, lexfile = parts[0], int(parts[1])
        count = int(parts[3], 16)
        # A capitalised lemma is a name ('Daniel', 'Grace'), unless all capitals (CEO, MP).
        words = [parts[4 + 2 * i] for i in range(count)]
        words = [w.lower() for w in words if not w[:1].isupper() or w.replace("_", "").isupper()]
        index = 4 + 2 * count
        hyponyms = []
        instance = False
        for k in range(int(parts[index])):
            symbol, target, target_pos = parts[index + 1 + 4 * k : index + 4 + 4 * k]
            if symbol == "~" and target_pos == pos[0]:
                hyponyms.append(target)
            instance = instance or symbol == "@i"
        if instance:
            continue  # a named instance (a person, place or body), not a kind of word
        synsets[offset] = (lexfile, words, hyponyms)
    return synsets


def first_senses(wordnet: Path, count: int = 3) -> dict[str, list[str]]:
    """Each verb lemma's synsets, most frequent first, as ``index.verb`` orders them."""
    senses = {}
    for line in (wordnet / "index.verb").read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        parts = line.split()
        synset_count = int(parts[2])
        senses[parts[0]] = parts[-synset_count:][:count]
    return senses


def lemma(word: str) -> str:
    word = word.split("(")[0]  # adjective markers such as (a)
    return word.replace("_", " ")


def by_lexfile(synsets, *names: str) -> set[str]:
    wanted = {LEX[name] for name in names}
    return {lemma(w) for lexfile, words, _ in synsets.values() if lexfile in wanted for w in words}


def under(synsets, root: str) -> set[str]:
    seen, stack, out = set(), [root], set()
    while stack:
        offset = stack.pop()
        if offset in seen:
            continue
        seen.add(offset)
        _, words, hyponyms = synsets[offset]
        out.update(lemma(w) for w in words)
        stack.extend(hyponyms)
    return out


def write(name: str, source: str, words: set[str]) -> None:
    header = (
        f"# {name}: {source}\n"
        "# Source: WordNet 3.0 (Princeton University; WordNet 3.0 licence), as installed by\n"
        "# Debian's wordnet-base package. Rebuild: python "
        "apps/claims/nlp/data/attribution/build_wordnet_lists.py\n"
    )
    body = "\n".join(sorted(words))
    (HERE / name).write_text(header + body + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    wordnet = Path(argv[1] if len(argv) > 1 else "/usr/share/wordnet")
    nouns, verbs = load(wordnet, "noun"), load(wordnet, "verb")
    speech = by_lexfile(verbs, "verb.communication", "verb.cognition")
    wanted = {LEX["verb.communication"], LEX["verb.cognition"]}
    frequent = {
        lemma(word)
        for word, offsets in first_senses(wordnet).items()
        if any(verbs[offset][0] in wanted for offset in offsets)
    } & speech
    write(
        "speech_verbs.txt",
        "verbs with a verb.communication or verb.cognition sense among their first three",
        frequent,
    )
    write(
        "speech_verbs_rare.txt",
        "the other verbs of the lexicographer files verb.communication and verb.cognition",
        speech - frequent,
    )
    people = by_lexfile(nouns, "noun.person")
    write("person_nouns.txt", "nouns of the lexicographer file noun.person", people)
    groups = by_lexfile(nouns, "noun.group")
    write("group_nouns.txt", "nouns of the lexicographer file noun.group", groups)
    write(
        "content_nouns.txt",
        "nouns of the lexicographer files noun.communication, noun.cognition and noun.act",
        by_lexfile(nouns, "noun.communication", "noun.cognition", "noun.act"),
    )
    female = under(nouns, FEMALE_PERSON) | {w for w in people if w.endswith("woman")}
    male = under(nouns, MALE_PERSON) | {
        w for w in people if w.endswith("man") and not w.endswith("woman")
    }
    write(
        "female_nouns.txt",
        "hyponyms of female_person.n.01 and noun.person lemmas in -woman",
        female - male,
    )
    write(
        "male_nouns.txt",
        "hyponyms of male_person.n.01 and noun.person lemmas in -man",
        male - female,
    )
    write("spokesperson_nouns.txt", "hyponyms of spokesperson.n.01", under(nouns, SPOKESPERSON))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
