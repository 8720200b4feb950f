"""Sentence splitting for news text, with code-point offsets into the original string.

`split_sentences(text)` returns `Span`s whose ``text`` is exactly ``text[start:end]``,
stripped of surrounding whitespace. Offsets are Python string indices, i.e. Unicode code
points, as everywhere in the app (see CONVENTIONS.md).

The rules, in the order they apply:

- A line break ends a sentence, so a headline, a byline or a list item without a final
  full stop is a sentence of its own. The one exception is a hard-wrapped line: a break
  after a line that ends without punctuation, followed at once by a line that starts in
  lower case, is read as a space.
- Inside a line, a sentence ends at ``.``, ``!``, ``?``, ``…`` (and runs of them, with any
  closing quotes or brackets after them) followed by white space and a word that does
  not start in lower case.
- Not after an abbreviation: titles before names (``Mr.``, ``Dr.``, ``Gen.``, ``St.``),
  ``e.g.``, ``i.e.``, ``vs.``; ``No. 5``-style abbreviations before a number; and, for
  abbreviations that may also end a sentence (initials such as ``J.``, ``U.S.``,
  ``a.m.``, ``Inc.``, ``etc.``), only when the next word is one that usually starts a
  sentence (``The``, ``He``, ``But`` ...). Decimals and thousands (``152.5``, ``1,000``)
  never split: there is no space after their point.
- Not inside a quotation (“...”, "...", «...», „...“): the quote ends the sentence only
  when its closing mark follows the full stop and a capital comes next. A quotation mark
  left open on its line protects nothing.
- A line that opens with a dash and ends with an attribution (``– I consider ... very
  possible. However, ..., Okafor says.``) is reported speech, the way Finnish and other
  European outlets print quotes: the whole line is one sentence.
- Spans with no letter or digit (separators such as ``***``) are dropped.

Pure Python; no Django, no data files.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A sentence: ``text`` is ``source[start:end]`` (code points)."""

    start: int
    end: int
    text: str


# Any line separator that `str.splitlines` knows, CRLF as one.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")

_CLOSERS = "\"'”’»)]}›"
_OPENERS = "\"'“‘„«([{‹¿¡"
_DASHES = "-–—‒―"
# A sentence-ending run and the closing marks after it, then a space or the end.
_TERMINAL = re.compile(
    r"(?:[.!?…‽]+)[" + re.escape(_CLOSERS) + r"]*(?=\s|$)|[。！？]+[" + re.escape(_CLOSERS) + r"]*"
)
_ENDS_WITH_PUNCT = re.compile(r"[.!?…‽:\"'”’»)\]}。！？]\s*$")
_LIST_MARKER = re.compile(r"\s*(?:\d{1,3}|[A-Za-z]|[ivxlcdm]{1,5}|[IVXLCDM]{1,5})\s*")
_INITIALISM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")
_DASH_LED = re.compile(r"\s*[" + _DASHES + r"]\s")
_WORD = re.compile(r"[^\W_][\w'’-]*")

# Never end a sentence after these (lower case, without their final full stop).
_NEVER_FINAL = frozenset(
    """mr mrs ms mx dr prof gen lt col maj capt cpt sgt cpl pvt adm cmdr brig gov sen sens
    rep reps rev fr st ste mt pres supt insp det hon messrs mme mlle vs v e.g
    i.e cf viz incl esp resp""".split()
)
# Never end a sentence after these when a number follows (No. 10, Fig. 3, Sept. 10).
_BEFORE_NUMBER = frozenset(
    """no nos nr p pp vol vols art arts fig figs ch chap sec para ca c approx est tel ext op
    ed eds ver jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
# May end a sentence: split only before a word that usually starts one.
_AMBIGUOUS = frozenset(
    """jr sr inc ltd co corp llc plc bros etc al dept univ assn jan feb mar apr jun jul aug
    sep sept oct nov dec approx est""".split()
)
# Words that usually start a sentence, for the ambiguous cases above.
_STARTERS = frozenset(
    """A An The This That These Those There Here It Its He His She Her They Their Them We
    Our I My You Your But And Or So Yet Still However Meanwhile Moreover Furthermore Also
    In On At For As If When While After Before Since Although Though Because Even Despite
    According Now Then Thus Today Yesterday Tomorrow Last Earlier Later Some Many Most
    Several One Two Three What Why How Who Where Which Such No Not Nor Both Each Every
    All Other Another Only Instead Indeed Nevertheless Nonetheless Finally First Second
    Third Overall Officials Critics""".split()
)
# Verbs of saying, for the attribution that closes a dash-led speech line.
_SPEECH_VERBS = frozenset(
    """says said say tells told adds added notes noted explains explained summarizes
    summarises summarized summarised continues continued states stated stresses stressed
    emphasizes emphasises emphasized emphasised points pointed recalls recalled insists
    insisted believes believed thinks thought estimates estimated asks asked answers
    answered replies replied writes wrote admits admitted argues argued comments commented
    assures assured reminds reminded concludes concluded according recounts recounted
    describes described remarks remarked warns warned predicts predicted reckons reckoned
    """.split()
)


def split_sentences(text: str) -> list[Span]:
    """Split `text` into sentences (see the module's docstring for the rules)."""
    spans: list[Span] = []
    for seg_start, seg_end in _segments(text):
        _split_segment(text, seg_start, seg_end, spans)
    return spans


def _segments(text: str) -> list[tuple[int, int]]:
    """Lines, with hard-wrapped continuation lines joined to the line before."""
    segments: list[tuple[int, int]] = []
    position = 0
    current: tuple[int, int] | None = None
    previous_line = ""
    for match in _LINE_BREAK.finditer(text + "\n"):
        line_start, line_end = position, match.start()
        position = match.end()
        line = text[line_start:line_end]
        if not line.strip():
            if current is not None:
                segments.append(current)
                current = None
            continue
        joined = (
            current is not None
            and line.lstrip()[0].islower()
            and not _ENDS_WITH_PUNCT.search(previous_line)
        )
        previous_line = line
        if joined:
            assert current is not None
            current = (current[0], line_end)
            continue
        if current is not None:
            segments.append(current)
        current = (line_start, line_end)
    if current is not None:
        segments.append(current)
    return segments


def _split_segment(text: str, seg_start: int, seg_end: int, spans: list[Span]) -> None:
    segment = text[seg_start:seg_end]
    cuts = [] if _is_dash_led_speech(segment) else _cuts(segment)
    piece_start = 0
    for cut in [*cuts, len(segment)]:
        _emit(text, seg_start + piece_start, seg_start + cut, spans)
        piece_start = cut


def _emit(text: str, start: int, end: int, spans: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    piece = text[start:end]
    if any(ch.isalnum() for ch in piece):
        spans.append(Span(start, end, piece))


def _cuts(segment: str) -> list[int]:
    """Offsets in `segment` where a sentence ends."""
    # depth[e] > 0: a cut at e would fall inside a quotation (open < e <= close).
    depth = [0] * (len(segment) + 2)
    for open_, close in _quote_regions(segment):
        depth[open_ + 1] += 1
        depth[close + 1] -= 1
    depth = list(itertools.accumulate(depth))
    cuts = []
    for match in _TERMINAL.finditer(segment):
        end = match.end()
        if depth[end] > 0:
            continue
        if _ends_sentence(segment, match):
            cuts.append(end)
    return cuts


def _ends_sentence(segment: str, match: re.Match[str]) -> bool:
    run = match.group().rstrip(_CLOSERS)
    if run[-1] in "。！？":
        return True
    nxt = _next_word(segment, match.end())
    if nxt is None:
        return True
    first = nxt[0]
    if first.islower():
        return False
    if match.group() == ".":
        # A lone full stop right after a word: is the word an abbreviation?
        start = match.start()
        if start <= 8 and _LIST_MARKER.fullmatch(segment[:start]):
            return False
        # The word before the stop (no abbreviation is longer than the window).
        before = segment[max(0, start - 40) : start]
        word = before.rsplit(None, 1)[-1] if before.strip() else ""
        word = word.lstrip(_OPENERS + _DASHES).rstrip(_CLOSERS)
        key = word.lower()
        if key in _NEVER_FINAL:
            return False
        if key in _BEFORE_NUMBER and first.isdigit():
            return False
        if key in _AMBIGUOUS or _INITIALISM.fullmatch(word) or (len(word) == 1 and word.isalpha()):
            return nxt in _STARTERS
        return True
    if run.endswith(("...", "…")):
        # An ellipsis ends a sentence only before a capital.
        return first.isupper()
    return True


def _next_word(segment: str, position: int) -> str | None:
    """The first word after `position`, past spaces, opening quotes and brackets."""
    i, n = position, len(segment)
    while i < n and (segment[i].isspace() or segment[i] in _OPENERS or segment[i] in _DASHES):
        i += 1
    if i >= n:
        return None
    match = _WORD.match(segment, i)
    return match.group() if match else segment[i]


def _quote_regions(segment: str) -> list[tuple[int, int]]:
    """(open, close) offsets of the quotation marks of each closed quotation."""
    regions: list[tuple[int, int]] = []
    stack: list[tuple[int, str]] = []  # typographic openers
    straight: int | None = None  # an open "
    n = len(segment)
    for i, ch in enumerate(segment):
        if ch not in '“”„«»"':
            continue
        prev = segment[i - 1] if i else " "
        nxt = segment[i + 1] if i + 1 < n else " "
        opening_position = (prev.isspace() or prev in _OPENERS or prev in _DASHES) and not (
            nxt.isspace()
        )
        if ch == '"':
            if straight is not None and not opening_position:
                regions.append((straight, i))
                straight = None
            elif opening_position:
                straight = i
            continue
        if ch in "„«":
            stack.append((i, ch))
        elif ch == "“":
            if stack and stack[-1][1] == "„" and not opening_position:
                regions.append((stack.pop()[0], i))  # German „...“
            else:
                stack.append((i, ch))
        elif ch == "”":
            if stack and stack[-1][1] in "“„":
                regions.append((stack.pop()[0], i))
            elif opening_position:
                stack.append((i, ch))  # Nordic ”...”
        elif ch == "»" and stack and stack[-1][1] == "«":
            regions.append((stack.pop()[0], i))
    return regions


def _is_dash_led_speech(segment: str) -> bool:
    """A line like ``– The port has to use the cranes it has. ..., Okafor says.``"""
    if not _DASH_LED.match(segment):
        return False
    body = segment.rstrip().rstrip(".!?…" + _CLOSERS)
    cut = max(body.rfind(","), body.rfind(" – "), body.rfind(" — "))
    if cut <= 0:
        return False
    words = [w.lower() for w in _WORD.findall(body[cut + 1 :])]
    return 0 < len(words) <= 8 and any(w in _SPEECH_VERBS for w in words)
