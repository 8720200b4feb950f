"""Decoding a fetched page, and saying so when its bytes cannot be decoded cleanly.

`extraction.decode_body` picks the charset (a byte-order mark, valid UTF-8, the declared
charsets, a statistical guess, then windows-1252 with replacement characters). Some pages
are in no single charset: UTF-8 text with stray bytes from another encoding (a footer
pasted from an old template, a truncated sequence). Read in a legacy charset, every
accented letter of the UTF-8 text turns into two wrong ones ("cafÃ©"); read as UTF-8,
only the stray bytes are lost. So when most of the page is UTF-8, it is decoded as UTF-8
with a replacement character for each stray byte; and whenever the text holds characters
that could not be read, the caller gets a note to store with the job.
"""

from __future__ import annotations

import re

from .extraction import decode_body

REPLACEMENT = "\ufffd"
# One well-formed UTF-8 sequence of two to four bytes (a non-ASCII character).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")

MIXED_NOTE = (
    "The page's bytes are not valid in any one character set: most of it is UTF-8, but "
    "{n} byte{s} {are} not. It was read as UTF-8, and each of those bytes shows as "
    "\N{REPLACEMENT CHARACTER} in the text."
)
UNREADABLE_NOTE = (
    "No character set decodes the page's bytes cleanly ({n} could not be read and show as "
    "\N{REPLACEMENT CHARACTER}); other characters of the text may be wrong too."
)


def decode_page(body: bytes, charset: str | None) -> tuple[str, str]:
    """(the page's text, a note for the job: "" when the bytes decoded cleanly)."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return decode_body(body, charset), ""
    if not body.startswith(_BOMS):
        as_utf8 = body.decode("utf-8", errors="replace")
        stray = as_utf8.count(REPLACEMENT) - body.count(REPLACEMENT.encode())
        if len(_UTF8_SEQUENCE.findall(body)) >= stray:
            n = stray
            note = MIXED_NOTE.format(n=n, s="" if n == 1 else "s", are="is" if n == 1 else "are")
            return as_utf8, note
    text = decode_body(body, charset)
    unread = text.count(REPLACEMENT) - body.count(REPLACEMENT.encode())
    return text, UNREADABLE_NOTE.format(n=unread) if unread > 0 else ""
