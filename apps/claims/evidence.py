"""What the claims app knows about a claim's evidence, which the evidence app owns.

Evidence (apps.evidence) sits above claims in the app order: it links sources to claims, and
claims never import it. Yet claims' rules and screens need a few facts about a claim's
evidence: publishing needs at least one link, lists and queues count links (by stance),
the public page lists them, "Checked elsewhere" says whether a fact-check is already cited,
and the claim page shows the evidence panels. `ClaimEvidence` states those facts; the
evidence app provides them when it is ready (`provide`, from EvidenceConfig.ready), so the
dependency points down and import-linter can check it. Replaces the app-registry and
reverse-relation lookups that reached evidence from here.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Expression
from django.utils.safestring import SafeString


class ClaimEvidence(Protocol):
    def count(self, *, stance: str = "") -> Expression:
        """The number of links of each claim (`OuterRef("pk")`), of one stance if given,
        as an expression to annotate a claim queryset with (0 when none)."""
        ...

    def exists(self, claim_id: int) -> bool:
        """Whether the claim has at least one link."""
        ...

    def cites_url(self, claim_id: int, url: str) -> bool:
        """Whether a link of the claim has a source at `url`."""
        ...

    def links(self, claim_id: int) -> list[Any]:
        """The claim's links, oldest first, with their source (`link.source`), `stance`,
        `get_stance_display()`, `quote` and `note`."""
        ...

    def by_stance_html(self, context: Any, claim: Any, *, compact: bool) -> SafeString:
        """The claim page's evidence panel (three columns by stance)."""
        ...

    def cite_factcheck_url(self, factcheck_id: int) -> str:
        """Where "Cite as evidence" posts for an imported fact-check."""
        ...

    def form_html(self, context: Any, claim: Any, form: Any) -> SafeString:
        """The claim page's "Add evidence" form (blank, or `form` re-shown with errors)."""
        ...


_provider: ClaimEvidence | None = None


def provide(provider: ClaimEvidence) -> None:
    global _provider
    _provider = provider


def evidence() -> ClaimEvidence:
    if _provider is None:
        raise ImproperlyConfigured(
            "No app provides claims' evidence: apps.evidence must be in INSTALLED_APPS."
        )
    return _provider
