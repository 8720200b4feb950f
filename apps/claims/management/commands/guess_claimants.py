"""Guess the claimant of each sentence of a table, with the code the suggestions use.

    python manage.py guess_claimants FILE.tsv              # id<TAB>claimant per row
    python manage.py guess_claimants FILE.tsv --evaluate   # accuracy, if it has `claimant`
    cat FILE.tsv | python manage.py guess_claimants -

FILE.tsv is tab-separated with a header line naming at least ``id``, ``context`` (the
sentences before the one to attribute; may be empty) and ``sentence``; extra columns are
ignored. Each row is read as ``context`` + line break + ``sentence`` and attributed by
`apps.claims.nlp.attribution.guess_claimant` over the sentence's span, as
`suggestions_generate` does on an article. The output is ``id<TAB>claimant`` (empty when
the sentence is the outlet's own reporting or credits nobody by name), one line per row,
in input order. With --evaluate, the file needs a ``claimant`` column (``none`` for nobody)
and the accuracy overall, on ``none`` rows and per ``construction`` is printed instead
(`apps.claims.nlp.evaluate_attribution`).
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from apps.claims.nlp.evaluate_attribution import (
    TableError,
    claimant_for_row,
    evaluate,
    parse_rows,
)


class Command(BaseCommand):
    help = (
        "Guess who makes the claim in each row of a TSV (id, context, sentence): id<TAB>claimant."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="TSV file with a header (id, context, sentence), or -")
        parser.add_argument(
            "--evaluate",
            action="store_true",
            help="Compare with the file's claimant column and print the accuracy instead",
        )
        parser.add_argument("--misses", action="store_true", help="With --evaluate: list misses")

    def handle(self, *args, **options):
        path = options["path"]
        try:
            if path == "-":
                rows = list(
                    parse_rows(sys.stdin, need_claimant=options["evaluate"], name="standard input")
                )
            else:
                with open(path, encoding="utf-8", newline="") as handle:
                    rows = list(parse_rows(handle, need_claimant=options["evaluate"], name=path))
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
        except TableError as error:
            raise CommandError(str(error)) from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text: {error}") from error
        if options["evaluate"]:
            for line in evaluate(rows).lines(misses=options["misses"]):
                self.stdout.write(line)
            return
        for row in rows:
            guess = claimant_for_row(row.context, row.sentence)
            name = guess.name if guess else ""
            self.stdout.write(f"{_cell(row.id)}\t{_cell(name)}")


def _cell(value: str) -> str:
    return " ".join(value.replace("\t", " ").split())
