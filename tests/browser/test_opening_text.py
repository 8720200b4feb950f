"""Issue 16, item 2, in the browser: text is never dropped without a trace. An article
whose record has its own title keeps its short opening paragraph ending in "." on the
reading page (it is not taken for a headline); lines removed as page furniture are listed on
the article page, and restoring them keeps the claims anchored."""

import json

import pytest
from playwright.sync_api import expect

from apps.claims.models import Appearance
from tests.browser.helpers import drag_select, log_in, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPENING = "Bus fares rise again."
BODY = [
    "The city council voted on Tuesday to raise bus fares by 12 percent from April, "
    "the mayor said.",
    "Opposition members said the rise would hit the 40,000 riders who use the three "
    "busiest routes every day.",
]
FURNITURE = ["Advertisement", "Read more", "© 2026 Harbour Gazette"]
CLAIM = "the rise would hit the 40,000 riders who use the three busiest routes every day"


def _add(page, live_server, *, text=None, file=None, title=""):
    """Through the paste-or-upload page, as an analyst adds an article it cannot fetch."""
    page.goto(f"{live_server.url}/ingest/add/text/")
    if text is not None:
        page.get_by_label("The article's text").fill(text)
    if file is not None:
        page.get_by_label("Or a file").set_input_files(file)
    if title:
        page.get_by_label("Title").fill(title)
    page.get_by_label("Outlet").fill("Harbour Gazette")
    page.get_by_label("Language").fill("en")
    page.get_by_role("button", name="Add the article").click()
    page.wait_for_url("**/ingest/jobs/*/")
    expect(page.locator(".messages")).to_contain_text("the article is stored")
    page.locator("#job-body").get_by_role("link").last.click()
    page.wait_for_url("**/articles/*/")


def test_a_short_opening_paragraph_stays_when_the_record_has_its_own_title(live_server, page):
    make_user("analyst", "ana")
    log_in(page, live_server, "ana")
    record = {
        "title": "Council raises bus fares by 12 percent",
        "text": "\n\n".join([OPENING, *BODY]),
        "url": "https://gazette.example/news/bus-fares",
    }
    _add(
        page,
        live_server,
        file={
            "name": "bus-fares.json",
            "mimeType": "application/json",
            "buffer": json.dumps(record).encode(),
        },
    )
    expect(page.locator("#article-title")).to_have_text(record["title"])
    body = page.locator("#article-body")
    expect(body).to_contain_text(OPENING)
    assert body.inner_text().strip().startswith(OPENING), body.inner_text()[:120]
    for paragraph in BODY:
        expect(body).to_contain_text(paragraph)
    page.problems.assert_none()


def test_a_short_opening_paragraph_stays_when_the_title_is_typed_with_pasted_text(
    live_server, page
):
    make_user("analyst", "ana")
    log_in(page, live_server, "ana")
    title = "Council raises bus fares by 12 percent"
    _add(page, live_server, text="\n\n".join([OPENING, *BODY]), title=title)
    expect(page.locator("#article-title")).to_have_text(title)
    body = page.locator("#article-body")
    assert body.inner_text().strip().startswith(OPENING), body.inner_text()[:120]
    page.problems.assert_none()


def test_lines_removed_as_page_furniture_are_listed_and_can_be_restored(live_server, page):
    # An editor: restoring changes the article's text, which is an editor's, as a
    # re-extraction is (an analyst sees the list without the button: tests/web).
    make_user("editor", "eda")
    log_in(page, live_server, "eda")
    lines = [OPENING, FURNITURE[0], BODY[0], FURNITURE[1], BODY[1], FURNITURE[2]]
    _add(page, live_server, text="\n\n".join(lines), title="Council raises bus fares")
    body = page.locator("#article-body")
    expect(body).to_contain_text(OPENING)
    for line in FURNITURE:
        expect(body).not_to_contain_text(line)

    # A claim on the text after the removed lines, made as an analyst does.
    drag_select(page, CLAIM)
    page.locator("#selection-menu").get_by_role("button", name="New claim").click()
    page.get_by_role("button", name="Save claim").click()
    expect(page.locator(".messages .message-success")).to_contain_text("created.")
    expect(body.locator("mark.hl")).to_have_text(CLAIM)

    # The removed lines are not lost without a trace: the page says how many, and shows them.
    removed = page.get_by_text("3 lines removed as page furniture")
    expect(removed).to_be_visible()
    page.get_by_role("button", name="show").or_(page.get_by_text("show", exact=True)).click()
    for line in FURNITURE:
        expect(page.get_by_text(line, exact=True)).to_be_visible()

    # Restoring puts them back in the text; the claim's highlight still marks its quote.
    page.get_by_role("button", name="restore").click()
    for line in FURNITURE:
        expect(body).to_contain_text(line)
    expect(body.locator("mark.hl")).to_have_text(CLAIM)
    appearance = Appearance.objects.get()
    text = appearance.article.text
    assert text[appearance.start : appearance.end] == CLAIM
    page.problems.assert_none()
