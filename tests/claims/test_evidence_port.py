"""apps/claims/evidence.py: what claims know of a claim's evidence, provided by the evidence
app at start-up instead of app-registry and reverse-relation lookups from claims."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.claims import evidence as port
from apps.claims import services
from apps.claims.models import Claim
from apps.evidence.claim_evidence import LinkedEvidence
from apps.evidence.services import evidence_add

pytestmark = pytest.mark.django_db
QUOTE = "Russia is running out of munitions used in the war in Ukraine"


def test_the_evidence_app_provides_it_when_django_starts():
    assert isinstance(port.evidence(), LinkedEvidence)


def test_without_a_provider_the_error_names_the_missing_app(monkeypatch):
    monkeypatch.setattr(port, "_provider", None)
    with pytest.raises(ImproperlyConfigured, match="apps.evidence"):
        port.evidence()


def test_counts_existence_citations_and_links(article, analyst):
    claim = services.claim_create(article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst)
    other = services.claim_create(
        article=article, start=0, end=len(QUOTE), quote=QUOTE, statement="Another one", by=analyst
    )
    ev = port.evidence()
    assert not ev.exists(claim.pk) and ev.links(claim.pk) == []
    first = evidence_add(claim=claim, by=analyst, stance="supports", url="https://example.org/a")
    second = evidence_add(claim=claim, by=analyst, stance="refutes", url="https://example.org/b")
    evidence_add(claim=other, by=analyst, stance="supports", url="https://example.org/c")

    assert ev.exists(claim.pk)
    assert ev.cites_url(claim.pk, "https://example.org/b")
    assert not ev.cites_url(claim.pk, "https://example.org/c")
    assert [link.pk for link in ev.links(claim.pk)] == [first.pk, second.pk]
    counted = Claim.objects.annotate(
        total=ev.count(), supports=ev.count(stance="supports"), context=ev.count(stance="context")
    ).in_bulk([claim.pk, other.pk])
    assert (counted[claim.pk].total, counted[claim.pk].supports) == (2, 1)
    assert (counted[other.pk].total, counted[other.pk].context) == (1, 0)
