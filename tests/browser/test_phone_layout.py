"""Issue 16, item 10: on a phone (390 x 844) no page scrolls sideways, tables read as cards,
the header is one line with a menu, the review queue's actions sit under each claim, and
on the reading page the claim form, a suggestion and a claim's details open as a bottom
sheet in view, not far below the article."""

import pytest
from playwright.sync_api import expect

from apps.claims.models import Claim
from tests.browser.helpers import log_in, range_select
from tests.browser.newsroom import IN_REVIEW, NEW, SUGGESTED, build_newsroom

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# Every element that sticks out past the right edge, for a readable failure.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 0.5) {
      const cls = typeof el.className === "string" ? el.className.trim() : "";
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (cls ? "." + cls.split(/\\s+/).join(".") : "");
      out.push(name + " right=" + Math.round(r.right));
    }
  }
  const scrollWidth = document.documentElement.scrollWidth;
  return {scrollWidth: scrollWidth, innerWidth: width, out: out.slice(0, 6)};
}"""

IN_VIEW = """(el) => { const r = el.getBoundingClientRect();
  return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight + 0.5
    && r.left + window.scrollX >= 0 && r.right + window.scrollX <= window.innerWidth + 0.5; }"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def sideways(page) -> str:
    """'' when the page fits the screen's width, else what sticks out."""
    page.wait_for_load_state("load")
    found = page.evaluate(OVERFLOW)
    if found["scrollWidth"] <= found["innerWidth"]:
        return ""
    return (
        f"{page.url}: scrollWidth {found['scrollWidth']} > {found['innerWidth']} ({found['out']})"
    )


def app_pages(room) -> list[str]:
    claim, article = room.in_review.pk, room.article.pk
    return [
        "/articles/",
        f"/articles/{article}/",
        "/claims/",
        f"/claims/{claim}/",
        f"/claims/{room.published.pk}/",
        "/claims/orphaned/",
        "/claims/factchecks/import/",
        "/desk/mine/",
        "/desk/unassigned/",
        "/desk/review/",
        "/desk/dashboard/",
        f"/desk/claims/{claim}/history/",
        f"/desk/claims/{claim}/edit/",
        "/desk/notifications/",
        "/ingest/",
        f"/ingest/jobs/{room.failed_job.pk}/",
        "/ingest/batches/",
        "/ingest/batches/new/",
        f"/ingest/batches/{room.batch.pk}/",
        "/ingest/feeds/",
        f"/ingest/feeds/{room.feed.pk}/",
        "/ingest/add/",
        "/ingest/add/text/",
        "/account/tokens/",
    ]


def test_no_page_scrolls_sideways_on_a_phone(live_server, phone):
    room = build_newsroom()
    problems = []
    # Anonymous pages: log-in and the public fact-checks.
    for path in ("/accounts/login/", "/fact-checks/", f"/fact-checks/{room.published.pk}/"):
        phone.goto(live_server.url + path)
        problems.append(sideways(phone))
    log_in(phone, live_server, "eddie")
    pages = app_pages(room)
    assert pages
    for path in pages:
        response = phone.goto(live_server.url + path)
        assert response.ok, f"{path}: {response.status}"
        problems.append(sideways(phone))
    problems = [p for p in problems if p]
    assert problems == [], "\n".join(problems)


def test_header_is_one_line_with_a_menu(live_server, phone):
    build_newsroom()
    log_in(phone, live_server, "eddie")
    phone.goto(f"{live_server.url}/claims/")
    bar = phone.locator("header.topbar")
    # One line: no taller than its tallest control plus its padding.
    assert bar.evaluate("el => el.getBoundingClientRect().height") <= 64
    main_nav = bar.get_by_role("navigation", name="Main")
    expect(main_nav).to_be_hidden()
    bar.locator("summary", has_text="Menu").click()
    expect(main_nav).to_be_visible()
    link = main_nav.get_by_role("link", name="Review queue")
    assert link.evaluate(IN_VIEW)
    link.click()
    phone.wait_for_url(f"{live_server.url}/desk/review/")
    # Log out and the notifications are in the menu too.
    bar.locator("summary", has_text="Menu").click()
    expect(bar.get_by_role("link", name="Notifications")).to_be_visible()
    expect(bar.get_by_role("button", name="Log out")).to_be_visible()
    # Esc closes it, and so does a tap outside it.
    phone.keyboard.press("Escape")
    expect(main_nav).to_be_hidden()
    bar.locator("summary", has_text="Menu").click()
    expect(main_nav).to_be_visible()
    phone.mouse.click(10, PHONE["height"] - 10)  # below the open menu
    expect(main_nav).to_be_hidden()


def test_tables_read_as_cards_with_their_column_names(live_server, phone):
    build_newsroom()
    log_in(phone, live_server, "eddie")
    phone.goto(f"{live_server.url}/claims/")
    row = phone.locator(".listing tbody tr").filter(has_text=IN_REVIEW)
    # The header row is out of sight (kept for screen readers).
    assert phone.locator(".listing thead").evaluate("el => el.getBoundingClientRect().height") <= 1
    status = row.locator("td").nth(1)
    # The cell says which column it is (the header row is hidden on a phone).
    label = status.evaluate("td => getComputedStyle(td, '::before').content")
    assert "Status" in label
    # The statement and the status are stacked, not side by side.
    statement_box = row.locator("td").first.bounding_box()
    status_box = status.bounding_box()
    assert status_box["y"] >= statement_box["y"] + statement_box["height"] - 1


def test_review_queue_actions_fit_under_each_claim(live_server, phone):
    room = build_newsroom()
    log_in(phone, live_server, "eddie")
    phone.goto(f"{live_server.url}/desk/review/")
    row = phone.locator(f"#queue-row-{room.in_review.pk}")
    statement = row.get_by_role("link", name=IN_REVIEW)
    approve = row.get_by_role("button", name="Approve & publish")
    send_back = row.get_by_role("button", name="Send back")
    note = row.get_by_label("Note")
    for control in (approve, send_back, note):
        control.scroll_into_view_if_needed()
        assert control.evaluate(IN_VIEW), "a review action is off the screen"
    assert approve.bounding_box()["y"] > statement.bounding_box()["y"]
    # And they work there.
    note.fill("Which production figures?")
    send_back.click()
    expect(phone.locator(f"#queue-row-{room.in_review.pk}")).to_contain_text("Sent back")
    room.in_review.refresh_from_db()
    assert room.in_review.status == "researching"


def sheet_check(page, locator) -> None:
    """`locator` is a bottom sheet: fixed to the viewport's bottom edge, inside it."""
    expect(locator).to_be_visible()
    assert locator.evaluate("el => getComputedStyle(el).position") == "fixed"
    box = locator.evaluate("el => el.getBoundingClientRect().toJSON()")
    assert box["top"] >= 0 and box["left"] >= 0 and box["right"] <= PHONE["width"] + 0.5
    assert abs(box["bottom"] - PHONE["height"]) <= 1, f"not at the bottom: {box}"


# A touch selection: the selection changes, and no mouseup or keyup follows.
TOUCH_SELECT = """(needle) => {
  const body = document.getElementById("article-body");
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const i = node.data.indexOf(needle);
    if (i >= 0) {
      node.parentElement.scrollIntoView({block: "center"});
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + needle.length);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return true;
    }
  }
  return false;
}"""


# Where a string of the article is on the screen: [top, bottom].
TEXT_RECT = """(needle) => {
  const walker = document.createTreeWalker(document.getElementById("article-body"),
                                           NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const i = node.data.indexOf(needle);
    if (i >= 0) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + needle.length);
      const r = range.getBoundingClientRect();
      return [r.top, r.bottom];
    }
  }
  return null;
}"""


def test_claim_form_opens_as_a_bottom_sheet_at_the_selection(live_server, phone):
    room = build_newsroom()
    log_in(phone, live_server, "ana")
    phone.goto(f"{live_server.url}/articles/{room.article.pk}/")
    sentence = "The countries they lead are in dire straits"
    assert phone.evaluate(TOUCH_SELECT, sentence)
    menu = phone.locator("#selection-menu")
    expect(menu).to_be_visible()  # without a mouseup: a finger lifted
    assert menu.evaluate(IN_VIEW), "the selection menu is off the screen"
    menu.get_by_role("button", name="New claim").click()
    sheet = phone.locator("#selection-panel")
    sheet_check(phone, sheet)
    # Once the names to pick from have arrived (the sheet is at its full height), the
    # selected sentence is in view above the sheet.
    expect(sheet.get_by_role("button", name="Arkady Moshes")).to_be_visible()
    phone.wait_for_timeout(300)
    sheet_check(phone, sheet)
    top, bottom = phone.evaluate(TEXT_RECT, sentence)
    sheet_top = sheet.evaluate("el => el.getBoundingClientRect().top")
    assert top >= 0 and bottom <= sheet_top, (top, bottom, sheet_top)
    save = sheet.get_by_role("button", name="Save claim")
    save.scroll_into_view_if_needed()
    assert save.evaluate(IN_VIEW)
    save.click()
    expect(phone.locator(".messages .message-success")).to_contain_text("created.")
    assert Claim.objects.filter(statement__startswith=sentence).exists()


def test_cancel_closes_the_claim_form_sheet(live_server, phone):
    room = build_newsroom()
    log_in(phone, live_server, "ana")
    phone.goto(f"{live_server.url}/articles/{room.article.pk}/")
    range_select(phone, NEW)
    phone.locator("#selection-menu").get_by_role("button", name="New claim").click()
    sheet = phone.locator("#selection-panel")
    sheet_check(phone, sheet)
    sheet.locator("#create-form").get_by_role("button", name="Cancel").click()
    expect(sheet).to_be_hidden()


def test_suggestion_opens_as_a_bottom_sheet_and_closes(live_server, phone):
    room = build_newsroom()
    log_in(phone, live_server, "ana")
    phone.goto(f"{live_server.url}/articles/{room.article.pk}/")
    item = phone.locator(f"#suggestion-{room.suggestion.pk}")
    expect(item).to_be_attached()
    piece = phone.locator(f'#article-body [data-suggestion="{room.suggestion.pk}"]').first
    piece.scroll_into_view_if_needed()
    piece.click()
    sheet_check(phone, item)
    assert piece.evaluate(
        "(el, top) => el.getBoundingClientRect().top >= 0 && el.getBoundingClientRect().top < top",
        item.evaluate("el => el.getBoundingClientRect().top"),
    ), "the suggested sentence is hidden under its sheet"
    expect(item).to_contain_text(SUGGESTED[:40])
    item.get_by_role("button", name="Close").click()
    expect(item).not_to_have_css("position", "fixed")
    # Open again, and accept from the sheet: the new claim is made.
    piece.scroll_into_view_if_needed()
    piece.click()
    sheet_check(phone, item)
    accept = item.get_by_role("button", name="New claim")
    assert accept.evaluate(IN_VIEW)
    accept.click()
    expect(phone.locator(f"#suggestion-{room.suggestion.pk}")).to_have_count(0)
    assert Claim.objects.filter(appearances__start=room.suggestion.start).exists()


def test_claim_details_open_as_a_bottom_sheet_and_close(live_server, phone):
    room = build_newsroom()
    log_in(phone, live_server, "ana")
    phone.goto(f"{live_server.url}/articles/{room.article.pk}/")
    mark = phone.locator(f'#article-body mark[data-claim="{room.in_review.pk}"]').first
    mark.scroll_into_view_if_needed()
    mark.click()
    panel = phone.locator("#claim-panel")
    expect(panel).to_contain_text("Stocks are low")
    sheet_check(phone, panel)
    panel.get_by_role("button", name="Close").click()
    expect(panel).to_be_hidden()
