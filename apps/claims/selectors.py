"""Reads of claims that are more than one line: lists, the attach search, the side panel,
claimant names, orphaned appearances, the history.

Evidence sits after claims in the app order: what these reads need of it comes from
apps/claims/evidence.py, which the evidence app provides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import (
    CharField,
    Count,
    Expression,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from pghistory.models import Events

from apps.articles.models import Article

from .evidence import evidence
from .models import Appearance, Claim, Claimant, ExternalFactCheck, Review, Status, Verdict

MAX_QUERY_WORDS = 8
HISTORY_LIMIT = 200
# Fields every workflow update touches; showing them in the history adds noise, not news.
HISTORY_HIDDEN_FIELDS = {"updated_at", "version", "created_at", "id", "pgh_obj"}


def _words(q: str) -> list[str]:
    return [w for w in (q or "").split() if w][:MAX_QUERY_WORDS]


def claim_text_filter(q: str) -> Q:
    """Every word of `q` appears in the statement (case-insensitive).

    A stand-in until the claim matcher exists; no user input reaches `.filter(**...)`.
    """
    condition = Q()
    for word in _words(q):
        condition &= Q(statement__icontains=word)
    return condition


def _count_per_claim(model) -> Coalesce:
    """A correlated COUNT per claim: evaluated for the rows shown, no join fan-out."""
    counts = (
        model.objects.filter(claim=OuterRef("pk"))
        .order_by()
        .values("claim")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def appearance_count_subquery() -> Coalesce:
    return _count_per_claim(Appearance)


def evidence_count_subquery() -> Expression:
    return evidence().count()


def claim_list(*, status: str = "", verdict: str = "", q: str = "") -> QuerySet[Claim]:
    """Claims for the list page, newest updated first, with their number of appearances."""
    claims = Claim.objects.all()
    if status in Status.values:
        claims = claims.filter(status=status)
    if verdict in Verdict.values:
        claims = claims.filter(verdict=verdict)
    if q.strip():
        claims = claims.filter(claim_text_filter(q))
    return claims.annotate(appearance_count=appearance_count_subquery()).order_by(
        "-updated_at", "-id"
    )


def similar_claims(text: str, *, limit: int = 10) -> list[tuple[Claim, float]]:
    """Tracked claims most like `text`, best first, with a 0..1 score, from the same matcher
    the API's claims search uses (apps/claims/matching.py); each claim carries
    ``match_tier`` and ``match_difference``."""
    from .matching import find_similar_claims

    text = (text or "").strip()
    if not text:
        return []
    return list(find_similar_claims(text, limit=limit))


@dataclass
class AttachChoice:
    claim: Claim
    score: float | None  # similarity to the selection (or the typed words); None: word match
    here: bool = False  # already tagged in this article

    @property
    def tier(self) -> str:
        """ "likely_same", "related" or "" (matching.py's tiers)."""
        return getattr(self.claim, "match_tier", "") if self.score is not None else ""

    @property
    def tier_label(self) -> str:
        from .matching import TIER_LABELS

        return TIER_LABELS.get(self.tier, "")

    @property
    def difference(self):
        """Why a close claim is only "possibly related" (a Difference), or None."""
        return getattr(self.claim, "match_difference", None) if self.score is not None else None


def span_statement(text: str, start: int | None, end: int | None, quote: str | None = None) -> str:
    """The claim the span ``text[start:end]`` states, without who says it
    (`nlp.statement.statement_from_quote`); "" when the span is not in the text, or when
    `quote` is given and is not the span's text (whitespace aside)."""
    from .nlp.statement import statement_from_quote

    if start is None or end is None or not 0 <= start < end <= len(text):
        return ""
    if quote is not None and text[start:end].split() != quote.split():
        return ""
    return statement_from_quote(text, start, end)


def attach_query(
    *, q: str = "", quote: str = "", article_id: int | None = None, start=None, end=None
) -> str:
    """What the attach list matches: the words typed, else the claim the selected span
    states (without who says it), else the quote itself."""
    q, quote = q.strip(), quote.strip()
    if not q and article_id and start is not None:
        text = Article.objects.filter(pk=article_id).values_list("text", flat=True).first()
        quote = (span_statement(text, start, end, quote) if text else "") or quote
    return q or quote[:2000]


@dataclass(frozen=True)
class CheckedElsewhereChoice:
    """An imported fact-check in the attach list: shown, never attachable (it is another
    organisation's review, not one of our claims); the card links to the review."""

    factcheck: ExternalFactCheck
    score: float
    tier: str
    difference: object = None

    @property
    def tier_label(self) -> str:
        from .matching import TIER_LABELS

        return TIER_LABELS.get(self.tier, "")


ATTACH_FACTCHECKS = 5


def attach_list(
    *,
    q: str = "",
    quote: str = "",
    article_id: int | None = None,
    start: int | None = None,
    end: int | None = None,
    limit: int = 20,
) -> list[AttachChoice | CheckedElsewhereChoice]:
    """The "Attach to claim…" list with imported fact-checks ranked among our claims by
    the same scores and tiers ("likely the same" first, then by score); claims found by
    their words alone (no score) come last, as in `claims_for_attach`."""
    from .factcheck_matching import match_factchecks

    claims = claims_for_attach(
        q=q, quote=quote, article_id=article_id, start=start, end=end, limit=limit
    )
    text = attach_query(q=q, quote=quote, article_id=article_id, start=start, end=end)
    checked = [
        CheckedElsewhereChoice(m.factcheck, m.score, m.tier, m.difference)
        for m in match_factchecks(text, limit=ATTACH_FACTCHECKS)
    ]
    if not checked:
        return [*claims]
    scored: list[AttachChoice | CheckedElsewhereChoice] = [c for c in claims if c.score is not None]
    ranked = sorted([*scored, *checked], key=lambda c: (c.tier != "likely_same", -(c.score or 0.0)))
    return [*ranked, *(c for c in claims if c.score is None)]


def claims_for_attach(
    *,
    q: str = "",
    quote: str = "",
    article_id: int | None = None,
    start: int | None = None,
    end: int | None = None,
    limit: int = 20,
) -> list[AttachChoice]:
    """The "Attach to claim…" list. With nothing typed: the claims most similar to the
    selected quote (as the claim it states, when its span in the article is given). With
    words typed: claims similar to them first, then every claim whose statement has all
    the words. With neither, or no match: recently updated claims."""
    q = q.strip()
    scored = similar_claims(
        attach_query(q=q, quote=quote, article_id=article_id, start=start, end=end),
        limit=limit,
    )
    chosen: dict[int, AttachChoice] = {c.pk: AttachChoice(c, s) for c, s in scored}
    if q or not chosen:
        rest = Claim.objects.exclude(pk__in=list(chosen))
        if q:
            rest = rest.filter(claim_text_filter(q))
        for claim in rest.order_by("-updated_at", "-id")[: max(0, limit - len(chosen))]:
            chosen[claim.pk] = AttachChoice(claim, None)
    if not chosen:
        return []
    ids = list(chosen)
    counts = dict(
        Claim.objects.filter(pk__in=ids)
        .annotate(n=appearance_count_subquery())
        .values_list("pk", "n")
    )
    here = (
        set(
            Appearance.objects.filter(claim_id__in=ids, article_id=article_id).values_list(
                "claim_id", flat=True
            )
        )
        if article_id
        else set()
    )
    choices = list(chosen.values())[:limit]
    for choice in choices:
        choice.claim.appearance_count = counts.get(choice.claim.pk, 0)  # type: ignore[attr-defined]
        choice.here = choice.claim.pk in here
    return choices


def claim_for_page(*, pk: int) -> QuerySet[Claim]:
    """The claim with what its page shows, fetched in a constant number of queries."""
    return (
        Claim.objects.filter(pk=pk)
        .select_related("created_by", "proposed_by", "assignee")
        .annotate(evidence_total=evidence_count_subquery())
    )


@dataclass(frozen=True)
class CheckedElsewhere:
    factcheck: ExternalFactCheck
    score: float
    cited: bool  # its review's URL is already a source of this claim's evidence


def claim_checked_elsewhere(*, claim: Claim) -> CheckedElsewhere | None:
    """The imported fact-check that is likely the same claim, for the claim page's
    "Checked by …" line. Computed on display: one encoding and one small query."""
    from .factcheck_matching import checked_elsewhere

    match = checked_elsewhere(claim.statement)
    if match is None:
        return None
    cited = evidence().cites_url(claim.pk, match.factcheck.url)
    return CheckedElsewhere(match.factcheck, match.score, cited)


def claim_appearances(*, claim: Claim) -> list[Appearance]:
    return list(
        claim.appearances.select_related("article", "article__outlet", "claimant").order_by(
            "-created_at", "-id"
        )
    )


def claim_panel(*, pk: int, article_id: int | None = None) -> dict | None:
    """What the reading page's side panel shows for a claim: the claim and its appearances,
    this article's first. (Its evidence comes from the evidence app's template tag.)"""
    claim = Claim.objects.filter(pk=pk).select_related("assignee").first()
    if claim is None:
        return None
    appearances = claim_appearances(claim=claim)
    appearances.sort(key=lambda a: (a.article_id != article_id, a.article_id, a.start))
    return {"claim": claim, "appearances": appearances, "article_id": article_id}


def claimant_names(*, q: str, limit: int = 12) -> list[tuple[str, str]]:
    """Claimants whose name or an alias contains `q`: (name, the alias that matched or "")."""
    q = " ".join((q or "").split())[:100]
    if len(q) < 2:
        return []
    aliases = Func(F("aliases"), Value(" | "), function="array_to_string", output_field=CharField())
    rows = (
        Claimant.objects.filter(merged_into__isnull=True)
        .annotate(alias_text=aliases)
        .filter(Q(name__icontains=q) | Q(alias_text__icontains=q))
        .order_by("name")
        .values_list("name", "aliases")[:limit]
    )
    folded = q.casefold()
    names = []
    for name, alias_list in rows:
        alias = (
            ""
            if folded in name.casefold()
            else next((a for a in alias_list if folded in a.casefold()), "")
        )
        names.append((name, alias))
    return names


@dataclass
class ClaimantCandidate:
    name: str
    likely: bool = False  # the attribution guess for the selected span
    role: str = ""


MAX_CANDIDATES = 12


def claimant_candidates(*, article: Article, start: int | None, end: int | None) -> list:
    """Who the selected span may be attributed to, for one-click picking: the attribution
    guess for the span first, then the names the article attributes statements to (by
    sentence), the claimants already tagged in it and its suggestions' guesses."""
    from .nlp.attribution import claimant_key, guess_claimant

    text = article.text
    found: dict[str, ClaimantCandidate] = {}

    def add(name: str, *, likely: bool = False, role: str = "") -> None:
        name = " ".join((name or "").split())
        key = claimant_key(name) if name else ""
        if key and key not in found and len(found) < MAX_CANDIDATES:
            found[key] = ClaimantCandidate(name=name, likely=likely, role=role)

    if start is not None and end is not None and 0 <= start < end <= len(text):
        guess = guess_claimant(text, start, end)
        if guess is not None:
            add(guess.name, likely=True, role=guess.role)
    tagged = (
        Appearance.objects.filter(article=article, claimant__isnull=False)
        .order_by("start")
        .values_list("claimant__name", flat=True)
    )
    for name in tagged:
        add(name)
    # One attribution analysis per text (cached by attribution) serves every sentence.
    from .nlp.sentences import split_sentences

    for sentence in split_sentences(text):
        if len(found) >= MAX_CANDIDATES:
            break
        guess = guess_claimant(text, sentence.start, sentence.end)
        if guess is not None:
            add(guess.name, role=guess.role)
    suggested = (
        article.suggestions.exclude(claimant_name="")
        .order_by("start")
        .values_list("claimant_name", flat=True)
    )
    for name in suggested[:MAX_CANDIDATES]:
        add(name)
    return list(found.values())


def orphaned_appearances() -> QuerySet[Appearance]:
    """Appearances that could not be re-anchored after their article's text changed."""
    return (
        Appearance.objects.filter(orphaned=True)
        .select_related("claim", "article", "article__outlet", "claimant", "tagged_by")
        .order_by("-updated_at", "-id")
    )


@dataclass
class HistoryEntry:
    at: datetime
    what: str
    action: str
    user: AbstractBaseUser | None
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    summary: str = ""
    note: str = ""  # the editor's note, for a review decision
    context_id: object = None

    @property
    def who(self) -> str:
        return self.user.get_username() if self.user else "system"


_EVENT_NAMES = {
    "ClaimEvent": "Claim",
    "AppearanceEvent": "Appearance",
    "EvidenceLinkEvent": "Evidence",
    "ReviewEvent": "Review",
}
_LABEL_VERBS = {"insert": "added", "update": "changed", "delete": "removed"}
# What a person did, by the action the service recorded in the history context.
ACTION_TITLES = {
    "edit": "Edited the claim",
    "start_research": "Started research",
    "propose": "Proposed a verdict",
    "submit": "Submitted for review",
    "approve": "Approved and published",
    "send_back": "Sent back for more work",
    "reopen": "Reopened",
    "reanchor": "Re-anchored after the article changed",
    "delete": "Deleted the claim",
}
# What happened to a row, when no action names it.
EVENT_TITLES = {
    ("Claim", "insert"): "Created the claim",
    ("Claim", "update"): "Changed the claim",
    ("Claim", "delete"): "Deleted the claim",
    ("Appearance", "insert"): "Tagged it in an article",
    ("Appearance", "update"): "Changed where it appears",
    ("Appearance", "delete"): "Removed an appearance",
    ("Evidence", "insert"): "Linked evidence",
    ("Evidence", "update"): "Changed evidence",
    ("Evidence", "delete"): "Removed evidence",
}
FIELD_LABELS = {
    "statement": "Statement",
    "status": "Status",
    "verdict": "Verdict",
    "rationale": "Rationale",
    "tags": "Tags",
    "assignee": "Assigned to",
    "proposed_by": "Verdict proposed by",
    "created_by": "Created by",
    "submitted_at": "Submitted for review",
    "published_at": "Published",
    "orphaned": "Not found in the text",
    "claimant": "Claimant",
    "stance": "Stance",
    "note": "Note",
}


def history_title(model_name: str, label: str, action: str) -> str:
    """One line a person reads: "Sent back for more work", "Linked evidence"."""
    if model_name == "Claim" and action in ACTION_TITLES:
        return ACTION_TITLES[action]
    return EVENT_TITLES.get((model_name, label), f"{model_name} {_LABEL_VERBS.get(label, label)}")


def history_change(name: str, before, after, users: dict) -> tuple[str, str, str]:
    """(field label, old, new) as a person reads them."""
    name = _field_name(name)
    label = FIELD_LABELS.get(name, name.replace("_", " ").capitalize())
    return label, _shown(name, before, users), _shown(name, after, users)


def _event_summary(model_name: str, data: dict) -> str:
    if model_name == "Appearance":
        return data.get("quote", "")
    if model_name == "Evidence":
        stance = str(data.get("stance", "")).capitalize()
        return f"{stance}: {data.get('note') or data.get('quote') or data.get('url') or ''}".strip(
            ": "
        )
    if model_name == "Claim":
        return data.get("statement", "")
    return ""


USER_FIELDS = {"proposed_by", "created_by", "assignee", "tagged_by", "linked_by", "editor"}
CHOICE_LABELS = {
    "status": dict(Status.choices),
    "verdict": dict(Verdict.choices),
    "decision": dict(Review.Decision.choices),
}


def _shown(name: str, value, users: dict) -> str:
    """A history value as a person reads it: labels, user names, dates."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, datetime):
        return value.strftime("%-d %b %Y, %H:%M")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name in USER_FIELDS:
        user = users.get(value)
        return user.get_username() if user else f"user {value}"
    if name in CHOICE_LABELS:
        return str(CHOICE_LABELS[name].get(value, value))
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return datetime.fromisoformat(value).strftime("%-d %b %Y, %H:%M")
        except ValueError:
            pass
    return str(value)


def _field_name(name: str) -> str:
    return name[:-3] if name.endswith("_id") else name


def claim_history(*, claim: Claim, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """Who changed what and when: the claim's own events and those of the rows that point at
    it (appearances, evidence, reviews), newest first, from the database-level history."""
    events = list(Events.objects.references(claim).order_by("-pgh_created_at", "-pgh_id")[:limit])
    user_ids = set()
    for event in events:
        context = event.pgh_context or {}
        if isinstance(context.get("user"), int):
            user_ids.add(context["user"])
        for name, pair in (event.pgh_diff or {}).items():
            if _field_name(name) in USER_FIELDS and isinstance(pair, list | tuple):
                user_ids.update(v for v in pair if isinstance(v, int))
    users = get_user_model().objects.in_bulk(user_ids) if user_ids else {}
    entries = []
    notes = {}  # a review's note, by the history context it shares with its status change
    for event in events:
        context = event.pgh_context or {}
        model_name = _EVENT_NAMES.get(event.pgh_model.rsplit(".", 1)[-1], event.pgh_model)
        action = str(context.get("action", ""))
        data = event.pgh_data or {}
        if model_name == "Review" and event.pgh_context_id:
            notes[event.pgh_context_id] = (event, data)
            continue
        changes = []
        if event.pgh_label == "update" and event.pgh_diff:
            for raw_name, pair in sorted(
                event.pgh_diff.items(), key=lambda item: _field_order(item[0])
            ):
                if _field_name(raw_name) in HISTORY_HIDDEN_FIELDS or not isinstance(
                    pair, list | tuple
                ):
                    continue
                before, after = (list(pair) + [None, None])[:2]
                changes.append(history_change(raw_name, before, after, users))
            if not changes:
                continue
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                what=history_title(model_name, event.pgh_label, action),
                action=action.replace("_", " "),
                user=users.get(context.get("user")),
                changes=changes,
                summary=_event_summary(model_name, data) if not changes else "",
                context_id=event.pgh_context_id,
            )
        )
    for entry in entries:
        if entry.context_id in notes:
            entry.note = notes.pop(entry.context_id)[1].get("note", "")
    for event, data in notes.values():  # a review without its status change: shown alone
        context = event.pgh_context or {}
        decision = CHOICE_LABELS["decision"].get(data.get("decision") or "", "Reviewed")
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                what=str(decision),
                action="",
                user=users.get(context.get("user")),
                note=data.get("note", ""),
            )
        )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def _field_order(name: str) -> tuple[int, str]:
    order = list(FIELD_LABELS)
    name = _field_name(name)
    return (order.index(name) if name in order else len(order), name)
