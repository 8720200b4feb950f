"""Reads of claims that are more than one line: lists, the attach search, the history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from pghistory.models import Events

from .models import Appearance, Claim, Review, Status, Verdict

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


def appearance_count_subquery() -> Coalesce:
    counts = (
        Appearance.objects.filter(claim=OuterRef("pk"))
        .order_by()
        .values("claim")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


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


def claims_for_attach(*, q: str = "", limit: int = 20) -> list[Claim]:
    """Claims an analyst may attach a span to: text search over statements."""
    claims = Claim.objects.all()
    if q.strip():
        claims = claims.filter(claim_text_filter(q))
    return list(
        claims.annotate(appearance_count=appearance_count_subquery()).order_by(
            "-updated_at", "-id"
        )[:limit]
    )


def claim_for_page(*, pk: int) -> QuerySet[Claim]:
    """The claim with what its page shows, fetched in a constant number of queries."""
    return Claim.objects.filter(pk=pk).select_related("created_by", "proposed_by", "assignee")


def claim_appearances(*, claim: Claim) -> list[Appearance]:
    return list(
        claim.appearances.select_related("article", "article__outlet", "claimant").order_by(
            "-created_at", "-id"
        )
    )


@dataclass
class HistoryEntry:
    at: datetime
    what: str
    action: str
    user: object | None
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    summary: str = ""


_EVENT_NAMES = {
    "ClaimEvent": "Claim",
    "AppearanceEvent": "Appearance",
    "EvidenceLinkEvent": "Evidence",
    "ReviewEvent": "Review",
}
_LABEL_VERBS = {"insert": "added", "update": "changed", "delete": "removed"}


def _event_summary(model_name: str, data: dict) -> str:
    if model_name == "Appearance":
        return data.get("quote", "")
    if model_name == "Evidence":
        return f"{data.get('stance', '')}: {data.get('note') or data.get('quote') or ''}".strip(
            ": "
        )
    if model_name == "Review":
        return f"{data.get('decision', '')}: {data.get('note', '')}".strip(": ")
    return ""


USER_FIELDS = {"proposed_by", "created_by", "assignee", "tagged_by", "linked_by", "editor"}
CHOICE_LABELS = {
    "status": dict(Status.choices),
    "verdict": dict(Verdict.choices),
    "decision": dict(Review.Decision.choices),
}


def _shown(name: str, value, users: dict) -> str:
    """A history value as a person reads it: labels, user names, dates."""
    if value is None or value == "":
        return "—"
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
    for event in events:
        context = event.pgh_context or {}
        model_name = _EVENT_NAMES.get(event.pgh_model.rsplit(".", 1)[-1], event.pgh_model)
        verb = _LABEL_VERBS.get(event.pgh_label, event.pgh_label)
        changes = []
        if event.pgh_label == "update" and event.pgh_diff:
            for raw_name, pair in sorted(event.pgh_diff.items()):
                name = _field_name(raw_name)
                if name in HISTORY_HIDDEN_FIELDS or not isinstance(pair, list | tuple):
                    continue
                before, after = (list(pair) + [None, None])[:2]
                changes.append(
                    (
                        name.replace("_", " "),
                        _shown(name, before, users),
                        _shown(name, after, users),
                    )
                )
            if not changes:
                continue
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                what=f"{model_name} {verb}",
                action=str(context.get("action", "")).replace("_", " "),
                user=users.get(context.get("user")),
                changes=changes,
                summary=_event_summary(model_name, event.pgh_data or {}),
            )
        )
    return entries
