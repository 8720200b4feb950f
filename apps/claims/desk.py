"""Reads for the editor's desk: the review queue, work lists, the dashboard and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.apps import apps as django_apps
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from .evidence import evidence
from .models import Appearance, Claim, Status, Verdict


def _appearance_count() -> Coalesce:
    """A correlated COUNT per claim: no join fan-out, one query for the whole page."""
    counts = (
        Appearance.objects.filter(claim=OuterRef("pk"))
        .order_by()
        .values("claim")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def with_work_counts(claims: QuerySet) -> QuerySet:
    return claims.select_related("assignee", "proposed_by").annotate(
        supports=evidence().count(stance="supports"),
        refutes=evidence().count(stance="refutes"),
        context=evidence().count(stance="context"),
        appearance_count=_appearance_count(),
    )


def _in_articles_of(outlet_id: int) -> Q:
    return Q(pk__in=Appearance.objects.filter(article__outlet_id=outlet_id).values("claim_id"))


def review_queue(
    *,
    outlet: int | None = None,
    claimant: int | None = None,
    assignee: int | None = None,
    verdict: str = "",
    older_than_days: int | None = None,
) -> QuerySet:
    """Claims waiting for an editor, oldest submission first."""
    claims = Claim.objects.filter(status=Status.IN_REVIEW)
    if outlet:
        claims = claims.filter(_in_articles_of(outlet))
    if claimant:
        claims = claims.filter(
            pk__in=Appearance.objects.filter(claimant_id=claimant).values("claim_id")
        )
    if assignee:
        claims = claims.filter(assignee_id=assignee)
    if verdict in Verdict.values:
        claims = claims.filter(verdict=verdict)
    if older_than_days:
        claims = claims.filter(submitted_at__lte=timezone.now() - timedelta(days=older_than_days))
    return with_work_counts(claims).order_by("submitted_at", "id")


def work_list(
    *, assignee_id: int | None, unassigned: bool = False, include_published: bool = False
):
    claims = Claim.objects.all()
    claims = (
        claims.filter(assignee__isnull=True)
        if unassigned
        else claims.filter(assignee_id=assignee_id)
    )
    if not include_published:
        claims = claims.exclude(status=Status.PUBLISHED)
    return with_work_counts(claims).order_by("-updated_at", "-id")


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    key: str = ""


def dashboard(*, weeks: int = 12) -> dict:
    by_status = dict(Claim.objects.values_list("status").annotate(n=Count("id")).order_by())
    # Verdicts as published: a proposal still in research or review is not a verdict yet.
    by_verdict = dict(
        Claim.objects.filter(status=Status.PUBLISHED)
        .values_list("verdict")
        .annotate(n=Count("id"))
        .order_by()
    )
    since = timezone.now() - timedelta(weeks=weeks)
    per_week = dict(
        Claim.objects.filter(published_at__gte=since)
        .annotate(week=TruncWeek("published_at"))
        .values_list("week")
        .annotate(n=Count("id"))
        .order_by()
    )
    this_week = timezone.now().date() - timedelta(days=timezone.now().weekday())
    week_bars = []
    for back in range(weeks - 1, -1, -1):
        start = this_week - timedelta(weeks=back)
        count = sum(n for week, n in per_week.items() if week.date() == start)
        week_bars.append(Bar(label=start.strftime("%d %b"), value=count, key=start.isoformat()))
    return {
        "by_status": [
            Bar(label, by_status.get(value, 0), value) for value, label in Status.choices
        ],
        "by_verdict": [
            Bar(label, by_verdict.get(value, 0), value) for value, label in Verdict.choices
        ],
        "per_week": week_bars,
        "median_days_to_publish": _median_days_to_publish(),
        # What the median is taken over: claims with a publication date, as in its query.
        "published_total": Claim.objects.filter(published_at__isnull=False).count(),
        "oldest_waiting": list(
            with_work_counts(Claim.objects.filter(status=Status.IN_REVIEW)).order_by(
                "submitted_at", "id"
            )[:5]
        ),
        "total": sum(by_status.values()),
    }


def _median_days_to_publish() -> float | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP "
            "(ORDER BY EXTRACT(EPOCH FROM published_at - created_at)) "
            "FROM claims_claim WHERE published_at IS NOT NULL"
        )
        seconds = cursor.fetchone()[0]
    return None if seconds is None else round(seconds / 86400, 1)


def bar_chart(bars: list[Bar], *, width: int = 420, bar_height: int = 22, gap: int = 6) -> dict:
    """Geometry for a horizontal bar chart drawn as SVG in the template (no JavaScript)."""
    top = max((b.value for b in bars), default=0) or 1
    label_width = 120
    plot = width - label_width - 40
    rows = []
    for i, bar in enumerate(bars):
        y = i * (bar_height + gap)
        rows.append(
            {
                "bar": bar,
                "y": y,
                "text_y": y + bar_height * 0.7,
                "width": round(plot * bar.value / top, 1),
                "value_x": label_width + round(plot * bar.value / top, 1) + 6,
            }
        )
    return {
        "rows": rows,
        "width": width,
        "height": max(len(bars) * (bar_height + gap), bar_height),
        "label_width": label_width,
        "bar_height": bar_height,
    }


# --- History ----------------------------------------------------------------------------

HISTORY_FIELDS = ("statement", "status", "verdict", "rationale", "tags", "assignee_id")


def claim_snapshots(claim_id: int) -> list[dict]:
    """The claim's own row at every version (insert/update/delete events from the database
    triggers), each with who, when, what they did and the fields that changed (labelled
    and shown as on the claim page, `selectors.history_change`), with the editor's note
    for a review decision, so an editor can open any past state. Updates that changed
    nothing a person sees (the time stamp alone) are left out. The claim page's timeline
    (selectors.claim_history) is the other view: every model that points at the claim."""
    from django.contrib.auth.models import User

    from .selectors import history_change, history_title

    event_model = django_apps.get_model("claims", "ClaimEvent")
    events = list(
        event_model.objects.filter(pgh_obj_id=claim_id)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    notes = dict(
        django_apps.get_model("claims", "ReviewEvent")
        .objects.filter(claim_id=claim_id, pgh_context_id__isnull=False)
        .values_list("pgh_context_id", "note")
    )
    user_ids = {
        (e.pgh_context.metadata or {}).get("user") for e in events if e.pgh_context_id is not None
    } | {e.assignee_id for e in events}
    users = User.objects.in_bulk(user_ids - {None})
    timeline, previous = [], None
    for event in events:
        snapshot = {f: getattr(event, f) for f in HISTORY_FIELDS}
        changed = [
            f
            for f in HISTORY_FIELDS
            if (previous[f] != snapshot[f] if previous else snapshot[f] not in ("", [], None))
        ]
        if previous is not None and event.pgh_label == "update" and not changed:
            continue
        metadata = (event.pgh_context.metadata or {}) if event.pgh_context_id else {}
        user = users.get(metadata.get("user"))
        action = metadata.get("action", "")
        changes = [
            history_change(f, previous[f] if previous else None, snapshot[f], users)
            for f in changed
        ]
        timeline.append(
            {
                "id": event.pgh_id,
                "label": event.pgh_label,
                "what": history_title("Claim", event.pgh_label, action),
                "at": event.pgh_created_at,
                "user": user.get_username() if user else "system",
                "who": user.get_username() if user else "system",
                "action": action,
                # On the first row there is no "before": only the values it was made with.
                "changes": [
                    (label, None if previous is None else old, new) for label, old, new in changes
                ],
                "note": notes.get(event.pgh_context_id, "") if event.pgh_context_id else "",
                "snapshot": snapshot,
                "shown": {
                    label: new
                    for label, _old, new in (
                        history_change(f, None, snapshot[f], users) for f in HISTORY_FIELDS
                    )
                },
                "version": event.version,
            }
        )
        previous = snapshot
    return timeline
