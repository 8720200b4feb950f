"""Read article files (plain text, HTML, JSON, JSONL) into records for the ingestion service."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 20_000_000
TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


class ImportFileError(Exception):
    """A file that cannot be imported; the message names the file and what is wrong."""


@dataclass
class Record:
    name: str
    content: str
    fmt: str  # "text" or "html"
    metadata: dict = field(default_factory=dict)


def _decode(name: str, data: bytes) -> str:
    if not data.strip():
        raise ImportFileError(f"{name}: the file is empty.")
    if b"\x00" in data[:8192]:
        raise ImportFileError(f"{name}: this is a binary file, not text, HTML or JSON.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            f"{name}: the file is not UTF-8 text; convert it to UTF-8 and import it again."
        ) from None


def _record_from_obj(obj, where: str) -> Record:
    if not isinstance(obj, dict):
        raise ImportFileError(f"{where}: each article must be a JSON object.")
    text, html = obj.get("text"), obj.get("html")
    if not (isinstance(text, str) and text.strip()) and not (
        isinstance(html, str) and html.strip()
    ):
        raise ImportFileError(f"{where}: the article has neither 'text' nor 'html'.")
    metadata = {
        key: obj[key]
        for key in (
            "url",
            "title",
            "authors",
            "published_at",
            "language",
            "outlet",
            "outlet_domain",
        )
        if obj.get(key)
    }
    if text and text.strip():
        return Record(name=where, content=text, fmt="text", metadata=metadata)
    return Record(name=where, content=html, fmt="html", metadata=metadata)


def read_records(path: Path) -> list[Record]:
    """Return the records in one file, or raise ImportFileError saying why not."""
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file.")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportFileError(
            f"{path.name}: larger than {MAX_FILE_BYTES // 1_000_000} MB; split it."
        )
    return records_from_bytes(path.name, path.read_bytes())


def records_from_bytes(name: str, data: bytes) -> list[Record]:
    """The records in one file's bytes, named `name` (its suffix says how to read it), or
    raise ImportFileError saying why not. The size limit is the caller's."""
    raw = _decode(name, data)
    suffix = Path(name).suffix.lower()
    if suffix == ".json":
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ImportFileError(
                f"{name}: not valid JSON ({exc.msg} at line {exc.lineno})."
            ) from None
        items = parsed if isinstance(parsed, list) else [parsed]
        return [_record_from_obj(obj, f"{name}[{i}]") for i, obj in enumerate(items)]
    if suffix == ".jsonl":
        records = []
        for lineno, line in enumerate(raw.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ImportFileError(f"{name}:{lineno}: not valid JSON ({exc.msg}).") from None
            records.append(_record_from_obj(obj, f"{name}:{lineno}"))
        return records
    if suffix in HTML_SUFFIXES or raw.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
        return [Record(name=name, content=raw, fmt="html")]
    return [Record(name=name, content=raw, fmt="text")]
