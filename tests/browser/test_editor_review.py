"""An editor reviews a submitted claim in the browser: a send-back needs a note, then
approve and publish."""

import pytest
from playwright.sync_api import expect

from apps.claims import services
from apps.claims.models import Review
from apps.evidence.services import evidence_add
from tests import factories
from tests.browser.helpers import log_in, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
QUOTE = "Russia is running out of munitions used in the war in Ukraine"


def test_editor_approves_and_publishes_a_submitted_claim(live_server, page, screenshot):
    analyst = make_user("analyst", "ana")
    make_user("editor", "eddie")
    article = factories.ArticleFactory()
    claim = services.claim_create(article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst)
    evidence_add(claim=claim, by=analyst, stance="refutes", url="https://example.org/report")
    claim = services.claim_propose_verdict(
        claim=claim, verdict="false", rationale="Output rose.", by=analyst
    )
    claim = services.claim_submit_for_review(claim=claim, by=analyst)

    log_in(page, live_server, "eddie")
    expect(page.locator(".who .role")).to_have_text("editor")
    page.get_by_role("link", name="Claims", exact=True).click()
    page.get_by_label("Status").select_option("in_review")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".listing tbody tr")).to_have_count(1)
    screenshot(page, "claim-list")
    page.get_by_role("link", name=QUOTE).click()

    page.problems.allow_status(400)  # the deliberate form error below
    send_back = page.locator("#send-back-form")
    send_back.get_by_role("button", name="Send back").click()
    expect(send_back.get_by_role("alert")).to_contain_text("Say what needs more work")
    claim.refresh_from_db()
    assert claim.status == "in_review"

    approve = page.locator("#approve-form")
    approve.get_by_label("Note").fill("Well sourced.")
    approve.get_by_role("button", name="Approve and publish").click()
    expect(page.locator("#claim-body .message-success")).to_have_text("Approved and published.")
    expect(page.locator("#claim-status")).to_have_text("Published")
    expect(page.locator(".reviews")).to_contain_text("Well sourced.")
    expect(page.locator("#reopen-form")).to_be_visible()
    claim.refresh_from_db()
    assert claim.status == "published" and claim.published_at is not None
    assert Review.objects.get(claim=claim).note == "Well sourced."
    page.problems.assert_none()
