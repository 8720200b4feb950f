"""The evidence parts of the claim page and the reading page's side panel.

The claims app comes before evidence in the app order and never imports it: its templates
load claims' own slots (apps/claims/templatetags/claim_evidence.py), which the evidence app
fills with these (apps/evidence/claim_evidence.py)."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone

from apps.accounts.roles import is_analyst
from apps.articles.models import Article
from apps.core.weburls import is_web_url

from ..forms import blank_evidence_form
from ..models import EvidenceLink
from ..services import source_can_refetch, source_details_pending

register = template.Library()


# Stop showing "Fetching…" (and polling) when no worker has filled a source in this long.
PENDING_FOR = timedelta(minutes=5)


def prepare_link(link: EvidenceLink) -> EvidenceLink:
    """What a template needs beyond the row: a safe link and whether a fetch is pending."""
    link.safe_url = link.source.url if is_web_url(link.source.url) else ""
    # From the last change (not creation): "Fetch title again" restarts the window.
    link.details_pending = (
        source_details_pending(link.source)
        and timezone.now() - link.source.updated_at < PENDING_FOR
    )
    link.can_refetch = not link.details_pending and source_can_refetch(link.source)
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
        "errors": form_errors(form, fallback=context.get("error") if failed else ""),
        "csrf_token": context.get("csrf_token"),
    }


# Where a summary link about a hidden field takes the user: the article id is picked with
# the article search.
_ERROR_TARGET = {"article": "id_evidence_article_q"}


def form_errors(form, *, fallback: str = "") -> list[dict]:
    """The form's errors for the summary on top, in the order of the form (so what is
    missing, the source, comes first), each with the id of the input it links to. Marks
    each invalid input (aria-invalid, aria-describedby) for its error next to it."""
    if not form.is_bound:
        return [{"message": fallback, "target": ""}] if fallback else []
    errors = [{"message": message, "target": ""} for message in form.non_field_errors()]
    for bound in form:
        if not bound.errors:
            continue
        target = _ERROR_TARGET.get(bound.name) or bound.auto_id
        errors += [{"message": message, "target": target} for message in bound.errors]
        described = [f"{bound.auto_id}-error"]
        if bound.help_text:
            described.append(f"{bound.auto_id}_helptext")
        bound.field.widget.attrs.update(
            {"aria-invalid": "true", "aria-describedby": " ".join(described)}
        )
    if not errors and fallback:
        errors.append({"message": fallback, "target": ""})
    return errors
