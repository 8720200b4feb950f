"""The evidence app's side of apps/claims/evidence.py: the facts about a claim's evidence
that the claims app's rules and screens need, provided at start-up (apps.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Expression, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.safestring import SafeString

from .models import EvidenceLink
from .templatetags import evidence_ui


class LinkedEvidence:
    def count(self, *, stance: str = "") -> Expression:
        # A correlated COUNT per claim: evaluated for the rows shown, no join fan-out.
        links = EvidenceLink.objects.filter(claim=OuterRef("pk"))
        if stance:
            links = links.filter(stance=stance)
        counts = links.order_by().values("claim").annotate(n=Count("*")).values("n")
        return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))

    def exists(self, claim_id: int) -> bool:
        return EvidenceLink.objects.filter(claim_id=claim_id).exists()

    def cites_url(self, claim_id: int, url: str) -> bool:
        return EvidenceLink.objects.filter(claim_id=claim_id, source__url=url).exists()

    def cite_factcheck_url(self, factcheck_id: int) -> str:
        return reverse("evidence:factcheck_cite", args=[factcheck_id])

    def links(self, claim_id: int) -> list[Any]:
        return list(
            EvidenceLink.objects.filter(claim_id=claim_id)
            .select_related("source")
            .order_by("created_at", "id")
        )

    def by_stance_html(self, context: Any, claim: Any, *, compact: bool) -> SafeString:
        values = evidence_ui.evidence_by_stance(context, claim, compact)
        return _render(context, "evidence/_by_stance.html", values)

    def form_html(self, context: Any, claim: Any, form: Any) -> SafeString:
        values = evidence_ui.evidence_form(context, claim, form)
        return _render(context, "evidence/_form.html", values)


def _render(context: Any, name: str, values: dict) -> SafeString:
    """As an inclusion tag renders: the template with a new context over the page's (its
    request and autoescaping kept)."""
    return context.template.engine.get_template(name).render(context.new(values))
