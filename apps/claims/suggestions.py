"""Suggested claims: the check-worthy sentences of an article, attributed and matched.

`suggestions_generate(article=...)` runs after an article is stored (ingestion's
``article_suggest`` task calls it through ``apps.claims.services``). For each sentence
(`apps.claims.nlp.sentences.split_sentences`) it takes the check-worthiness model's
score (`apps.claims.nlp.checkworthy.load_model()`, the same model `score_sentences`
uses). Headings and standalone lines without a final full stop, questions and fragments
of under `MIN_WORDS` words are not suggested (a heading repeats the story's claims).

The score is the model's own, calibrated on its training data, and the default threshold
is the model's, chosen there on out-of-fold scores: nothing here is tuned on the sample
articles. (The news adjustments once tuned on them, a boost for sentences sharing the
article's common words and one for dates, were removed: they lifted schedule lines and
pushed key leads under the threshold on other news.) The score is stored as ``score`` and
``model_score``; sentences at or above the threshold (setting
``CLAIMS_SUGGESTION_THRESHOLD``, else the model's) become
suggestions, the most check-worthy first up to a fifth of the article's sentences
(``CLAIMS_SUGGESTION_MAX_SHARE``; the run's note says what the cut left out), each
with its guessed claimant (`nlp.attribution.guess_claimant`) and the
best tracked claim the matcher finds (`matching.match_claims`, with its tier).

Rules: a near-duplicate article (``duplicate_of`` set) gets none (its claims are the
original's; suggesting them again would count them twice); an article in a language the
model does not cover gets none, and the reason is recorded (`SuggestionRun`) and shown
on the article. Running it again leaves the same rows: open suggestions are updated in
place, accepted and dismissed ones are never touched, and open ones that no longer
qualify are removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from apps.accounts.roles import is_analyst
from apps.articles.models import Article
from apps.core.errors import DomainError, NotAllowed
from apps.core.language import detect_language, primary_language

from . import differences  # noqa: F401 - connects the signals that keep differences fresh
from .models import Appearance, Claim, Claimant, Suggestion, SuggestionRun

DEFAULT_LANGUAGES = ("en",)
MIN_WORDS = 4
# Suggestions are a reading aid: a margin that flags most sentences flags none. At most a
# fifth of an article's sentences is suggested, the highest-scoring first (issue 14 asks
# for fewer than a quarter; not fitted to any article); a short brief still gets up to
# three.
DEFAULT_MAX_SHARE = 0.2
MIN_BUDGET = 3
MAX_SENTENCE_CHARS = 1500  # a "sentence" longer than this is a paragraph without stops

LANGUAGE_NAMES = {
    "en": "English", "fi": "Finnish", "de": "German", "fr": "French", "es": "Spanish",
    "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "sv": "Swedish", "no": "Norwegian",
    "nb": "Norwegian", "da": "Danish", "ru": "Russian", "uk": "Ukrainian", "pl": "Polish",
    "cs": "Czech", "et": "Estonian", "ko": "Korean", "ja": "Japanese", "zh": "Chinese",
    "ar": "Arabic", "tr": "Turkish", "el": "Greek", "hu": "Hungarian", "ro": "Romanian",
}  # fmt: skip


def threshold() -> float:
    """The setting ``CLAIMS_SUGGESTION_THRESHOLD``, else the model's own threshold."""
    value = getattr(settings, "CLAIMS_SUGGESTION_THRESHOLD", None)
    return checkworthy_model().threshold if value is None else float(value)


def covered_languages() -> tuple[str, ...]:
    return tuple(getattr(settings, "CLAIMS_SUGGESTION_LANGUAGES", DEFAULT_LANGUAGES))


def checkworthy_model():
    """The check-worthiness model the workers use (setting ``CLAIMS_CHECKWORTHY_MODEL``:
    a bundled name such as "default" or "minilm", or a path; the default model if unset).
    `score_sentences` calls this too, so both always score with the same model."""
    from .nlp.checkworthy import load_model

    return load_model(getattr(settings, "CLAIMS_CHECKWORTHY_MODEL", None) or None)


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code or "an undetected language")


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class ScoredSentence:
    start: int
    end: int
    text: str
    model_score: float
    score: float  # adjusted for news text, 0..1
    eligible: bool  # False: a heading, a question or a fragment
    note: str = ""


_TERMINAL = re.compile(r"[.!…:;\"”’»)\]]\s*$")
_CONTENT_WORD = re.compile(r"[^\W\d_]{3,}")


def _is_heading(text: str, start: int, end: int, sentence: str) -> bool:
    """A whole line without final punctuation: a headline, a subhead, a caption."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : len(text) if line_end < 0 else line_end].strip()
    return line == sentence.strip() and not _TERMINAL.search(sentence)


def max_share() -> float:
    """The setting ``CLAIMS_SUGGESTION_MAX_SHARE``: at most this share of an article's
    sentences is suggested (the most check-worthy first)."""
    value = getattr(settings, "CLAIMS_SUGGESTION_MAX_SHARE", None)
    return DEFAULT_MAX_SHARE if value is None else float(value)


def _within_budget(
    passed: list[ScoredSentence], sentences: int
) -> tuple[list[ScoredSentence], str]:
    """The sentences over the threshold, cut to the article's budget (a share of its
    sentences, at least `MIN_BUDGET`) by score (ties by position), back in text
    order; and a note saying what the cut left out."""
    budget = max(MIN_BUDGET, int(max_share() * sentences))
    if len(passed) <= budget:
        return passed, ""
    best = sorted(passed, key=lambda s: (-s.score, s.start))[:budget]
    note = (
        f"{len(passed)} sentences scored over the threshold; the {budget} most check-worthy "
        f"are suggested (at most {max_share():.0%} of the article's {sentences} sentences). "
        "Select any other sentence to tag it."
    )
    return sorted(best, key=lambda s: s.start), note


def score_sentences_in(text: str, *, model=None) -> list[ScoredSentence]:
    """Every sentence of `text` with the model's score and whether it may be suggested."""
    from .nlp.sentences import split_sentences

    spans = [s for s in split_sentences(text or "") if s.text.strip()]
    if not spans:
        return []
    model = model or checkworthy_model()
    model_scores = model.score([s.text[:MAX_SENTENCE_CHARS] for s in spans])
    scored = []
    for span, model_score in zip(spans, model_scores, strict=True):
        note = ""
        if span.text.rstrip().rstrip('"”’»)').endswith("?"):
            note = "question"
        elif _is_heading(text, span.start, span.end, span.text):
            note = "heading"
        elif len(span.text.split()) < MIN_WORDS:
            note = "fragment"
        scored.append(
            ScoredSentence(
                start=span.start,
                end=span.end,
                text=span.text,
                model_score=round(float(model_score), 4),
                score=round(float(model_score), 4),
                eligible=not note,
                note=note,
            )
        )
    return scored


# --------------------------------------------------------------------------- generating


def _article_language(article: Article) -> tuple[str, bool]:
    """(primary language code, detected now) — detected from the text when unset."""
    declared = primary_language(article.language)
    if declared:
        return declared, False
    return detect_language(article.text), True


def _record_run(article: Article, outcome: str, **fields) -> SuggestionRun:
    run, _ = SuggestionRun.objects.update_or_create(
        article=article, defaults={"outcome": outcome, **fields}
    )
    return run


def _drop_open(article: Article, keep_ids: set[int] | None = None) -> None:
    stale = Suggestion.objects.filter(article=article, state=Suggestion.State.OPEN)
    if keep_ids:
        stale = stale.exclude(pk__in=keep_ids)
    stale.delete()


def _existing_claimant(name: str, article: Article) -> Claimant | None:
    """The claimant a guessed name refers to (by name and alias), without creating one:
    a suggestion that nobody accepts must not add people to the claimant list."""
    from .services import claimant_match

    return claimant_match(name=name, article=article) if name else None


@transaction.atomic
def suggestions_generate(*, article: Article) -> list[Suggestion]:
    """Suggest the check-worthy sentences of `article` (see the module's docstring).
    Returns the open suggestions now stored for it, in text order."""
    from . import matching
    from .factcheck_matching import match_factchecks
    from .nlp.attribution import guess_claimant
    from .nlp.statement import statement_from_quote

    # One run per article at a time: a second worker waits, then sees the first's rows.
    article = Article.objects.select_for_update().get(pk=article.pk)
    model = checkworthy_model()
    common = {
        "model_name": model.name[:100],
        "model_version": str(model.version)[:40],
        "threshold": threshold(),
    }
    if article.duplicate_of_id:
        _drop_open(article)
        _record_run(
            article,
            SuggestionRun.Outcome.SKIPPED_DUPLICATE,
            reason=(
                f"A near-duplicate of article #{article.duplicate_of_id}: its claims are "
                "suggested on the original, so they are not counted twice."
            ),
            sentences=0,
            suggested=0,
            **common,
        )
        return []
    language, detected = _article_language(article)
    if detected and language:
        Article.objects.filter(pk=article.pk, language="").update(language=language)
    common["language"] = language
    if not article.text.strip():
        _drop_open(article)
        _record_run(
            article,
            SuggestionRun.Outcome.SKIPPED_EMPTY,
            reason="The article has no text.",
            sentences=0,
            suggested=0,
            **common,
        )
        return []
    if language and language not in covered_languages():
        _drop_open(article)
        covered = ", ".join(language_name(code) for code in covered_languages())
        _record_run(
            article,
            SuggestionRun.Outcome.SKIPPED_LANGUAGE,
            reason=(
                f"No claims suggested: the article is in {language_name(language)} "
                f"({language}) and the check-worthiness model covers {covered} only. "
                "Tag its claims by hand."
            ),
            sentences=0,
            suggested=0,
            **common,
        )
        return []

    scored = score_sentences_in(article.text, model=model)
    cutoff = threshold()
    # A sentence an analyst has tagged already needs no suggestion.
    tagged = list(Appearance.objects.filter(article=article).values_list("start", "end"))
    passed = [s for s in scored if s.eligible and s.score >= cutoff]
    chosen, budget_note = _within_budget(passed, len(scored))
    chosen = [
        s for s in chosen if not any(start < s.end and s.start < end for start, end in tagged)
    ]
    existing = {(s.start, s.end): s for s in Suggestion.objects.filter(article=article)}
    keep: set[int] = set()
    for sentence in chosen:
        guess = guess_claimant(article.text, sentence.start, sentence.end)
        claimant_name = " ".join(guess.name.split())[:200] if guess else ""
        # Matched as the claim it would make: tracked statements leave out who says them.
        query = statement_from_quote(article.text, sentence.start, sentence.end)
        best = matching.match_claims(query, limit=1, min_score=matching.related_threshold())
        match = best[0] if best else None
        checks = match_factchecks(query, limit=1, min_score=matching.related_threshold())
        check = checks[0] if checks else None
        values = {
            "sentence": sentence.text,
            "score": min(1.0, max(0.0, sentence.score)),
            "model_score": sentence.model_score,
            "claimant_name": claimant_name,
            "claimant_kind": guess.kind if claimant_name else "",
            "claimant_role": " ".join(guess.role.split())[:300] if claimant_name else "",
            "claimant": _existing_claimant(claimant_name, article),
            "matched_claim": match.claim if match else None,
            "match_score": match.score if match else None,
            "match_tier": match.tier if match else "",
            "matched_factcheck": check.factcheck if check else None,
            "factcheck_tier": check.tier if check else "",
        }
        current = existing.get((sentence.start, sentence.end))
        if current is None:
            current = Suggestion.objects.create(
                article=article, start=sentence.start, end=sentence.end, **values
            )
        elif current.state == Suggestion.State.OPEN:
            changed = [name for name, value in values.items() if getattr(current, name) != value]
            if changed:
                for name in changed:
                    setattr(current, name, values[name])
                current.save(update_fields=[*changed, "updated_at"])
        keep.add(current.pk)
    _drop_open(article, keep_ids=keep)
    note = " ".join(
        part
        for part in (
            budget_note,
            "" if language else "The language could not be detected; scored as English.",
        )
        if part
    )
    _record_run(
        article,
        SuggestionRun.Outcome.SUGGESTED,
        reason=note,
        sentences=len(scored),
        suggested=len(chosen),
        **common,
    )
    return list(
        Suggestion.objects.filter(article=article, state=Suggestion.State.OPEN)
        .select_related("matched_claim", "claimant", "matched_factcheck")
        .order_by("start")
    )


# --------------------------------------------------------------------------- deciding


def _require_analyst(user: User | None, action: str) -> None:
    if not is_analyst(user):
        raise NotAllowed(f"Only analysts, editors and admins can {action}.")


def _lock_open(suggestion: Suggestion) -> Suggestion:
    current = (
        Suggestion.objects.select_for_update()
        .select_related("article")
        .filter(pk=suggestion.pk)
        .first()
    )
    if current is None:
        raise DomainError(
            "This suggestion no longer exists (the article was re-analysed).", code="not_found"
        )
    if current.state == Suggestion.State.ACCEPTED and current.matched_claim_id:
        raise DomainError(
            "This suggestion was already accepted: the sentence is tagged as claim "
            f"#{current.matched_claim_id}; nothing was added.",
            code="already_decided",
        )
    if current.state != Suggestion.State.OPEN:
        raise DomainError(
            f"This suggestion was already {current.get_state_display().lower()}.",
            code="already_decided",
        )
    return current


def _tagged_at(article_id: int, start: int, end: int) -> Appearance | None:
    """The first appearance (of any claim) overlapping the span, if the span is tagged."""
    return (
        Appearance.objects.filter(
            article_id=article_id, orphaned=False, start__lt=end, end__gt=start
        )
        .order_by("start", "id")
        .first()
    )


def suggestions_close_tagged(*, appearance: Appearance, by: User | None) -> int:
    """Close the open suggestions whose sentence overlaps `appearance`: the sentence is
    tagged, so accepting it again would double the claim. They count as accepted, with
    the appearance that tagged them (as `suggestions_generate` never suggests a tagged
    sentence). Returns how many were closed."""
    now = timezone.now()
    return Suggestion.objects.filter(
        article_id=appearance.article_id,
        state=Suggestion.State.OPEN,
        start__lt=appearance.end,
        end__gt=appearance.start,
    ).update(
        state=Suggestion.State.ACCEPTED,
        decided_by=by,
        decided_at=now,
        matched_claim_id=appearance.claim_id,
        appearance=appearance,
        updated_at=now,
    )


class AlreadyTagged(DomainError):
    def __init__(self, appearance: Appearance):
        super().__init__(
            f"Already tagged as claim #{appearance.claim_id}; nothing was added.",
            code="already_tagged",
        )
        self.appearance = appearance


def suggestion_accept(
    *,
    suggestion: Suggestion,
    by: User | None,
    claim: Claim | None = None,
    statement: str = "",
    claimant_name: str | None = None,
) -> Appearance:
    """See `_accept`. A suggestion whose sentence is tagged already is closed (with the
    appearance that tags it) and AlreadyTagged raised: no second claim, no second
    appearance."""
    try:
        return _accept(
            suggestion=suggestion,
            by=by,
            claim=claim,
            statement=statement,
            claimant_name=claimant_name,
        )
    except AlreadyTagged as exc:
        # After _accept's rollback, in its own transaction (or the caller's savepoint).
        suggestions_close_tagged(appearance=exc.appearance, by=exc.appearance.tagged_by)
        suggestion.refresh_from_db()
        raise


@transaction.atomic
def _accept(
    *,
    suggestion: Suggestion,
    by: User | None,
    claim: Claim | None = None,
    statement: str = "",
    claimant_name: str | None = None,
) -> Appearance:
    """Accept a suggestion: a new claim from its sentence (`statement` overrides the
    wording), or, with `claim`, a new appearance of that tracked claim. Goes through
    `claim_create` / `appearance_create`, so every rule of tagging by hand applies; the
    appearance is marked as coming from a suggestion. Returns the appearance.

    Accepting accepts the guessed claimant with its kind and role: the claimant it names
    (by name or alias) or a new one. `claimant_name` replaces the guess ("" for nobody);
    a suggestion without a guess gets no claimant, it is not guessed again."""
    from . import services

    _require_analyst(by, "accept suggestions")
    current = _lock_open(suggestion)
    article = current.article
    tagged = _tagged_at(article.pk, current.start, current.end)
    if tagged is not None:
        raise AlreadyTagged(tagged)
    claimant = {
        "claimant_name": current.claimant_name,
        "claimant_kind": current.claimant_kind,
        "claimant_role": current.claimant_role,
    }
    if claimant_name is not None and claimant_name.strip() != current.claimant_name:
        claimant = {"claimant_name": claimant_name}
    if claim is None:
        created = services.claim_create(
            article=article,
            start=current.start,
            end=current.end,
            quote=current.sentence,
            by=by,
            statement=statement,
            origin=Appearance.Origin.SUGGESTION,
            **claimant,
        )
        appearance = created.appearances.get()
        claim = created
    else:
        appearance = services.appearance_create(
            claim=claim,
            article=article,
            start=current.start,
            end=current.end,
            quote=current.sentence,
            by=by,
            origin=Appearance.Origin.SUGGESTION,
            **claimant,
        )
    Suggestion.objects.filter(pk=current.pk).update(
        state=Suggestion.State.ACCEPTED,
        decided_by=by,
        decided_at=timezone.now(),
        matched_claim=claim,
        appearance=appearance,
        updated_at=timezone.now(),
    )
    suggestion.refresh_from_db()
    return appearance


@transaction.atomic
def suggestion_dismiss(*, suggestion: Suggestion, by: User | None) -> Suggestion:
    _require_analyst(by, "dismiss suggestions")
    current = _lock_open(suggestion)
    now = timezone.now()
    Suggestion.objects.filter(pk=current.pk).update(
        state=Suggestion.State.DISMISSED, decided_by=by, decided_at=now, updated_at=now
    )
    suggestion.refresh_from_db()
    return suggestion


@dataclass(frozen=True)
class AcceptResult:
    suggestion_id: int
    ok: bool
    message: str
    claim_id: int | None = None
    appearance_id: int | None = None
    skipped: bool = False  # already tagged: closed, nothing added


def suggestions_accept_above(
    *, article: Article, score: float, by: User | None
) -> list[AcceptResult]:
    """Accept every open suggestion of `article` scoring at least `score`. A "likely the
    same" match attaches to that claim; anything else becomes a new claim. Each one
    succeeds or fails on its own (its own transaction), with a result line."""
    _require_analyst(by, "accept suggestions")
    try:
        score = float(score)
    except (TypeError, ValueError):
        raise DomainError("The score must be a number between 0 and 1.") from None
    if not 0.0 <= score <= 1.0:
        raise DomainError("The score must be between 0 and 1.")
    from .matching import LIKELY_SAME

    results = []
    pending = Suggestion.objects.filter(
        article=article, state=Suggestion.State.OPEN, score__gte=score
    ).select_related("matched_claim")
    for suggestion in pending.order_by("start"):
        target = suggestion.matched_claim if suggestion.match_tier == LIKELY_SAME else None
        try:
            with transaction.atomic():
                appearance = suggestion_accept(suggestion=suggestion, by=by, claim=target)
        except AlreadyTagged as exc:
            tagged = exc.appearance
            # The savepoint rolled the closing back with the error: close it here.
            suggestions_close_tagged(appearance=tagged, by=tagged.tagged_by)
            message = f"Skipped: already tagged as claim #{tagged.claim_id}."
            results.append(
                AcceptResult(suggestion.pk, False, message, tagged.claim_id, tagged.pk, True)
            )
            continue
        except DomainError as exc:
            results.append(AcceptResult(suggestion.pk, False, exc.message))
            continue
        message = (
            f"Attached to claim #{appearance.claim_id}."
            if target
            else f"New claim #{appearance.claim_id}."
        )
        results.append(
            AcceptResult(suggestion.pk, True, message, appearance.claim_id, appearance.pk)
        )
    return results
