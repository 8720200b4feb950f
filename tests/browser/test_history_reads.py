"""Issue 16, item 6, in the browser: after a claim's statement, tags and verdict change (an
editor's send-back with a note, then the analyst's edits on the claim's pages), its history
reads as a person would tell it, the same on the claim page and on the full history page:
what was done, who and when, field labels with old → new values and the editor's note;
no raw field names, choice values or Python lists."""

import re

import pytest
from playwright.sync_api import expect

from apps.claims import services
from apps.evidence.services import evidence_add
from tests import factories
from tests.browser.helpers import log_in, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "The ministry said exports fell by half in the last quarter"
NEW_STATEMENT = "Exports fell by 50 percent in the third quarter"
NOTE = "Need a second source for the export figure"
WHEN = re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}$")
RAW = (
    "verdict_rationale",
    "rationale:",
    "statement:",
    "assignee_id",
    "proposed_by",
    "mostly_true",
    "in_review",
    "send_back",
    "['",
    '["',
    "[]",
)


@pytest.fixture
def sent_back():
    """A claim an editor sent back with a note, its verdict proposed as Mostly true."""
    analyst = make_user("analyst", "ana")
    editor = make_user("editor", "eddie")
    article = factories.ArticleFactory(text=f"{QUOTE}. The minister disagreed.")
    claim = services.claim_create(article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst)
    claim = services.claim_start_research(claim=claim, by=analyst)
    evidence_add(claim=claim, by=analyst, stance="supports", url="https://stats.example/q3")
    claim = services.claim_propose_verdict(
        claim=claim, verdict="mostly_true", rationale="The ministry's table says so.", by=analyst
    )
    claim = services.claim_submit_for_review(claim=claim, by=analyst)
    return services.review_send_back(claim=claim, by=editor, note=NOTE)


def _check_history(entries, *, where: str):
    """`entries`: the history's items, newest first, on either page."""
    text = " ".join(entries.all_inner_texts())

    proposed = entries.filter(has_text="Proposed a verdict · ana").first
    expect(proposed).to_contain_text("Verdict: Mostly true → False")
    expect(proposed).to_contain_text("Rationale: The ministry's table says so. → Exports rose.")

    edited = entries.filter(has_text="Edited the claim · ana").first
    expect(edited).to_contain_text(f"Statement: {QUOTE} → {NEW_STATEMENT}")
    expect(edited).to_contain_text("Tags: — → trade, economy")

    sent_back = entries.filter(has_text="Sent back for more work · eddie").first
    expect(sent_back).to_contain_text("Status: In review → Researching")
    expect(sent_back.locator(".review-note")).to_have_text(f"Editor's note: {NOTE}")

    first = entries.filter(has_text="Proposed a verdict · ana").last  # the earlier proposal
    expect(first).to_contain_text("Verdict: — → Mostly true")

    for entry in (proposed, edited, sent_back):
        when = entry.locator(".history-line time")
        assert WHEN.match(when.inner_text()), (where, when.inner_text())
        assert when.get_attribute("datetime"), where
    for raw in RAW:
        assert raw not in text, f"{where}: {raw!r} in the history"
    assert not re.search(r"(?<![\w·])update(?!\w)", text), f"{where}: a bare 'update' line"


def test_history_reads_as_people_tell_it_on_both_pages(live_server, page, sent_back):
    claim = sent_back
    log_in(page, live_server, "ana")
    page.goto(f"{live_server.url}/claims/{claim.pk}/")

    # The statement and the tags, on the edit page.
    page.get_by_role("link", name="Edit statement, tags, assignee").click()
    page.get_by_label("Statement").fill(NEW_STATEMENT)
    page.get_by_label("Tags (comma-separated)").fill("trade, economy")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/claims/{claim.pk}/")
    expect(page.locator("h1")).to_contain_text(NEW_STATEMENT)

    # The verdict, on the claim page.
    form = page.locator("#propose-form")
    form.get_by_label("Verdict").select_option("false")
    form.get_by_label("Rationale").fill("Exports rose.")
    form.get_by_role("button", name="Propose verdict").click()
    expect(page.locator("#claim-body .message-success")).to_have_text("Verdict proposed.")

    history = page.locator("section[aria-labelledby=history-title] ol.timeline > li")
    _check_history(history, where="claim page")

    page.get_by_role("link", name="Full history").click()
    page.wait_for_url(f"{live_server.url}/desk/claims/{claim.pk}/history/")
    expect(page.get_by_role("heading", name=f"History of claim #{claim.pk}")).to_be_visible()
    timeline = page.locator("ol.timeline > li.timeline-item")
    _check_history(timeline, where="full history")
    # Every line on the full history says what changed: no blank "update" entries.
    entries = [timeline.nth(i) for i in range(timeline.count())]
    assert entries, "the full history shows no entries"
    for item in entries:
        assert item.locator("ul.changes li").count() or item.locator(".review-note").count(), (
            item.inner_text()
        )
    page.problems.assert_none()
