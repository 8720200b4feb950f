"""The evidence parts of the claim page and the reading page's side panel.

The claims app comes before evidence in the dependency order and never imports it; its
templates load these tags instead, so evidence stays the evidence app's business."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone

from apps.accounts.roles import is_analyst
from apps.articles.models import Article
from apps.core.weburls import is_web_url

from ..forms import blank_evidence_form
from ..models import EvidenceLink
from ..services import source_details_pending

register = template.Library()


# Stop showing "Fetching…" (and polling) when no worker has filled a source in this long.
PENDING_FOR = timedelta(minutes=5)


def prepare_link(link: EvidenceLink) -> EvidenceLink:
    """What a template needs beyond the row: a safe link and whether a fetch is pending."""
    link.safe_url = link.source.url if is_web_url(link.source.url) else ""
    link.details_pending = (
        source_details_pending(link.source)
        and timezone.now() - link.source.created_at < PENDING_FOR
    )
    return link


def evidence_groups(claim) -> list[dict]:
    links = [
        prepare_link(link)
        for link in EvidenceLink.objects.filter(claim=claim)
        .select_related("source", "source__article", "linked_by")
        .order_by("created_at", "id")
    ]
    return [
        {"stance": value, "label": label, "links": [x for x in links if x.stance == value]}
        for value, label in EvidenceLink.Stance.choices
    ]


@register.inclusion_tag("evidence/_by_stance.html", takes_context=True)
def evidence_by_stance(context, claim, compact=False):
    """The claim's evidence in three columns: supports, refutes, context."""
    groups = evidence_groups(claim)
    user = context.get("user")
    return {
        "claim": claim,
        "groups": groups,
        "total": sum(len(g["links"]) for g in groups),
        "compact": compact,
        "can_edit": is_analyst(user) and not compact,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("evidence/_form.html", takes_context=True)
def evidence_form(context, claim, form=None):
    """The "Add evidence" form: blank, or the one that failed with what the user typed."""
    failed = context.get("failed_action") == "evidence"
    form = form or blank_evidence_form()
    chosen = None
    raw = str(form.data.get("article", "")) if form.is_bound else ""
    if raw.isdigit():
        chosen = Article.objects.filter(pk=int(raw)).only("id", "title").first()
    return {
        "claim": claim,
        "form": form,
        "chosen_article": chosen,
        "error": context.get("error") if failed else "",
        "csrf_token": context.get("csrf_token"),
    }
