"""Text normalisation shared by every way an article's text can arrive.

Spans into article text are code points into the *normalised* text, so everything that
stores text or compares it (content hashes, quotes) must go through `normalize_text`.
"""

import hashlib
import re
import unicodedata

# CRLF first so it becomes one newline, not two. NEL, U+2028 and U+2029 are the Unicode
# line and paragraph separators that `str.splitlines` would also split on.
_NEWLINES = re.compile(r"\r\n|[\r\x85\u2028\u2029]")
# C0 controls (and DEL) except tab and newline: NUL bytes and stray escapes from PDFs,
# bad encodings or pasted terminals carry no text and break PostgreSQL (which rejects NUL).
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BLANK_LINE_RUNS = re.compile(r"\n{3,}")


def normalize_text(s: str) -> str:
    """Return `s` in the one canonical form the app stores and hashes.

    NFC; every newline convention becomes ``\\n``; control characters other than tab
    and newline go; trailing whitespace on each line goes; two or more blank lines in
    a row become one blank line (paragraph breaks survive, layout padding does not);
    blank lines at the start and end go. Leading indentation is kept. Idempotent.
    """
    s = unicodedata.normalize("NFC", s)
    # The substring tests are plain scans, far cheaper than a regex pass: text that is
    # already normal (most of it, and every second call) skips the substitutions.
    if "\r" in s or "\x85" in s or "\u2028" in s or "\u2029" in s:
        s = _NEWLINES.sub("\n", s)
    s = _CONTROL_CHARS.sub("", s)
    s = "\n".join(line.rstrip() for line in s.split("\n"))
    if "\n\n\n" in s:
        s = _BLANK_LINE_RUNS.sub("\n\n", s)
    return s.strip("\n")


def content_hash(text: str) -> str:
    """SHA-256 hex digest of the normalised text: equal for texts that differ only in
    encoding details (newlines, NFC/NFD, trailing spaces), so exact duplicates match."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()
