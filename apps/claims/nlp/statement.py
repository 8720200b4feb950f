"""A claim's statement from the words of an article: the quote without who says it.

A claim records its claimant separately, so the statement it is tracked and matched by
should say what is claimed, not who claims it. ``statement_from_quote`` takes the quoted
span and drops, when they frame the whole of it:

- an attribution at the end: ``…in 2014, Okafor says.`` → ``…in 2014.``;
  ``“It’s a new world,” Chun, a retired general, told Al Jazeera.`` → ``It’s a new world.``;
- an attribution at the start: ``According to Okafor, it is possible …`` → ``It is
  possible …``; ``The ministry claimed that the mayor …`` → ``The mayor …``;
- the dash that opens an interview answer (``– The port has to …``) and quote marks
  around the whole statement.

Cautious by design: an attribution in the middle, a tail longer than a name and its
role, or a remainder of fewer than three words leaves the quote as it is (whitespace
collapsed). The appearance keeps the exact quote either way; the statement can be edited.
Pure Python; the attribution cues come from `apps.claims.nlp.attribution`.
"""

from __future__ import annotations

import re

from .attribution import attribution_cues

__all__ = ["statement_from_quote"]

OPENING_QUOTES = '“"‘„«'
CLOSING_QUOTES = '”"’“»'
# What may stand before a statement and be dropped: space, an interview dash, quote marks.
_LEAD = re.compile(r"^[\s–—-]*")
_SPEECH_DASH = re.compile(r"^[–—-]\s+")
# What joins a leading cue to the claim, right after the cue: ", " ("According to X, …"),
# ": " or " that ". Not a plain space: in "The mayor told Okafor, …" or "the US said last week
# that …" the words after the verb are its object or a time, not the claim.
_HEAD_JOIN = re.compile(r"\s*(?:,\s*|:\s*|\s+that\s+)")  # matched at the cue's end
# A cue that denies or doubts ("does not believe that", "denied that") inverts the claim.
_NEGATING_CUE = re.compile(
    r"\b(?:not|never|no|nor|n't|deny|denies|denied|denying|doubt|doubts|doubted|dismiss"
    r"|dismissed|dismisses|reject|rejected|rejects|refute|refuted|refutes|dispute|disputed"
    r"|disputes)\b|n[’']t\b"
)
# "According to the institute, a think tank, the port …": an appositive after the cue.
_APPOSITIVE = re.compile(r"(?:a|an|the)\s+[^,.;:!?]{0,80},", re.IGNORECASE)
# A tail's remainder after its cue: a name's role or an audience, never another clause.
MAX_TAIL_WORDS = 12
_CLAUSE_WORDS = re.compile(r"\b(?:and|but|while|adding|because|although|as|that|who|which)\b")
MIN_WORDS = 3


def statement_from_quote(text: str, start: int, end: int) -> str:
    """The statement for a claim quoted as ``text[start:end]`` (code-point offsets)."""
    quote = " ".join(text[start:end].split())
    cues = attribution_cues(text, start, end)
    body_start, body_end, terminal = start, end, ""
    cues = [c for c in cues if not _NEGATING_CUE.search(text[c.start : c.end].lower())]
    tail = next((c for c in reversed(cues) if c.governs_left), None)
    if tail is not None and _is_tail(text[tail.end : end], tail.governs_right):
        before = text[start : tail.start].rstrip()
        stripped = before.rstrip(",").rstrip()
        if stripped != before or before.endswith(tuple(CLOSING_QUOTES)):
            body_end = start + len(stripped)
            terminal = "."
    head = next((c for c in cues if c.governs_right and not c.governs_left), None)
    if head is not None and head.end <= body_end and not _LEAD.sub("", text[start : head.start]):
        join = _HEAD_JOIN.match(text, head.end, body_end)
        if join is not None and not _APPOSITIVE.match(text, join.end(), body_end):
            body_start = join.end()
    body = " ".join(text[body_start:body_end].split())
    body = _SPEECH_DASH.sub("", body)
    body = _unquote(body)
    if terminal and body and body[-1] not in ".!?":
        body = body.rstrip(",;:") + terminal
    if len(body.split()) < MIN_WORDS:
        return quote
    if body_start != start and body[:1].islower():
        body = body[0].upper() + body[1:]
    return body


def _is_tail(rest: str, governs_right: bool) -> bool:
    """Whether what follows a trailing cue is only its name's role or audience and the
    closing punctuation: ``.``, ``, the spokesman.``, `` Al Jazeera.``. After a cue that
    can also attribute what follows it ("says Okafor", "the minister said"), only a role
    set off by a comma: in "…, the minister said taxes rose" the cue starts a claim."""
    rest = rest.strip()
    core = rest.rstrip(".!?" + CLOSING_QUOTES).strip()
    if governs_right and core and not core.startswith(","):
        return False
    if any(mark in core for mark in ".!?;"):
        return False
    return len(core.split()) <= MAX_TAIL_WORDS and not _CLAUSE_WORDS.search(core.lower())


def _unquote(body: str) -> str:
    """``“It’s a new world,”`` → ``It’s a new world.``: quote marks that enclose the whole
    statement, and nothing else quoted inside it."""
    if len(body) < 2 or body[0] not in OPENING_QUOTES:
        return body
    trailing = body.rstrip(".")
    if not trailing or trailing[-1] not in CLOSING_QUOTES:
        return body
    inner = trailing[1:-1].strip()
    if any(mark in inner for mark in '“”"«»'):
        return body
    if inner.endswith(","):
        inner = inner[:-1].rstrip() + "."
    elif body.endswith(".") and inner[-1:] not in ".!?":
        inner += "."
    return inner
