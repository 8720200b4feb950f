"""The claim page's evidence panels, as slots the evidence app fills (apps/claims/evidence.py):
claims templates load these, never the evidence app's own tags."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from ..evidence import evidence

register = template.Library()


@register.simple_tag(takes_context=True)
def evidence_by_stance(context, claim, compact=False) -> SafeString:
    """The claim's evidence in three columns: supports, refutes, context."""
    return evidence().by_stance_html(context, claim, compact=compact)


@register.simple_tag(takes_context=True)
def evidence_form(context, claim, form=None) -> SafeString:
    """The "Add evidence" form: blank, or the one that failed with what the user typed."""
    return evidence().form_html(context, claim, form)


@register.filter
def cite_factcheck_url(factcheck_id: int) -> str:
    """Where "Cite as evidence" posts for the imported fact-check `factcheck_id`."""
    return evidence().cite_factcheck_url(factcheck_id)
