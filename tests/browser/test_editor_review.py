"""An editor reviews a submitted claim in the browser: a send-back needs a note, then
approve and publish, confirmed in a step of its own (on the claim page, in the review queue,
in a bulk action, and with JavaScript off)."""

import pytest
from playwright.sync_api import expect

from apps.claims import services
from apps.claims.models import Claim, Review
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
    # Nothing is published until the editor says yes; the note is carried to the question.
    confirm = page.get_by_role("alertdialog", name="Publish this claim?")
    expect(confirm).to_contain_text("published as False")
    expect(confirm).to_contain_text("Your note: Well sourced.")
    expect(confirm.get_by_role("button", name="Yes, publish")).to_be_focused()
    claim.refresh_from_db()
    assert claim.status == "in_review"
    screenshot(page, "claim-approve-confirm", full_page=False)
    confirm.get_by_role("button", name="Yes, publish").click()
    expect(page.locator("#claim-body .message-success")).to_have_text("Approved and published.")
    expect(page.locator("#claim-status")).to_have_text("Published")
    expect(page.locator(".reviews")).to_contain_text("Well sourced.")
    expect(page.locator("#reopen-form")).to_be_visible()
    claim.refresh_from_db()
    assert claim.status == "published" and claim.published_at is not None
    assert Review.objects.get(claim=claim).note == "Well sourced."
    page.problems.assert_none()


def in_review(analyst, quote=QUOTE):
    article = factories.ArticleFactory(text=f"{quote}. More text follows here.")
    claim = services.claim_create(article=article, start=0, end=len(quote), quote=quote, by=analyst)
    evidence_add(claim=claim, by=analyst, stance="refutes", url=f"https://example.org/{claim.pk}")
    claim = services.claim_propose_verdict(
        claim=claim, verdict="false", rationale="Output rose.", by=analyst
    )
    return services.claim_submit_for_review(claim=claim, by=analyst)


def test_publishing_from_the_queue_is_confirmed_in_the_row_and_can_be_cancelled(live_server, page):
    analyst = make_user("analyst", "ana")
    make_user("editor", "eddie")
    claim = in_review(analyst)
    log_in(page, live_server, "eddie")
    page.goto(f"{live_server.url}/desk/review/")
    row = page.locator(f"#queue-row-{claim.pk}")
    row.get_by_role("button", name="Approve & publish").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Publish this claim as False?")
    confirm.get_by_role("button", name="Cancel").click()
    expect(row.get_by_role("button", name="Approve & publish")).to_be_visible()
    claim.refresh_from_db()
    assert claim.status == "in_review"

    row.get_by_role("button", name="Approve & publish").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Yes, publish").click()
    expect(row).to_contain_text("Published as false.")
    claim.refresh_from_db()
    assert claim.status == "published"
    assert page.url == f"{live_server.url}/desk/review/"
    page.problems.assert_none()


def test_bulk_approve_shows_the_claims_before_publishing_them(live_server, page):
    analyst = make_user("analyst", "ana")
    editor = make_user("editor", "eddie")
    claims = [in_review(analyst, quote) for quote in (QUOTE, "Exports fell by half in 2023")]
    Claim.objects.filter(pk__in=[c.pk for c in claims]).update(assignee=editor)
    log_in(page, live_server, "eddie")
    page.goto(f"{live_server.url}/desk/mine/")
    for claim in claims:
        page.get_by_label(f"Select claim {claim.pk}").check()
    page.get_by_label("Action").select_option("approve")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("heading", name="Publish 2 claims?")).to_be_visible()
    expect(page.locator("#confirm-publish")).to_contain_text("Exports fell by half in 2023")
    assert not Claim.objects.filter(status="published").exists()
    page.get_by_role("button", name="Yes, publish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bulk action: 2 done, 0 not done")
    assert Claim.objects.filter(status="published").count() == 2
    page.problems.assert_none()


def test_publishing_is_confirmed_without_javascript(live_server, browser):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1366, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        analyst = make_user("analyst", "ana")
        make_user("editor", "eddie")
        claim = in_review(analyst)
        log_in(page, live_server, "eddie")
        page.goto(f"{live_server.url}/claims/{claim.pk}/")
        page.locator("#approve-form").get_by_role("button", name="Approve and publish").click()
        page.wait_for_url(f"{live_server.url}/claims/{claim.pk}/approve/")
        confirm = page.locator("#approve-form")
        expect(confirm).to_contain_text("Publish this claim?")
        claim.refresh_from_db()
        assert claim.status == "in_review"
        confirm.get_by_role("button", name="Yes, publish").click()
        page.wait_for_url(f"{live_server.url}/claims/{claim.pk}/")
        expect(page.locator("#claim-status")).to_have_text("Published")
        claim.refresh_from_db()
        assert claim.status == "published"

        other = in_review(analyst, "Exports fell by half in 2023")
        page.goto(f"{live_server.url}/desk/review/")
        page.locator(f"#queue-row-{other.pk}").get_by_role(
            "button", name="Approve & publish"
        ).click()
        expect(page.get_by_role("heading", name="Publish 1 claim?")).to_be_visible()
        page.get_by_role("button", name="Yes, publish").click()
        page.wait_for_url(f"{live_server.url}/desk/review/")
        expect(page.locator(".messages")).to_contain_text(f"Claim #{other.pk}: Published")
        other.refresh_from_db()
        assert other.status == "published"
    finally:
        context.close()
