"""History is recorded by database triggers, so nothing bypasses it: not bulk updates,
not the admin, not raw SQL."""

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client

from apps.claims import desk, services
from apps.claims.models import Claim
from apps.evidence.services import evidence_add
from tests import factories

pytestmark = pytest.mark.django_db
QUOTE = "Russia is running out of munitions used in the war in Ukraine"


def events_for(claim_id):
    return (
        django_apps.get_model("claims", "ClaimEvent")
        .objects.filter(pgh_obj_id=claim_id)
        .order_by("pgh_id")
    )


def test_bulk_queryset_update_is_recorded():
    claims = [factories.ClaimFactory() for _ in range(3)]
    Claim.objects.filter(pk__in=[c.pk for c in claims]).update(tags=["bulk"])
    for claim in claims:
        assert list(events_for(claim.pk).values_list("pgh_label", flat=True)) == [
            "insert",
            "update",
        ]


def test_raw_sql_update_is_recorded():
    claim = factories.ClaimFactory()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE claims_claim SET statement = 'raw' WHERE id = %s", [claim.pk])
    assert events_for(claim.pk).last().statement == "raw"


def test_admin_change_is_recorded_with_the_admin_as_author():
    admin = factories.user_with_role("admin")
    claim = factories.ClaimFactory(statement="Before")
    client = Client()
    client.force_login(admin)
    response = client.post(
        f"/admin/claims/claim/{claim.pk}/change/",
        {
            "statement": "After",
            "status": "new",
            "verdict": "",
            "rationale": "",
            "tags": "",
            "appearances-TOTAL_FORMS": "0",
            "appearances-INITIAL_FORMS": "0",
            "appearances-MIN_NUM_FORMS": "0",
            "appearances-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    timeline = desk.claim_snapshots(claim.pk)
    assert ("Statement", "Before", "After") in timeline[-1]["changes"]
    assert timeline[-1]["user"] == admin.username


def test_evidence_and_appearance_changes_are_recorded(article, analyst):
    claim = services.claim_create(article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst)
    link = evidence_add(claim=claim, by=analyst, stance="supports", url="https://example.org/x")
    link.delete()
    evidence_events = django_apps.get_model("evidence", "EvidenceLinkEvent").objects.filter(
        claim_id=claim.pk
    )
    assert list(evidence_events.order_by("pgh_id").values_list("pgh_label", flat=True)) == [
        "insert",
        "delete",
    ]
    appearance_events = django_apps.get_model("claims", "AppearanceEvent").objects.filter(
        claim_id=claim.pk
    )
    assert appearance_events.get().quote == QUOTE


def test_admin_workflow_action_uses_the_service_rules(article, analyst):
    admin = factories.user_with_role("admin")
    ready = services.claim_create(article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst)
    ready = services.claim_propose_verdict(claim=ready, verdict="true", rationale="ok", by=analyst)
    bare = factories.ClaimFactory()
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/claims/claim/",
        {"action": "workflow_submit", "_selected_action": [ready.pk, bare.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert f"Claim #{ready.pk}: Now in review." in page
    assert f"Claim #{bare.pk}: Propose a verdict" in page
    ready.refresh_from_db()
    bare.refresh_from_db()
    assert ready.status == "in_review" and bare.status == "new"
