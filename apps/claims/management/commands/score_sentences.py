"""Score sentences for check-worthiness with the model the workers use.

    python manage.py score_sentences sentences.txt            # one sentence per line
    python manage.py score_sentences data.tsv                 # TSV with a header row
    python manage.py score_sentences data.jsonl --text-column sentence
    cat sentences.txt | python manage.py score_sentences -

Writes ``id<TAB>score`` per sentence (score 0..1, four decimals), in input order, to
standard output or --output. Plain lines are numbered from 1. TSV and JSONL take the id
and text from the columns/keys named by --id-column and --text-column (default: the
first of id, sentence_id, Sentence_id... and text, sentence, Text... that exists).

The model is `apps.claims.suggestions.checkworthy_model()`, the one
`suggestions_generate` uses (setting CLAIMS_CHECKWORTHY_MODEL, else the default), and the
score is the model's own: the suggester's news adjustments need the whole article.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.claims.suggestions import checkworthy_model

ID_COLUMNS = ("id", "sentence_id", "sentenceid", "tweet_id", "line", "key")
TEXT_COLUMNS = ("text", "sentence", "sentence_text", "claim", "tweet_text", "content")
BATCH = 2000


def _pick(columns: list[str], wanted: str, candidates: tuple[str, ...], what: str) -> str:
    lowered = {c.lower().strip(): c for c in columns}
    if wanted:
        if wanted in columns:
            return wanted
        if wanted.lower() in lowered:
            return lowered[wanted.lower()]
        raise CommandError(f"No {what} column {wanted!r}; the columns are: {', '.join(columns)}")
    for candidate in candidates:
        if candidate in lowered:
            return lowered[candidate]
    raise CommandError(
        f"Cannot tell which column holds the {what}; name it with --{what}-column "
        f"(the columns are: {', '.join(columns)})."
    )


class Command(BaseCommand):
    help = "Score sentences (lines, TSV or JSONL) for check-worthiness: writes id<TAB>score."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Input file, or - for standard input")
        parser.add_argument(
            "--format", choices=["auto", "lines", "tsv", "jsonl"], default="auto",
            help="Input format (auto: by extension .tsv/.jsonl/.json, else lines)",
        )  # fmt: skip
        parser.add_argument("--id-column", default="", help="TSV column / JSON key of the id")
        parser.add_argument("--text-column", default="", help="TSV column / JSON key of the text")
        parser.add_argument("--output", "-o", default="", help="Write here instead of stdout")

    def handle(self, *args, path, format, id_column, text_column, output, **options):
        fmt = format
        if fmt == "auto":
            suffix = Path(path).suffix.lower() if path != "-" else ""
            fmt = {".tsv": "tsv", ".jsonl": "jsonl", ".json": "jsonl"}.get(suffix, "lines")
        try:
            stream = (
                sys.stdin if path == "-" else open(path, encoding="utf-8", newline="")  # noqa: SIM115
            )
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from None
        model = checkworthy_model()
        out = open(output, "w", encoding="utf-8") if output else self.stdout  # noqa: SIM115
        count = 0
        try:
            reader = {"lines": self._lines, "tsv": self._tsv, "jsonl": self._jsonl}[fmt]
            batch: list[tuple[str, str]] = []
            for item in reader(stream, id_column, text_column):
                batch.append(item)
                if len(batch) >= BATCH:
                    count += self._write(out, model, batch)
                    batch = []
            if batch:
                count += self._write(out, model, batch)
        finally:
            if stream is not sys.stdin:
                stream.close()
            if output:
                out.close()
        self.stderr.write(f"Scored {count} sentence(s) with {model.name} {model.version}.")

    def _write(self, out, model, batch: list[tuple[str, str]]) -> int:
        scores = model.score([text for _, text in batch])
        for (key, _), score in zip(batch, scores, strict=True):
            out.write(f"{key}\t{score:.4f}\n")
        return len(batch)

    def _lines(self, stream, _id_column, _text_column) -> Iterator[tuple[str, str]]:
        for number, line in enumerate(stream, 1):
            text = line.rstrip("\r\n")
            if "\t" in text:
                # An id<TAB>text file read as lines would score the id as part of the text.
                raise CommandError(
                    f"Line {number} holds a tab: is this a TSV? Name it .tsv (with a header "
                    "row) or pass --format tsv; one sentence per line has no tabs."
                )
            yield str(number), text

    def _tsv(self, stream, id_column, text_column) -> Iterator[tuple[str, str]]:
        csv.field_size_limit(10_000_000)
        reader = csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if not header:
            return
        id_name = _pick(header, id_column, ID_COLUMNS, "id")
        text_name = _pick(header, text_column, TEXT_COLUMNS, "text")
        id_at, text_at = header.index(id_name), header.index(text_name)
        for number, row in enumerate(reader, 2):
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) <= max(id_at, text_at):
                raise CommandError(
                    f"Line {number}: expected {len(header)} columns, got {len(row)}."
                )
            yield row[id_at].replace("\t", " "), row[text_at]

    def _jsonl(self, stream, id_column, text_column) -> Iterator[tuple[str, str]]:
        names: tuple[str, str] | None = None
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CommandError(f"Line {number}: not JSON ({exc.msg}).") from None
            if not isinstance(record, dict):
                raise CommandError(f"Line {number}: expected a JSON object.")
            if names is None:
                keys = list(record)
                names = (
                    _pick(keys, id_column, ID_COLUMNS, "id"),
                    _pick(keys, text_column, TEXT_COLUMNS, "text"),
                )
            if names[1] not in record:
                raise CommandError(f"Line {number}: no {names[1]!r} key.")
            key = str(record.get(names[0], number)).replace("\t", " ").replace("\n", " ")
            yield key, str(record[names[1]] or "")
