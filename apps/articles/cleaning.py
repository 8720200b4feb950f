"""Cleaning article text: the title, the bylines and the boilerplate lines.

The rules describe kinds of lines (ad markers, orphaned link labels, teasers for other
stories, photo credits, stray codes, bylines, a garbled repeat of the headline), never
particular sites or strings. Whatever is dropped is reported, in document order, so a
person can see what the cleaner did. Dropping is conservative: a line is removed only
when it matches a rule, because claims are later found in the stored text by quote.
"""

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from apps.core.text import normalize_text


@dataclass(frozen=True)
class RemovedLine:
    """A piece the cleaner dropped, with where it stood in the cleaned text: after the
    first `after` non-blank lines, as a line of its own, or (`inline`) at the end of line
    `after` - 1 (a photo credit or a signature cut from the line it ended)."""

    text: str
    after: int
    inline: bool = False

    def as_json(self) -> dict:
        return {"line": self.text, "after": self.after, "inline": self.inline}


@dataclass(frozen=True)
class ParsedText:
    title: str
    authors: list[str]
    text: str
    removed: list[str]
    # The same pieces as `removed`, in the same order, each with its place (restore_removed).
    placed: list[RemovedLine] = field(default_factory=list)


# --- boilerplate lines ----------------------------------------------------------------

# Shortcodes left behind by CMS plugins ("[ad_1]") and lone advertisement labels.
_AD_MARKER = re.compile(
    r"\[\w+_\d+\]|\[?(?:advertisement|advert|ad|sponsored(?:\s+content)?)\]?", re.IGNORECASE
)
# The label of a link whose target was lost when the page became text.
_LINK_LABEL = re.compile(
    r"(?:source(?:\s+link)?|read\s+more|continue\s+reading"
    r"|read\s+the\s+(?:full|original)\s+(?:story|article)"
    r"|view\s+(?:source|original)(?:\s+article)?)\W*",
    re.IGNORECASE,
)
# Teasers for other stories: "- SEE MORE How much ...", "You can also read: ...". The
# lead-in must be set off (a bullet, a colon or capitals) so that a sentence which merely
# starts with "See more" or "Related" stays.
_PROMO_START = re.compile(
    r"(?P<bullet>[-–—•*>»]\s*)?"
    r"(?P<lead>(?:see|read|watch)\s+(?:more|also)"
    r"|(?:you\s+(?:can|may|might|should)\s+)?also\s+(?:read|see|watch)"
    r"|you\s+(?:may|might)\s+(?:also\s+)?(?:like|be\s+interested\s+in)"
    r"|related|recommended|more\s+on\s+this)"
    r"(?:\s+(?:articles?|stories|story|reading|coverage))?\b(?P<colon>\s*:)?",
    re.IGNORECASE,
)
_PROMO_MAX_CHARS = 200
# A lone short token mixing letters and digits ("yl-01"): an editor's or a template's code.
_STRAY_CODE = re.compile(r"(?=\S*\d)(?=\S*[^\W\d_])[^\W_]+(?:[-_./][^\W_]+)*")
_STRAY_CODE_MAX_CHARS = 12
_COPYRIGHT_LINE = re.compile(r"(?:©|copyright\s+(?:©|\d{4})).{0,120}", re.IGNORECASE)

# Notices that stand where an article's text should be. A line is one only when it is
# short and every sentence in it is such a notice (a sentence of reporting that mentions
# subscribers or a reprint stays). "paywall": a prompt to subscribe or sign in to read on;
# "reprint": a note that the piece was first published elsewhere or is republished.
_NOTICE_MAX_CHARS = 300
_PAYWALL_SENTENCE = re.compile(
    r"(?:.{0,60}\b(?:subscribe|subscription|sign\s+(?:in|up)|log\s*in|register)\b.{0,60}"
    r"\b(?:continue|keep|start)\s+reading\b.{0,40}"
    r"|.{0,40}\b(?:continue|keep)\s+reading\b.{0,60}"
    r"\b(?:subscribe|subscription|subscriber|sign\s+(?:in|up)|log\s*in|register|member)\b.{0,40}"
    r"|.{0,40}\b(?:available|reserved|exclusive|only)\s+(?:to|for)\s+"
    r"(?:(?:our\s+)?(?:paying\s+|premium\s+|digital\s+)?subscribers"
    r"|(?:our\s+|paying\s+|premium\s+)members)\b.{0,40}"
    r"|.{0,40}\bfor\s+(?:(?:paying\s+|premium\s+)?subscribers|(?:paying|premium)\s+members)"
    r"\s+only\b.{0,20}"
    r"|already\s+(?:a\s+)?(?:subscriber|member)\b.{0,40}"
    r"|.{0,60}\bunlimited\s+(?:digital\s+)?access\b.{0,60}"
    r"(?:[$£€]\s?\d|\b(?:a|per)\s+(?:week|month|year)\b|\bsubscri).{0,40}"
    r"|.{0,20}\bsubscri\w+\s+(?:get|enjoy|have)\s+unlimited\b.{0,100}"
    r"|(?:subscribe|sign\s+in|log\s*in)(?:\s+now|\s+today)?)",
    re.IGNORECASE,
)
_REPRINT_SENTENCE = re.compile(
    r"(?:(?:this|the)\s+(?:article|story|piece|post|report|column|essay|interview)\s+"
    r"(?:was|is|has\s+been|first)\s+(?:originally\s+|first\s+)?"
    r"(?:published|posted|appeared|ran|produced)\b.{0,160}"
    r"|(?:originally|first)\s+(?:published|appeared|posted)\s+(?:in|on|at|by)\b.{0,160}"
    r"|.{0,80}\b(?:re-?published|reprinted)\s+(?:here\s+)?"
    r"(?:with\s+(?:the\s+)?(?:kind\s+)?permission|under\s+(?:a|the)\b.{0,60}\blicen[cs]e"
    r"|(?:by|from)\s+(?:the\s+)?(?-i:[A-Z])).{0,160})",
    re.IGNORECASE,
)
_NOTICE_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")


def notice_kind(line: str) -> str | None:
    """ "paywall" or "reprint" when the line is such a notice (see above), else None."""
    line = line.strip()
    if not line or len(line) > _NOTICE_MAX_CHARS:
        return None
    sentences = [s.strip(' .!?:;"“”()') for s in _NOTICE_SENTENCE_BREAK.split(line)]
    sentences = [s for s in sentences if s]
    for kind, pattern in (("reprint", _REPRINT_SENTENCE), ("paywall", _PAYWALL_SENTENCE)):
        others = _PAYWALL_SENTENCE if kind == "reprint" else _REPRINT_SENTENCE
        matched = [bool(pattern.fullmatch(s)) for s in sentences]
        if any(matched) and all(
            m or others.fullmatch(s) or _LINK_LABEL.fullmatch(s)
            for m, s in zip(matched, sentences, strict=True)
        ):
            return kind
    return None


# A photo credit, alone on a line or trailing the caption sentence it belongs to.
_CREDIT_MARKER = re.compile(
    r"©|\b(?:photo(?:graph)?|image|picture|foto|bild)s?(?:\s+credits?)?\s*:|\bcredits?\s*:",
    re.IGNORECASE,
)
_CREDIT_MAX_CHARS = 80
_CREDIT_MAX_WORDS = 8
_SENTENCE_END_CHARS = '.!?"”’)…'

# --- bylines --------------------------------------------------------------------------

_BYLINE_PREFIX = re.compile(
    r"(?:(?:written|words|reporting|reported)\s+)?by\s*:?\s+(?P<names>.+)"
    r"|(?:from|authors?)\s*:\s*(?P<names_after_colon>.+)",
    re.IGNORECASE,
)
_TRAILING_PAREN_NAMES = re.compile(r"(?P<body>.*[.!?\"”’])\s*(?P<paren>\((?P<names>[^()]{3,80})\))")
_NAME_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b)\s*")
_NAME_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*\.?")
# Lower-case parts of names: "Ursula von der Leyen".
_NAME_PARTICLES = frozenset(
    {"al", "bin", "ibn", "da", "de", "del", "della", "der", "den", "di", "du", "la", "le"}
    | {"van", "von", "y"}
)
# Capitalised words that open headings and labels but are not parts of names.
_NOT_NAME_WORDS = frozenset(
    {"a", "an", "and", "are", "at", "by", "for", "from", "how", "in", "is", "it", "its"}
    | {"of", "on", "or", "the", "this", "to", "was", "were", "what", "when", "where", "who"}
    | {"why", "with", "advertisement", "image", "link", "live", "more", "news", "photo"}
    | {"read", "see", "source", "update", "updates", "video"}
)
_BYLINE_MAX_CHARS = 80

# --- titles ---------------------------------------------------------------------------

_HEADLINE_MAX_CHARS = 150
# A first line that ends in a full stop is a sentence of the body unless it is this short.
_SENTENCE_HEADLINE_MAX_CHARS = 80
_TITLE_MAX_CHARS = 300
_SENTENCE_BREAK = re.compile(r"[.!?…]+[\"”’)\]]*\s+")
_ABBREVIATION = re.compile(
    r"(?:[^\W\d_]\.)+|(?:mr|mrs|ms|dr|prof|st|gen|lt|col|sgt|capt|sen|rep|gov|jr|sr|no|vs"
    r"|etc|inc|ltd|co|corp|dept|approx|fig|vol)\.",
    re.IGNORECASE,
)


def parse_plain_text(raw: str, *, title: str = "") -> ParsedText:
    """Split a plain-text article into title, authors and cleaned body.

    Without `title` (no metadata), the title is the first line that is not boilerplate or
    a byline when that line reads as a headline; it is then left out of the body.
    Otherwise the body starts at once and its first sentence becomes the title (and stays
    in the body). With `title` (the record supplies one), no line is guessed to be the
    headline: only a repeat of that title before the body is dropped, and reported.
    """
    title = " ".join(title.split())
    return _clean(raw, title=title, find_title=not title)


def strip_boilerplate_lines(text: str, *, title: str = "") -> tuple[str, list[str]]:
    """Drop boilerplate and byline lines from article text, plain or extracted from HTML.

    Returns the normalised text and the dropped pieces in document order. With `title`
    (known from the page's metadata), a repeat of it before the body is dropped too.
    """
    cleaned = clean_lines(text, title=title)
    return cleaned.text, cleaned.removed


def clean_lines(text: str, *, title: str = "") -> ParsedText:
    """`strip_boilerplate_lines` with everything the cleaner found: the dropped pieces
    with their places (`placed`), so they can be shown and put back."""
    return _clean(text, title=title, find_title=False)


def _clean(raw: str, *, title: str, find_title: bool) -> ParsedText:
    """One pass over the lines; the title (when asked to find it) is the first content line."""
    lines = normalize_text(raw).split("\n")
    kept: list[tuple[int, str]] = []  # (line number, line)
    authors: list[str] = []
    # (line number, column, text): sorted at the end so `removed` follows the document.
    removed: list[tuple[int, int, str]] = []
    body_lines = 0
    title_pending = find_title

    for number, line in enumerate(lines):
        content = line.strip()
        if not content:
            kept.append((number, line))
            continue
        content, credit, credit_column = _split_photo_credit(content)
        if credit:
            removed.append((number, credit_column, credit))
            if not content:
                continue
            line = content

        if _is_boilerplate_line(content):
            removed.append((number, 0, content))
        elif names := _prefixed_byline_names(content):
            authors.extend(names)
            removed.append((number, 0, content))
        elif title_pending:
            title_pending = False
            if _looks_like_headline(content):
                title = content
                continue
            title = _first_sentence(content)
            kept.append((number, line))
            body_lines += 1
        elif title and body_lines == 0 and _repeats_headline(content, title):
            removed.append((number, 0, content))
        elif _in_byline_position(title, body_lines) and (names := _name_line_names(content)):
            authors.extend(names)
            removed.append((number, 0, content))
        else:
            kept.append((number, line))
            body_lines += 1

    _strip_trailing_byline(kept, authors, removed)
    removed.sort(key=lambda item: (item[0], item[1]))
    # Non-blank kept lines stay one to one, in order, through normalize_text, so a piece's
    # place is the count of them before it (or the one it was cut from).
    content_numbers = [number for number, line in kept if line.strip()]
    placed = []
    for number, column, piece in removed:
        before = bisect_left(content_numbers, number)
        inline = column > 0 and before < len(content_numbers) and content_numbers[before] == number
        placed.append(RemovedLine(piece, before + 1 if inline else before, inline))
    return ParsedText(
        title=title,
        text=normalize_text("\n".join(line for _, line in kept)),
        authors=_unique(authors),
        removed=[text for _, _, text in removed],
        placed=placed,
    )


def _is_boilerplate_line(line: str) -> bool:
    return bool(
        _AD_MARKER.fullmatch(line)
        or _LINK_LABEL.fullmatch(line)
        or (len(line) <= _PROMO_MAX_CHARS and _is_promo(line))
        or (len(line) <= _STRAY_CODE_MAX_CHARS and _STRAY_CODE.fullmatch(line))
        or _COPYRIGHT_LINE.fullmatch(line)
        or notice_kind(line) is not None
    )


def _is_promo(line: str) -> bool:
    match = _PROMO_START.match(line)
    return bool(match and (match["bullet"] or match["colon"] or match["lead"].isupper()))


def _split_photo_credit(line: str) -> tuple[str, str, int]:
    """Return (line without the credit, the credit, the credit's column)."""
    if "©" not in line and ":" not in line:
        return line, "", 0  # every credit marker has one of the two: skip the regex scan
    for marker in _CREDIT_MARKER.finditer(line):
        before = line[: marker.start()].rstrip()
        start = marker.start()
        if before.endswith("("):  # "(Photo: AFP)"
            before = before[:-1].rstrip()
            start = len(before)
        if before and before[-1] not in _SENTENCE_END_CHARS:
            continue  # a © or "image:" inside a sentence is part of it
        credit = line[marker.end() :].strip(" ()")
        if (
            0 < len(credit) <= _CREDIT_MAX_CHARS
            and len(credit.split()) <= _CREDIT_MAX_WORDS
            and not re.search(r"[.!?]\s", credit)
        ):
            return before, line[start:].strip(), start
    return line, "", 0


def _prefixed_byline_names(line: str) -> list[str]:
    match = _BYLINE_PREFIX.fullmatch(line) if len(line) <= _BYLINE_MAX_CHARS else None
    if not match:
        return []
    return _person_names(match["names"] or match["names_after_colon"])


def _in_byline_position(title: str, body_lines: int) -> bool:
    # Bare names are a byline only right after the headline or the lead paragraph; deeper
    # in, or before any headline is known, a short capitalised line is a heading.
    return (bool(title) and body_lines == 0) or body_lines == 1


def _name_line_names(line: str) -> list[str]:
    return _person_names(line) if len(line) <= _BYLINE_MAX_CHARS else []


def _person_names(text: str) -> list[str]:
    """Names in "Ann Lee, Bo Kim and Cy Park"; empty unless every part is a person's name."""
    parts = [part for part in _NAME_SEPARATORS.split(text.strip()) if part]
    names = [_person_name(part) for part in parts]
    if not names or not all(names):
        return []
    return names


def _person_name(text: str) -> str:
    words = text.split()
    if not 2 <= len(words) <= 4:
        return ""
    for position, word in enumerate(words):
        if word.casefold() in _NOT_NAME_WORDS:
            return ""
        if 0 < position < len(words) - 1 and word in _NAME_PARTICLES:
            continue
        if not (word[0].isupper() and _NAME_WORD.fullmatch(word)):
            return ""
    return " ".join(words)


def _strip_trailing_byline(
    kept: list[tuple[int, str]], authors: list[str], removed: list[tuple[int, int, str]]
) -> None:
    """Drop a "(Ann Lee)" signature that ends the article's last sentence."""
    last = next((i for i in range(len(kept) - 1, -1, -1) if kept[i][1].strip()), None)
    if last is None:
        return
    number, line = kept[last]
    match = _TRAILING_PAREN_NAMES.fullmatch(line.strip())
    names = _person_names(match["names"]) if match else []
    if match and names:
        authors.extend(names)
        kept[last] = (number, match["body"])
        removed.append((number, match.start("paren"), match["paren"]))


def _looks_like_headline(line: str) -> bool:
    if len(line) > _HEADLINE_MAX_CHARS:
        return False
    if line.rstrip('"”’)').endswith("."):
        return len(line) <= _SENTENCE_HEADLINE_MAX_CHARS and _first_sentence(line) == line
    return True


def _first_sentence(text: str) -> str:
    end = len(text)
    for match in _SENTENCE_BREAK.finditer(text):
        following = text[match.end() :].lstrip('"“‘([')[:1]
        if not (following.isupper() or following.isdigit()):
            continue
        last_word = text[: match.end()].split()[-1]
        if last_word.endswith(".") and _ABBREVIATION.fullmatch(last_word.rstrip('"”’)]')):
            continue
        end = match.end()
        break
    sentence = text[:end].strip()
    if len(sentence) > _TITLE_MAX_CHARS:
        sentence = sentence[:_TITLE_MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return sentence


def _repeats_headline(line: str, title: str) -> bool:
    """A copy of the headline, possibly cut short and stripped of punctuation."""
    words, title_words = _word_key(line), _word_key(title)
    if not words:
        return False
    return words == title_words or (len(words) >= 3 and title_words[: len(words)] == words)


def _word_key(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", "", text.casefold()).split()


def _unique(names: list[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            unique.append(name)
    return unique


# --- putting removed lines back -----------------------------------------------------------


class StaleRemovedLines(ValueError):
    """The stored places no longer fit the text (it was replaced since)."""


def restore_removed(text: str, placed: list[RemovedLine]) -> tuple[str, list[tuple[int, int]]]:
    """`text` with the `placed` pieces put back where the cleaner took them from, and the
    insertions made: (offset in `text`, characters inserted), ascending. A line of its own
    goes back with the break the text has there (a blank line between paragraphs, or a
    newline); a cut piece goes back at the end of its line after a space."""
    bounds = [(m.start(), m.end()) for m in re.finditer(r"[^\n]*\S[^\n]*", text)]
    count = len(bounds)

    def separator(after: int) -> str:
        """The break between non-blank lines `after` - 1 and `after` (or the nearest one)."""
        if count < 2:
            return "\n\n"
        gap = min(max(after, 1), count - 1)
        return "\n\n" if "\n\n" in text[bounds[gap - 1][1] : bounds[gap][0]] else "\n"

    inserted: dict[int, str] = {}
    for piece in placed:
        if (
            not piece.text.strip()
            or not 0 <= piece.after <= count
            or (piece.inline and piece.after < 1)
        ):
            raise StaleRemovedLines(f"No place for {piece.text[:60]!r} in the text.")
        if piece.inline:
            at, added = bounds[piece.after - 1][1], " " + piece.text
        elif piece.after == 0:
            at, added = 0, piece.text + separator(0)
        else:
            at, added = bounds[piece.after - 1][1], separator(piece.after) + piece.text
        inserted[at] = inserted.get(at, "") + added
    out, last = [], 0
    for at in sorted(inserted):
        out += [text[last:at], inserted[at]]
        last = at
    out.append(text[last:])
    return "".join(out), [(at, len(inserted[at])) for at in sorted(inserted)]
