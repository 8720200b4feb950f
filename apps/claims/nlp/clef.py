"""Readers for the public evaluation sets the matcher is trained and judged on (paths are
always arguments: the sets are not part of the project).

* CLEF CheckThat! 2020 task 2 ("has this claim been checked?"): ``verified_claims.docs.tsv``
  (id, vclaim, title; quoted fields may hold line breaks) and per split
  ``tweets.queries.tsv`` (id, text) with ``tweet-vclaim-pairs.qrels`` (TREC qrels).
* Pairs files such as polarity-dev.tsv: a header with at least ``a`` and ``b``.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ClefSplit:
    claims: list[tuple[str, str, str]]  # (id, claim, title)
    queries: list[tuple[str, str]]  # (tweet id, text)
    relevant: dict[str, set[str]]  # tweet id -> claim ids


def _rows(path: Path) -> list[list[str]]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter="\t"))


def read_clef(directory: str | Path, split: str) -> ClefSplit:
    directory = Path(directory)
    for needed in (
        directory / "verified_claims.docs.tsv",
        directory / split / "tweets.queries.tsv",
        directory / split / "tweet-vclaim-pairs.qrels",
    ):
        if not needed.is_file():
            raise FileNotFoundError(
                f"{needed} is missing: is {directory} the CLEF 2020 task 2 set?"
            )
    claim_rows = _rows(directory / "verified_claims.docs.tsv")[1:]
    claims = [(r[0], r[1], r[2] if len(r) > 2 else "") for r in claim_rows]
    query_rows = _rows(directory / split / "tweets.queries.tsv")[1:]
    queries = [(r[0], r[1]) for r in query_rows if len(r) >= 2]
    relevant: dict[str, set[str]] = {}
    for line in (directory / split / "tweet-vclaim-pairs.qrels").read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3] != "0":
            relevant.setdefault(parts[0], set()).add(parts[2])
    queries = [q for q in queries if q[0] in relevant]
    return ClefSplit(claims=claims, queries=queries, relevant=relevant)


def read_pairs(path: str | Path) -> list[dict[str, str]]:
    rows = _rows(Path(path))
    if not rows:
        raise ValueError(f"{path} is empty.")
    header = [h.strip().lower() for h in rows[0]]
    if "a" not in header or "b" not in header:
        raise ValueError(
            f"{path} needs a header row naming the columns `a` and `b` (tab-separated); "
            f"it has: {', '.join(rows[0])[:200]}"
        )
    return [dict(zip(header, row, strict=False)) for row in rows[1:] if any(row)]


def average_precision(ranked: list[str], relevant: set[str], k: int = 5) -> float:
    hits, total = 0, 0.0
    for rank, item in enumerate(ranked[:k], 1):
        if item in relevant:
            hits += 1
            total += hits / rank
    return total / min(len(relevant), k) if relevant else 0.0
