"""Import fact-checks other organisations published (ClaimReview JSON-LD, the DataFeed of
the public fact-check feeds, JSON Lines, CSV/TSV); see apps/claims/factchecks.py.

    python manage.py import_factchecks reviews.json
    python manage.py import_factchecks - < feed.jsonl
    python manage.py import_factchecks sheet.csv --column claim="Claim text" --column url=Link
    python manage.py import_factchecks --resume 12

A file of at least FACTCHECK_IMPORT_BACKGROUND_BYTES (1 MB) is imported as an import run, in
chunks, as the upload page and the API do (apps/claims/factcheck_runs.py), here in this
process with a line of progress a chunk. Stopped (Ctrl-C, a killed process), it is finished
with `--resume RUN`: the chunks already written are skipped, no review is imported twice.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.claims.factcheck_runs import (
    background_threshold,
    factcheck_import_continue,
    factcheck_import_start,
)
from apps.claims.factchecks import (
    CHUNK,
    COLUMN_ALIASES,
    FactCheckImportError,
    factchecks_import,
)
from apps.claims.models import FactCheckImportRun

SHOWN_SKIPS = 50


class Command(BaseCommand):
    help = "Import other organisations' fact-checks (ClaimReview) from a file or stdin (-)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="A file, or - for standard input.")
        parser.add_argument(
            "--column",
            action="append",
            default=[],
            metavar="FIELD=HEADER",
            help=f"CSV/TSV: which header holds a field ({', '.join(COLUMN_ALIASES)}).",
        )
        parser.add_argument(
            "--resume",
            type=int,
            metavar="RUN",
            help="Finish import run RUN (its id was printed when it started).",
        )
        parser.add_argument(
            "--chunked",
            action="store_true",
            help="Import as a resumable run in chunks whatever the file's size.",
        )
        parser.add_argument(
            "--chunk-size", type=int, default=CHUNK, help=f"Reviews a chunk (default {CHUNK})."
        )

    def handle(self, *args, path, column, resume, chunked, chunk_size, **options):
        if resume is not None:
            if path:
                raise CommandError("Give a file or --resume RUN, not both.")
            return self._resume(resume)
        if not path:
            raise CommandError("Give a file (or - for standard input), or --resume RUN.")
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
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
        if chunked or len(content) >= background_threshold():
            try:
                run = factcheck_import_start(
                    content=content,
                    filename="stdin" if path == "-" else Path(path).name,
                    by=None,
                    chunk=chunk_size,
                    columns=columns,
                    command=True,
                )
            except FactCheckImportError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(
                f"{run.format}: {run.reviews} reviews in {run.chunks_total} chunks, import run "
                f"{run.pk} (if stopped, finish it with --resume {run.pk})."
            )
            return self._resume(run.pk)
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
        self._skips([str(skip) for skip in result.skipped], len(result.skipped))

    def _resume(self, run_id: int) -> None:
        run = FactCheckImportRun.objects.defer("content").filter(pk=run_id).first()
        if run is None:
            raise CommandError(f"There is no import run {run_id}.")
        if run.state == FactCheckImportRun.State.DONE:  # e.g. the sweeper's task finished it
            self.stdout.write(
                f"Import run {run_id} is already done: imported {run.created}, "
                f"updated {run.updated}, skipped {run.skipped_count}."
            )
            return
        if run.finished:
            raise CommandError(
                f"Import run {run_id} failed ({run.error}); import the file again: the "
                "reviews already imported are updated, not repeated."
            )
        if run.chunks_done:
            self.stdout.write(f"Resuming run {run_id} at chunk {run.chunks_done + 1}.")
        started = time.perf_counter()

        def progress(current: FactCheckImportRun) -> None:
            self.stdout.write(
                f"  chunk {current.chunks_done}/{current.chunks_total}: imported "
                f"{current.created}, updated {current.updated} "
                f"({time.perf_counter() - started:.1f} s)"
            )

        run = factcheck_import_continue(run_id=run_id, progress=progress)
        if run is None:
            raise CommandError(f"Import run {run_id} no longer exists.")
        if run.state != FactCheckImportRun.State.DONE:
            raise CommandError(f"Import run {run_id} failed: {run.error}")
        self.stdout.write(
            f"{run.format}: imported {run.created}, updated {run.updated}, "
            f"skipped {run.skipped_count}, duplicates in the file {run.duplicates} "
            f"({time.perf_counter() - started:.1f} s, run {run_id})."
        )
        self._skips([f"{s['where']}: {s['reason']}" for s in run.skipped], run.skipped_count)

    def _skips(self, shown: list[str], count: int) -> None:
        for skip in shown[:SHOWN_SKIPS]:
            self.stdout.write(f"  skipped {skip}")
        if count > min(len(shown), SHOWN_SKIPS):
            self.stdout.write(f"  … and {count - min(len(shown), SHOWN_SKIPS)} more skipped.")
