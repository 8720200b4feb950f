"""Score pairs of claims as search would.

    python manage.py compare_claims PAIRS.tsv      # or - for standard input

PAIRS.tsv is tab-separated with a header naming the columns ``a`` and ``b`` (others are
ignored). For each pair, in input order, prints ``score<TAB>tier``: the score of `b` as a
match for `a` (0..1) and its tier (``likely_same``, ``related`` or empty), from
`matching.compare`, the code behind ``/api/claims/search``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.claims import matching
from apps.claims.nlp import clef


class Command(BaseCommand):
    help = "Print score<TAB>tier for each pair (columns a, b) of a TSV file, as search scores it."

    def add_arguments(self, parser):
        parser.add_argument("pairs", help="A TSV file with columns a and b, or - for stdin.")
        parser.add_argument(
            "--why", action="store_true", help="Add a third column: the difference in direction."
        )

    def handle(self, *args, **options):
        path = options["pairs"]
        try:
            if path == "-":
                with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as handle:
                    handle.write(sys.stdin.read())
                path = handle.name
            if not Path(path).is_file():
                raise CommandError(f"{path}: no such file.")
            pairs = clef.read_pairs(path)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc)) from None
        for pair in pairs:
            result = matching.compare(pair.get("a") or "", pair.get("b") or "")
            line = f"{result.score:.4f}\t{result.tier}"
            if options["why"]:
                difference = result.difference
                line += f"\t{difference.kind}: {difference.detail}" if difference else "\t"
            self.stdout.write(line)
