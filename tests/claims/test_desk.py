import re

import pytest
from django.test import Client

from apps.claims import services
from apps.claims.models import Claim, Notification
from apps.evidence.services import evidence_add
from tests import factories

pytestmark = pytest.mark.django_db
QUOTE = "Russia is running out of munitions used in the war in Ukraine"
QUOTE_END = len(QUOTE)


def in_review(article, analyst, *, start=0, end=QUOTE_END, evidence=True):
    claim = services.claim_create(
        article=article, start=start, end=end, quote=article.text[start:end], by=analyst
    )
    if evidence:
        evidence_add(
            claim=claim, by=analyst, stance="refutes", url=f"https://example.org/{claim.pk}"
        )
    claim = services.claim_propose_verdict(
        claim=claim, verdict="false", rationale="No.", by=analyst
    )
    return services.claim_submit_for_review(claim=claim, by=analyst)


def test_review_queue_lists_oldest_first_with_evidence_counts(editor_client, article, analyst):
    first = in_review(article, analyst)
    second = in_review(article, analyst, start=0, end=6, evidence=False)
    page = editor_client.get("/desk/review/").content.decode()
    assert page.index(f"queue-row-{first.pk}") < page.index(f"queue-row-{second.pk}")
    assert "1 refutes" in page and "Approve &amp; publish" in page


def test_review_queue_filters_by_outlet(editor_client, article, analyst):
    claim = in_review(article, analyst)
    other_outlet = factories.OutletFactory()
    assert (
        f"queue-row-{claim.pk}"
        in editor_client.get(f"/desk/review/?outlet={article.outlet_id}").content.decode()
    )
    assert (
        f"queue-row-{claim.pk}"
        not in editor_client.get(f"/desk/review/?outlet={other_outlet.pk}").content.decode()
    )


def test_editor_approves_from_the_queue_with_htmx_after_confirming(editor_client, article, analyst):
    claim = in_review(article, analyst)
    asked = editor_client.post(
        f"/desk/review/{claim.pk}/decide/",
        {"decision": "approve", "version": claim.version, "note": "Solid"},
        HTTP_HX_REQUEST="true",
    )
    body = asked.content.decode()
    assert asked.status_code == 200 and "Publish this claim as False?" in body
    assert 'name="confirm" value="1"' in body and 'name="note" value="Solid"' in body
    claim.refresh_from_db()
    assert claim.status == "in_review"
    response = editor_client.post(
        f"/desk/review/{claim.pk}/decide/",
        {"decision": "approve", "version": claim.version, "note": "Solid", "confirm": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Published as false" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == "published"


def test_cancelling_the_queue_confirmation_gives_the_row_back(editor_client, article, analyst):
    claim = in_review(article, analyst)
    response = editor_client.post(
        f"/desk/review/{claim.pk}/decide/",
        {"decision": "approve", "version": claim.version, "note": "kept", "cancel": "1"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Approve &amp; publish" in body
    assert 'value="kept"' in body
    claim.refresh_from_db()
    assert claim.status == "in_review"


def test_queue_confirmation_without_javascript_is_a_page(editor_client, article, analyst):
    claim = in_review(article, analyst)
    asked = editor_client.post(
        f"/desk/review/{claim.pk}/decide/", {"decision": "approve", "version": claim.version}
    )
    body = asked.content.decode()
    assert asked.status_code == 200 and "Publish 1 claim?" in body
    assert f'action="/desk/review/{claim.pk}/decide/"' in body and 'href="/desk/review/"' in body
    claim.refresh_from_db()
    assert claim.status == "in_review"
    done = editor_client.post(
        f"/desk/review/{claim.pk}/decide/",
        {"decision": "approve", "version": claim.version, "confirm": "1"},
    )
    claim.refresh_from_db()
    assert done.status_code == 302 and claim.status == "published"


def test_queue_confirmation_is_not_offered_for_a_stale_version(editor_client, article, analyst):
    claim = in_review(article, analyst)
    response = editor_client.post(
        f"/desk/review/{claim.pk}/decide/",
        {"decision": "approve", "version": claim.version - 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409 and "Someone else changed this claim" in (
        response.content.decode()
    )


def test_bulk_approve_lists_the_claims_and_publishes_only_when_confirmed(
    editor_client, article, analyst
):
    claims = [in_review(article, analyst, end=QUOTE_END - i) for i in range(2)]
    ids = [c.pk for c in claims]
    asked = editor_client.post(
        "/desk/bulk/", {"claim": ids, "action": "approve", "back": "/desk/unassigned/"}
    )
    body = asked.content.decode()
    assert asked.status_code == 200 and "Publish 2 claims?" in body
    assert all(f'name="claim" value="{pk}"' in body for pk in ids)
    assert 'href="/desk/unassigned/"' in body
    assert not Claim.objects.filter(status="published").exists()
    done = editor_client.post(
        "/desk/bulk/", {"claim": ids, "action": "approve", "confirm": "1", "back": "/desk/mine/"}
    )
    assert done.status_code == 200 and "2 done, 0 not done" in done.content.decode()
    assert Claim.objects.filter(pk__in=ids, status="published").count() == 2


def test_bulk_confirmation_cancel_link_stays_on_this_site(editor_client, article, analyst):
    claim = in_review(article, analyst)
    body = editor_client.post(
        "/desk/bulk/", {"claim": [claim.pk], "action": "approve", "back": "https://evil.example/"}
    ).content.decode()
    assert 'href="https://evil.example/"' not in body
    assert 'href="/desk/mine/"' in body


def test_send_back_without_a_note_keeps_the_row_and_says_why(editor_client, article, analyst):
    claim = in_review(article, analyst)
    response = editor_client.post(
        f"/desk/review/{claim.pk}/decide/",
        {"decision": "send_back", "note": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "Say what needs more work" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == "in_review"


def test_analyst_cannot_decide_from_the_queue(analyst_client, article, analyst):
    claim = in_review(article, analyst)
    page = analyst_client.get("/desk/review/").content.decode()
    assert "Approve &amp; publish" not in page
    response = analyst_client.post(
        f"/desk/review/{claim.pk}/decide/", {"decision": "approve"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == "in_review"


def test_review_queue_query_count_is_constant(
    editor_client, article, analyst, django_assert_max_num_queries
):
    for i in range(3):
        in_review(article, analyst, start=0, end=10 + i)
    with django_assert_max_num_queries(12) as few:
        editor_client.get("/desk/review/")
    for i in range(20):
        in_review(article, analyst, start=0, end=20 + i)
    with django_assert_max_num_queries(len(few.captured_queries)):
        editor_client.get("/desk/review/")


def test_bulk_results_page_shows_each_claim(analyst_client, article, analyst):
    ready = services.claim_create(article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst)
    ready = services.claim_propose_verdict(claim=ready, verdict="true", rationale="ok", by=analyst)
    bare = services.claim_create(article=article, start=0, end=6, quote="Russia", by=analyst)
    response = analyst_client.post(
        "/desk/bulk/", {"claim": [ready.pk, bare.pk], "action": "submit"}
    )
    page = response.content.decode()
    assert "1 done, 1 not done" in page
    assert "Propose a verdict" in page


def test_my_claims_and_unassigned_lists(analyst_client, article, analyst):
    mine = services.claim_create(article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst)
    services.claim_update(claim=mine, by=analyst, assignee=analyst)
    free = services.claim_create(article=article, start=0, end=6, quote="Russia", by=analyst)
    my_page = analyst_client.get("/desk/mine/").content.decode()
    free_page = analyst_client.get("/desk/unassigned/").content.decode()
    assert f"/claims/{mine.pk}/" in my_page and f"/claims/{free.pk}/" not in my_page
    assert f"/claims/{free.pk}/" in free_page and f"/claims/{mine.pk}/" not in free_page


def test_dashboard_draws_svg_charts_with_the_counts(editor_client, article, analyst, editor):
    claim = in_review(article, analyst)
    services.review_approve(claim=claim, by=editor)
    page = editor_client.get("/desk/dashboard/").content.decode()
    assert page.count("<svg") == 3
    assert re.search(r"Published: 1</title>", page)
    assert "days" in page  # the median time to publish


def test_history_timeline_and_past_state(editor_client, article, analyst, editor):
    claim = in_review(article, analyst)
    services.review_send_back(claim=claim, by=editor, note="More.")
    page = editor_client.get(f"/desk/claims/{claim.pk}/history/").content.decode()
    assert "In review" in page and editor.username in page and analyst.username in page
    events = re.findall(r"\?event=(\d+)", page)
    oldest = min(int(e) for e in events)
    past = editor_client.get(f"/desk/claims/{claim.pk}/history/?event={oldest}").content.decode()
    assert "As it was at version 1" in past
    assert "<dt>Status</dt><dd>New</dd>" in past


def test_two_people_editing_different_fields_both_keep_their_change(article, analyst, editor):
    # Was a conflict whose re-apply carried Alice's stale statement; now a three-way merge
    # (tests/claims/test_edit_merge.py has the field both changed).
    claim = services.claim_create(article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst)
    alice, bob = Client(), Client()
    alice.force_login(analyst)
    bob.force_login(editor)
    form_a = alice.get(f"/desk/claims/{claim.pk}/edit/").content.decode()
    version = re.search(r'name="version" value="(\d+)"', form_a).group(1)
    bob.post(
        f"/desk/claims/{claim.pk}/edit/",
        {"statement": "Russia lacks shells.", "tags": "", "assignee": "", "version": version},
    )
    response = alice.post(
        f"/desk/claims/{claim.pk}/edit/",
        {"statement": claim.statement, "tags": "ukraine", "assignee": "", "version": version},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.tags == ["ukraine"] and claim.statement == "Russia lacks shells."


def test_notifications_page_and_mark_read(analyst_client, article, analyst, editor):
    claim = in_review(article, analyst)
    services.review_send_back(claim=claim, by=editor, note="More sources.")
    page = analyst_client.get("/desk/notifications/").content.decode()
    assert "Sent back for more work" in page
    analyst_client.post("/desk/notifications/")
    assert not Notification.objects.filter(user=analyst, read_at__isnull=True).exists()


def test_desk_pages_need_login(client):
    for url in ["/desk/review/", "/desk/mine/", "/desk/dashboard/", "/desk/notifications/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Claim.objects.count() == 0
