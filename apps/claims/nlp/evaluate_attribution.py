"""Measure ``guess_claimant`` on a table of attributed sentences.

The table is tab-separated with a header: ``id``, ``context`` (the sentences before, may be
empty), ``sentence`` and ``claimant`` (``none`` when the text states the claim itself or
credits nobody by name); an optional ``construction`` column groups the figures. Extra
columns are ignored. Each row is read as the text ``context`` + line break + ``sentence``,
and the guess for the sentence's span is what the suggestions would show
(`claimant_for_row`, shared with ``manage.py guess_claimants``). A guess is right when
``same_claimant`` accepts it, or when both are none.

    python -m apps.claims.nlp.evaluate_attribution FILE.tsv [--misses]

prints the accuracy overall, on the ``none`` rows, on the named rows and per construction.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from apps.claims.nlp.attribution import ClaimantGuess, guess_claimant, same_claimant

NONE = "none"
REQUIRED = ("id", "context", "sentence")


class TableError(ValueError):
    """The file is not a table this module can read."""


@dataclass(frozen=True)
class Row:
    id: str
    context: str
    sentence: str
    claimant: str | None = None  # expected, when the table has the column
    construction: str = ""


def read_rows(path: str | Path, *, need_claimant: bool = False) -> list[Row]:
    """The rows of a tab-separated table with a header naming at least ``id``, ``context``
    and ``sentence`` (and ``claimant`` when ``need_claimant``)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return list(parse_rows(handle, need_claimant=need_claimant, name=str(path)))


def parse_rows(
    lines: Iterable[str], *, need_claimant: bool = False, name: str = "the input"
) -> Iterator[Row]:
    reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if header is None:
        raise TableError(
            f"{name} is empty: expected a header line with columns id, context, sentence"
        )
    header = [column.strip().lstrip("\ufeff").lower() for column in header]
    needed = REQUIRED + (("claimant",) if need_claimant else ())
    missing = [column for column in needed if column not in header]
    if missing:
        raise TableError(
            f"{name} has no column {', '.join(missing)}: the first line must be a "
            f"tab-separated header naming {', '.join(needed)} (found: {', '.join(header)})"
        )
    position = {column: header.index(column) for column in header}
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))

        def cell(column: str, cells: list[str] = cells) -> str:
            return cells[position[column]].strip() if column in position else ""

        if not cell("sentence"):
            raise TableError(f"{name}, line {number}: the sentence is empty")
        yield Row(
            id=cell("id"),
            context=cell("context"),
            sentence=cell("sentence"),
            claimant=cell("claimant") if "claimant" in position else None,
            construction=cell("construction"),
        )


def claimant_for_row(context: str, sentence: str) -> ClaimantGuess | None:
    """The guess for ``sentence`` read after ``context``: ``guess_claimant`` on the joined
    text with the sentence's span, as the suggestions call it on an article."""
    context, sentence = context.strip(), sentence.strip()
    text = f"{context}\n{sentence}" if context else sentence
    start = len(text) - len(sentence)
    return guess_claimant(text, start, len(text))


def is_right(guess: ClaimantGuess | None, expected: str) -> bool:
    if expected.strip().lower() in (NONE, ""):
        return guess is None
    return guess is not None and same_claimant(guess.name, expected)


@dataclass
class Report:
    rows: list[tuple[Row, ClaimantGuess | None, bool]]
    seconds: float

    def accuracy(self, rows: list[tuple[Row, ClaimantGuess | None, bool]]) -> float:
        return sum(right for _, _, right in rows) / len(rows) if rows else 0.0

    def lines(self, *, misses: bool = False) -> list[str]:
        def figure(label: str, rows: list) -> str:
            right = sum(r for _, _, r in rows)
            return f"{label:<22} {self.accuracy(rows):.3f}  ({right}/{len(rows)})"

        nobody = [r for r in self.rows if (r[0].claimant or "").lower() == NONE]
        named = [r for r in self.rows if (r[0].claimant or "").lower() != NONE]
        out = [
            figure("claimant accuracy", self.rows),
            figure("none right", nobody),
            figure("named right", named),
        ]
        constructions = Counter(r[0].construction for r in self.rows if r[0].construction)
        for construction in sorted(constructions):
            rows = [r for r in self.rows if r[0].construction == construction]
            out.append(figure(f"  {construction}", rows))
        per_row = 1000 * self.seconds / len(self.rows) if self.rows else 0.0
        out.append(f"time: {self.seconds:.2f} s, {per_row:.1f} ms a row (model loaded)")
        if misses:
            for row, guess, right in self.rows:
                if not right:
                    out.append(
                        f"  miss {row.id} [{row.construction}]: expected {row.claimant!r}, "
                        f"guessed {guess.name if guess else NONE!r}"
                        f" [{guess.evidence if guess else ''}]"
                    )
        return out


def evaluate(rows: list[Row]) -> Report:
    if rows:
        claimant_for_row("", "Ana Lopez said it rained.")  # load the model before timing
    started = time.perf_counter()
    scored = []
    for row in rows:
        guess = claimant_for_row(row.context, row.sentence)
        scored.append((row, guess, is_right(guess, row.claimant or "")))
    return Report(scored, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table", help="TSV with columns id, context, sentence, claimant")
    parser.add_argument("--misses", action="store_true", help="list the wrong rows too")
    args = parser.parse_args(argv)
    try:
        rows = read_rows(args.table, need_claimant=True)
    except (OSError, TableError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{args.table}: {len(rows)} rows")
    for line in evaluate(rows).lines(misses=args.misses):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
