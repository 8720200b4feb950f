"""Import fact-checks other organisations published (ClaimReview JSON-LD, the DataFeed of
the public fact-check feeds, JSON Lines, CSV/TSV); see apps/claims/factchecks.py.

    python manage.py import_factchecks reviews.json
    python manage.py import_factchecks - < feed.jsonl
    python manage.py import_factchecks sheet.csv --column claim="Claim text" --column url=Link
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.claims.factchecks import COLUMN_ALIASES, FactCheckImportError, factchecks_import

SHOWN_SKIPS = 50


class Command(BaseCommand):
    help = "Import other organisations' fact-checks (ClaimReview) from a file or stdin (-)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="A file, or - for standard input.")
        parser.add_argument(
            "--column",
            action="append",
            default=[],
            metavar="FIELD=HEADER",
            help=f"CSV/TSV: which header holds a field ({', '.join(COLUMN_ALIASES)}).",
        )

    def handle(self, *args, path, column, **options):
        columns = {}
        for spec in column:
            name, sep, header = spec.partition("=")
            if not sep or name not in COLUMN_ALIASES:
                raise CommandError(
                    f"--column {spec!r}: write FIELD=HEADER, FIELD one of "
                    f"{', '.join(COLUMN_ALIASES)}."
                )
            columns[name] = header
        try:
            content = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from None
        started = time.perf_counter()
        try:
            result = factchecks_import(content, columns=columns)
        except FactCheckImportError as exc:
            raise CommandError(exc.message) from None
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{result.format}: imported {result.created}, updated {result.updated}, "
            f"skipped {len(result.skipped)}, duplicates in the file {result.duplicates} "
            f"({seconds:.1f} s)."
        )
        for skip in result.skipped[:SHOWN_SKIPS]:
            self.stdout.write(f"  skipped {skip}")
        if len(result.skipped) > SHOWN_SKIPS:
            self.stdout.write(f"  … and {len(result.skipped) - SHOWN_SKIPS} more skipped.")
