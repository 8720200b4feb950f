"""Where reports of one claim differ: places, quantities and dates.

For each appearance of a claim (a *report*), the sentence(s) around its span are read by
`apps.claims.nlp.details`, with the readers of the matcher's direction check: places
from the GeoNames gazetteer (any country; a country's adjective names the country),
quantities with their formats normalised, and dates, the relative ones ("tomorrow")
marked as such. Names of people and organisations are not details: the appearance's
claimant, and the name of any outlet, are never listed even when they contain a place
("The Houston Chronicle").

`claim_differences(claim)` compares them. A kind *differs* when two reports each state a
value of it that the other does not, about the same thing (the two values stand in the
same place in their sentences: the same kind of date, quantities that share a word next
to them): a report that omits a detail does not disagree, and a place inside another
named place (a city and its country) is context, not a rival. Relative dates are shown,
never counted: "tomorrow" and "on Friday" may be the same day.

Each value is shown with the report(s) that say it ("Lisbon — report 1, Outlet A; Madrid
— report 2, Outlet B"), reports numbered from the oldest. The result is stored in
`ClaimDifferences` (one row per claim), refreshed after every change to a claim's
appearances (signals below, run after the transaction commits), so the claim list can
filter with `claims_that_disagree()`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Lower
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Appearance, Claim, Claimant, ClaimDifferences
from .nlp.details import (
    DATE,
    NUMBER,
    PLACE,
    Detail,
    comparable,
    consistent,
    contains,
    same_value,
    text_details,
)

logger = logging.getLogger(__name__)

KINDS = (PLACE, NUMBER, DATE)
KIND_LABELS = {PLACE: "Places", NUMBER: "Numbers", DATE: "Dates"}
MAX_APPEARANCES = 200  # compared per claim (the most recent); the rest are counted only
CONTEXT_MAX_CHARS = 600


@dataclass
class Report:
    """One appearance of the claim, as the panel numbers and shows it."""

    number: int
    appearance_id: int
    article_id: int
    article_title: str
    outlet: str
    claimant: str
    context: str
    details: list[Detail] = field(default_factory=list)

    def label(self) -> str:
        return f"report {self.number}" + (f", {self.outlet}" if self.outlet else "")

    def of(self, kind: str) -> list[Detail]:
        return [d for d in self.details if d.kind == kind]


def appearance_context(appearance: Appearance, text: str | None = None) -> str:
    """The sentence(s) around an appearance's span: where its details are stated."""
    from .nlp.sentences import split_sentences

    text = appearance.article.text if text is None else text
    start, end = appearance.start, appearance.end
    if not (0 <= start < end <= len(text)) or text[start:end] != appearance.quote:
        found = text.find(appearance.quote) if appearance.quote else -1
        if found < 0:
            return appearance.quote[:CONTEXT_MAX_CHARS]
        start, end = found, found + len(appearance.quote)
    window_start = max(0, start - 2000)
    window = text[window_start : min(len(text), end + 2000)]
    pieces = [
        s
        for s in split_sentences(window)
        if s.start + window_start < end and start < s.end + window_start
    ]
    if not pieces:
        return text[start:end][:CONTEXT_MAX_CHARS]
    context = window[pieces[0].start : pieces[-1].end]
    if len(context) > CONTEXT_MAX_CHARS:
        # Keep the quote, trimmed to the limit around it.
        rel_start = start - window_start - pieces[0].start
        left = max(0, rel_start - (CONTEXT_MAX_CHARS - (end - start)) // 2)
        context = context[left : left + CONTEXT_MAX_CHARS]
    return context


def _names_not_places(reports: list[Report], claimants: list[Claimant]) -> frozenset[str]:
    """The normal forms (`claimant_key`) of the names that are never places here: the
    claimants' names and aliases (and a person's surname alone: "Lincoln said"), the
    reports' outlets, and any tracked outlet that a report mentions by name."""
    from apps.articles.models import Outlet

    from .nlp.attribution import claimant_key

    names = [r.outlet for r in reports if r.outlet]
    keys = set()
    for claimant in claimants:
        names += [claimant.name, *claimant.aliases]
        if claimant.kind == Claimant.Kind.PERSON and claimant.key:
            keys.add(claimant.key.split()[-1])
    mentioned = {d.text.casefold() for r in reports for d in r.details if d.kind == PLACE}
    mentioned |= {f"the {text}" for text in mentioned}
    if mentioned:
        names += list(
            Outlet.objects.annotate(folded=Lower("name"))
            .filter(folded__in=mentioned)
            .values_list("name", flat=True)
        )
    keys |= {claimant_key(name) for name in names}
    return frozenset(keys - {""})


def _is_named(detail: Detail, names: frozenset[str]) -> bool:
    from .nlp.attribution import claimant_key

    return claimant_key(detail.text) in names


def _clean(details: list[Detail], names: frozenset[str]) -> list[Detail]:
    """One detail per value; no claimant or outlet names; no place around another."""
    kept: list[Detail] = []
    for detail in details:
        if detail.kind == PLACE and _is_named(detail, names):
            continue
        if not any(same_value(detail, other) for other in kept):
            kept.append(detail)
    places = [d for d in kept if d.kind == PLACE]
    return [d for d in kept if not any(contains(d, other) for other in places)]


def _disagree(a: list[Detail], b: list[Detail]) -> bool:
    """Each of two reports states a value (of one kind, not relative) that the other
    does not, about the same thing."""
    only_a = [x for x in a if not x.relative and not any(consistent(x, y) for y in b)]
    only_b = [y for y in b if not y.relative and not any(consistent(y, x) for x in a)]
    return any(comparable(x, y) for x in only_a for y in only_b)


def compare(reports: list[Report]) -> dict:
    """The panel's comparison of `reports` (each with its details)."""
    kinds: dict[str, dict] = {}
    for kind in KINDS:
        rows: list[dict] = []  # {"detail", "value", "relative", "reports"}
        signature: dict[int, tuple[int, ...]] = {}
        for report in reports:
            seen = []
            for detail in report.of(kind):
                row = next(
                    (
                        r
                        for r in rows
                        if r["relative"] == detail.relative and same_value(r["detail"], detail)
                    ),
                    None,
                )
                if row is None:
                    row = {"detail": detail, "value": detail.text, "relative": detail.relative}
                    row["reports"] = []
                    rows.append(row)
                if not any(r is report for r in row["reports"]):
                    row["reports"].append(report)
                seen.append(rows.index(row))
            signature[report.number] = tuple(sorted(set(seen)))
        # Reports stating the same values compare alike: one of each suffices.
        distinct = list({signature[r.number]: r for r in reports if signature[r.number]}.values())
        differs = any(
            _disagree(a.of(kind), b.of(kind))
            for i, a in enumerate(distinct)
            for b in distinct[i + 1 :]
        )
        values = []
        relative = []
        for row in rows:
            shown = {
                "value": row["value"],
                "reports": [
                    {"number": r.number, "outlet": r.outlet, "appearance": r.appearance_id}
                    for r in row["reports"]
                ],
                "everywhere": len(row["reports"]) == len(reports),
            }
            shown["said_by"] = "; ".join(r.label() for r in row["reports"])
            (relative if row["relative"] else values).append(shown)
        values.sort(key=lambda v: (v["everywhere"], v["reports"][0]["number"]))
        kinds[kind] = {
            "label": KIND_LABELS[kind],
            "differs": differs,
            "values": values,
            "relative": relative,
        }
    differing = [kind for kind in KINDS if kinds[kind]["differs"]]
    return {"kinds": kinds, "differing": differing, "disagrees": bool(differing)}


def summary_line(values: list[dict]) -> str:
    """ "Lisbon — report 1, Outlet A; Madrid — report 2, Outlet B" (the values that are
    not in every report)."""
    return "; ".join(f"{v['value']} — {v['said_by']}" for v in values if not v["everywhere"])


def claim_differences(claim: Claim, *, store: bool = True) -> dict:
    """The differences panel's data for `claim` (JSON-serialisable):

    ``{"appearances": [{"id", "number", "article_id", "article_title", "outlet",
    "claimant", "context"}] (oldest first), "kinds": {kind: {"label", "differs",
    "values": [{"value", "reports": [{"number", "outlet", "appearance"}], "said_by",
    "everywhere"}],
    "relative"}}, "differing": [kinds], "summary": {kind: line}, "disagrees": bool,
    "appearance_count": int}``. With `store`, the summary is saved for the list filter."""
    appearances = list(
        claim.appearances.select_related("article", "article__outlet", "claimant").order_by(
            "-created_at", "-id"
        )[:MAX_APPEARANCES]
    )
    appearances.reverse()
    total = claim.appearances.count() if len(appearances) >= MAX_APPEARANCES else len(appearances)
    reports = []
    claimants = []
    for number, appearance in enumerate(appearances, start=1):
        context = appearance_context(appearance)
        article = appearance.article
        claimant = appearance.claimant
        reports.append(
            Report(
                number=number,
                appearance_id=appearance.pk,
                article_id=article.pk,
                article_title=article.title,
                outlet=article.outlet.name if article.outlet else "",
                claimant=claimant.name if claimant else "",
                context=context,
                details=text_details(context),
            )
        )
        if claimant is not None:
            claimants.append(claimant)
    names = _names_not_places(reports, claimants)
    for report in reports:
        report.details = _clean(report.details, names)
    if len(reports) < 2:
        result = {"kinds": {}, "differing": [], "disagrees": False}
    else:
        result = compare(reports)
    result["summary"] = {
        kind: summary_line(result["kinds"][kind]["values"]) for kind in result["differing"]
    }
    result["appearances"] = [
        {
            "id": r.appearance_id,
            "number": r.number,
            "article_id": r.article_id,
            "article_title": r.article_title,
            "outlet": r.outlet,
            "claimant": r.claimant,
            "context": r.context,
        }
        for r in reports
    ]
    result["appearance_count"] = total
    if store:
        ClaimDifferences.objects.update_or_create(
            claim=claim,
            defaults={
                "disagrees": result["disagrees"],
                "kinds": result["differing"],
                "summary": {
                    kind: [
                        {"value": v["value"], "reports": v["reports"]}
                        for v in result["kinds"][kind]["values"]
                    ]
                    for kind in result["differing"]
                },
                "appearance_count": total,
            },
        )
    return result


def differences_refresh(claim_id: int) -> ClaimDifferences | None:
    claim = Claim.objects.filter(pk=claim_id).first()
    if claim is None:
        return None
    claim_differences(claim, store=True)
    return ClaimDifferences.objects.filter(claim_id=claim_id).first()


def claims_that_disagree(claims: QuerySet[Claim] | None = None) -> QuerySet[Claim]:
    """Claims whose reports differ on places, quantities or dates."""
    claims = Claim.objects.all() if claims is None else claims
    return claims.filter(differences__disagrees=True)


def with_disagreement(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """Annotate ``details_disagree`` (bool) for list pages."""
    return claims.annotate(
        details_disagree=Exists(
            ClaimDifferences.objects.filter(claim=OuterRef("pk"), disagrees=True)
        )
    )


# --------------------------------------------------------------------------- keeping it fresh


def _refresh_after_commit(claim_id: int) -> None:
    def run() -> None:
        try:
            differences_refresh(claim_id)
        except Exception:  # noqa: BLE001 - a summary must never fail the user's change
            logger.exception("Could not refresh the differences of claim %s", claim_id)

    transaction.on_commit(run, robust=True)


@receiver(post_save, sender=Appearance, dispatch_uid="claims.differences.appearance_saved")
def _appearance_saved(sender, instance: Appearance, **kwargs) -> None:
    _refresh_after_commit(instance.claim_id)


@receiver(post_delete, sender=Appearance, dispatch_uid="claims.differences.appearance_deleted")
def _appearance_deleted(sender, instance: Appearance, **kwargs) -> None:
    _refresh_after_commit(instance.claim_id)
