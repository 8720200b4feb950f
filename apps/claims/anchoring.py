"""Re-anchoring appearances after an article's text changes (re-extraction, a cleaner fix).

An appearance stores its span (code points into Article.text) and, like the W3C
TextQuoteSelector, the exact quote with a little prefix and suffix. When the text
changes, each appearance is looked for, in this order:

1. **position**: the quote is still at start:end;
2. **exact quote**: the quote elsewhere in the new text; with several occurrences, the one
   whose surroundings match the stored prefix/suffix best, then the nearest;
3. **fuzzy**: the quote with its white space reflowed; or the stretch between the stored
   prefix and suffix when it is close to the quote (difflib ratio); or the closest
   approximate match of the quote on its own. The quote is updated to the new words;
4. otherwise it is marked ``orphaned`` (and listed for editors). Nothing is ever deleted.

Call it in the same transaction that stores the new text:

    appearances_reanchor(article=article, old_text=previous_text)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import pghistory
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.roles import AnyUser, is_editor
from apps.articles.cleaning import RemovedLine, StaleRemovedLines, restore_removed
from apps.articles.models import Article
from apps.core.errors import DomainError, NotAllowed
from apps.core.text import content_hash

from .models import Appearance, Suggestion
from .services import CONTEXT_CHARS

# A fuzzy candidate must be this close to the stored quote (difflib ratio, 0..1).
CONTEXT_MIN_RATIO = 0.6  # between the stored prefix and suffix: the context vouches for it
APPROXIMATE_MIN_RATIO = 0.8  # anywhere in the text, with no context to confirm it
CONTEXT_PROBE = 20  # characters of prefix/suffix looked for in the new text
# Spans parked out of the way while rows swap places (the unique span constraint is
# checked row by row); far above any article length.
PARKING_OFFSET = 1_000_000_000


@dataclass
class ReanchorReport:
    article_id: int
    kept: list[int] = field(default_factory=list)  # quote still at its position
    moved: list[int] = field(default_factory=list)  # exact quote found elsewhere
    fuzzy: list[int] = field(default_factory=list)  # found approximately; quote updated
    orphaned: list[int] = field(default_factory=list)  # not found; kept, marked orphaned

    @property
    def total(self) -> int:
        return len(self.kept) + len(self.moved) + len(self.fuzzy) + len(self.orphaned)

    def __str__(self) -> str:
        return (
            f"article {self.article_id}: {len(self.kept)} kept, {len(self.moved)} moved, "
            f"{len(self.fuzzy)} re-found approximately, {len(self.orphaned)} orphaned"
        )


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    how: str  # kept, moved, fuzzy


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def _best(candidates: list[tuple[int, int]], text: str, a: Appearance, expected: int):
    """The candidate whose surroundings match the stored prefix/suffix most, then the one
    nearest where the old position maps to."""

    def score(span: tuple[int, int]):
        start, end = span
        context = _common_suffix(text[max(0, start - len(a.prefix)) : start], a.prefix)
        context += _common_prefix(text[end : end + len(a.suffix)], a.suffix)
        return (-context, abs(start - expected), start)

    return min(candidates, key=score) if candidates else None


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    spans, i = [], text.find(needle)
    while i != -1:
        spans.append((i, i + len(needle)))
        i = text.find(needle, i + 1)
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _reflowed(text: str, a: Appearance, expected: int) -> tuple[int, int] | None:
    """The quote's words with any white space between them (a re-wrapped paragraph)."""
    words = a.quote.split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    return _best([m.span() for m in pattern.finditer(text)], text, a, expected)


def _between_context(text: str, a: Appearance, expected: int) -> tuple[int, int] | None:
    """The stretch between where the stored prefix ends and the stored suffix begins, when
    it reads like the quote (a word changed inside the claim)."""
    quote_len = len(a.quote)
    prefix, suffix = a.prefix[-CONTEXT_PROBE:], a.suffix[:CONTEXT_PROBE]
    if prefix.strip():
        lefts = [end for _, end in _occurrences(text, prefix)]
    elif a.start == 0:
        lefts = [0]  # the quote opened the text
    else:
        lefts = []
    if suffix.strip():
        rights = [start for start, _ in _occurrences(text, suffix)]
    elif not a.suffix:
        rights = [len(text)]  # the quote closed the text
    else:
        rights = []
    candidates = []
    for left in lefts[:50]:
        for right in rights[:50]:
            if quote_len // 2 <= right - left <= quote_len * 2:
                span = _trim(text, left, right)
                if span and _ratio(a.quote, text[span[0] : span[1]]) >= CONTEXT_MIN_RATIO:
                    candidates.append(span)
    if not candidates:
        return None
    return max(
        candidates, key=lambda s: (_ratio(a.quote, text[s[0] : s[1]]), -abs(s[0] - expected))
    )


def _word_edges(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span to whole words, so an approximate match does not cut one in half."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return start, end


def _approximate(text: str, a: Appearance) -> tuple[int, int] | None:
    """The quote's longest exact stretch in the text, widened to the quote's length and
    accepted only when the whole window is close to the quote."""
    quote = a.quote
    matcher = SequenceMatcher(None, text, quote, autojunk=False)
    i, j, n = matcher.find_longest_match(0, len(text), 0, len(quote))
    if n < max(8, len(quote) // 4):
        return None
    best = None
    for slack in (0, -2, 2, -5, 5):
        start = max(0, i - j)
        end = min(len(text), start + len(quote) + slack)
        start, end = _word_edges(text, start, end)
        span = _trim(text, start, end)
        if span is None:
            continue
        ratio = _ratio(quote, text[span[0] : span[1]])
        if ratio >= APPROXIMATE_MIN_RATIO and (best is None or ratio > best[0]):
            best = (ratio, span)
    return best[1] if best else None


def locate(text: str, a: Appearance, *, old_length: int) -> _Found | None:
    """Where appearance `a` is in `text` now, or None."""
    if 0 <= a.start < a.end <= len(text) and text[a.start : a.end] == a.quote:
        return _Found(a.start, a.end, "kept")
    # Where the old position would be if the change were spread evenly over the text.
    expected = round(a.start * len(text) / old_length) if old_length else a.start
    exact = _best(_occurrences(text, a.quote), text, a, expected) if a.quote else None
    if exact:
        return _Found(*exact, "moved")
    for finder in (
        lambda: _reflowed(text, a, expected),
        lambda: _between_context(text, a, expected),
        lambda: _approximate(text, a),
    ):
        span = finder()
        if span:
            return _Found(*span, "fuzzy")
    return None


@transaction.atomic
def appearances_reanchor(*, article: Article, old_text: str) -> ReanchorReport:
    """Re-anchor every appearance of `article` in its current text (see the module doc).

    Orphaned appearances get another chance too. The database allows one appearance per
    claim and span: when two appearances of one claim would end on the same span, or one
    would land where an orphan of the same claim still sits, the later one is orphaned
    instead. Returns what happened to each appearance, by id."""
    text = article.text
    report = ReanchorReport(article_id=article.pk)
    appearances = list(
        Appearance.objects.select_for_update().filter(article=article).order_by("start", "id")
    )
    found = {a.pk: locate(text, a, old_length=len(old_text)) for a in appearances}
    rank = {"kept": 0, "moved": 1, "fuzzy": 2}
    # Settle collisions until none is left; orphans only grow, so this ends.
    while True:
        targets: dict[tuple[int, int, int], int] = {}
        lost: set[int] = set()
        for a in sorted(appearances, key=lambda a: (rank.get(_how(found[a.pk]), 3), a.start, a.pk)):
            f = found[a.pk]
            if f is None:
                continue
            key = (a.claim_id, f.start, f.end)
            if key in targets:
                lost.add(a.pk)
            else:
                targets[key] = a.pk
        for a in appearances:
            if found[a.pk] is None:
                holder = targets.get((a.claim_id, a.start, a.end))
                if holder is not None and holder != a.pk:
                    lost.add(holder)
        if not lost:
            break
        for pk in lost:
            found[pk] = None

    now = timezone.now()
    changed: list[Appearance] = []
    moving: list[int] = []
    for a in appearances:
        f = found[a.pk]
        if f is None:
            report.orphaned.append(a.pk)
            if not a.orphaned:
                a.orphaned, a.updated_at = True, now
                changed.append(a)
            continue
        getattr(report, f.how).append(a.pk)
        if f.how == "kept" and not a.orphaned:
            continue  # nothing to write: same span, same words
        if (f.start, f.end) != (a.start, a.end):
            moving.append(a.pk)
        a.start, a.end, a.quote = f.start, f.end, text[f.start : f.end]
        a.prefix = text[max(0, f.start - CONTEXT_CHARS) : f.start]
        a.suffix = text[f.end : f.end + CONTEXT_CHARS]
        a.orphaned, a.updated_at = False, now
        changed.append(a)
    with pghistory.context(action="reanchor"):
        if moving:
            # Park the moving rows out of the way first, so two of them can trade places
            # (the unique span constraint is checked row by row).
            Appearance.objects.filter(pk__in=moving).update(
                start=F("start") + PARKING_OFFSET, end=F("end") + PARKING_OFFSET
            )
        if changed:
            Appearance.objects.bulk_update(
                changed, ["start", "end", "quote", "prefix", "suffix", "orphaned", "updated_at"]
            )
    return report


def _how(found: _Found | None) -> str:
    return found.how if found else ""


# --- Putting back what cleaning removed -----------------------------------------------------


def removed_lines_restore(*, article: Article, by: AnyUser = None) -> ReanchorReport:
    """Put the lines cleaning removed as page furniture (Article.removed_lines) back into
    the article's text where they stood, and, in the same transaction, re-anchor every
    appearance (appearances_reanchor, as a re-extraction does) and move the open
    suggestions by what was inserted before them. The list is then empty. Editors and
    admins only, as for a re-extraction: it changes the article's text."""
    if by is not None and not is_editor(by):
        raise NotAllowed("Only editors and admins can restore the lines removed from a text.")
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        try:
            placed = [
                RemovedLine(str(p["line"]), int(p["after"]), bool(p.get("inline")))
                for p in locked.removed_lines
            ]
            text, insertions = restore_removed(locked.text, placed)
        except (StaleRemovedLines, KeyError, TypeError, ValueError) as exc:
            raise DomainError(
                "The removed lines no longer fit the article's text; it was not changed."
            ) from exc
        if not placed:
            raise DomainError("No lines were removed from this article's text; nothing to restore.")
        old_text = locked.text
        locked.text, locked.content_hash, locked.removed_lines = text, content_hash(text), []
        try:
            with transaction.atomic():
                locked.save(update_fields=["text", "content_hash", "removed_lines", "updated_at"])
        except IntegrityError as exc:
            raise DomainError(
                "Another stored article already has this text with the lines put back; "
                "the text was not changed."
            ) from exc
        _suggestions_shift(locked, insertions)
        report = appearances_reanchor(article=locked, old_text=old_text)
    article.refresh_from_db()
    return report


def _suggestions_shift(article: Article, insertions: list[tuple[int, int]]) -> None:
    """Move the article's suggestions by the text inserted before them (`insertions`:
    ascending (offset, length)); one inserted where a span ends leaves the span as it is."""

    def moved(position: int, *, start: bool) -> int:
        return position + sum(
            n for at, n in insertions if at < position or (start and at == position)
        )

    changed = []
    for sg in Suggestion.objects.select_for_update().filter(article=article).only("start", "end"):
        span = (moved(sg.start, start=True), moved(sg.end, start=False))
        if span != (sg.start, sg.end):
            sg.start, sg.end = span
            changed.append(sg)
    if changed:
        # Parked first, so that no row lands on a span another has not left yet.
        Suggestion.objects.filter(pk__in=[sg.pk for sg in changed]).update(
            start=F("start") + PARKING_OFFSET, end=F("end") + PARKING_OFFSET
        )
        Suggestion.objects.bulk_update(changed, ["start", "end"])
