"""Issue 16, item 12: the message after saving a claim is in view, and the evidence search
logs nothing to the console."""

import pytest
from playwright.sync_api import expect

from apps.claims import services
from tests import factories
from tests.browser.helpers import drag_select, log_in, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAST = "The ministry said exports fell by half in the last quarter"
IN_VIEW = """(el) => { const r = el.getBoundingClientRect();
  return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }"""


def test_message_after_making_a_claim_far_down_the_article_is_in_view(live_server, page):
    make_user("analyst", "ana")
    filler = "\n\n".join(f"Paragraph {i} says nothing worth checking at all." for i in range(60))
    article = factories.ArticleFactory(text=f"{filler}\n\n{LAST}.")
    page.set_viewport_size({"width": 1366, "height": 700})
    log_in(page, live_server, "ana")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    drag_select(page, LAST)
    page.locator("#selection-menu").get_by_role("button", name="New claim").click()
    page.get_by_role("button", name="Save claim").click()
    message = page.locator(".messages .message-success")
    expect(message).to_contain_text("created.")
    page.wait_for_function("() => window.scrollY > 0")  # at the new highlight, far down
    assert message.evaluate(IN_VIEW), "the success message is scrolled out of view"
    page.problems.assert_none()


def test_message_after_saving_on_the_claim_page_is_in_view(live_server, page):
    analyst = make_user("analyst", "ana")
    article = factories.ArticleFactory(text=f"{LAST}. More.")
    claim = services.claim_create(article=article, start=0, end=len(LAST), quote=LAST, by=analyst)
    claim = services.claim_start_research(claim=claim, by=analyst)
    page.set_viewport_size({"width": 1366, "height": 420})
    log_in(page, live_server, "ana")
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    form = page.locator("#propose-form")
    form.get_by_label("Verdict").select_option("false")
    form.get_by_label("Rationale").fill("Exports rose.")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    form.get_by_role("button", name="Propose verdict").click()
    message = page.locator("#claim-body .message-success")
    expect(message).to_have_text("Verdict proposed.")
    assert page.evaluate("window.scrollY") > 0
    assert message.evaluate(IN_VIEW), "the success message is scrolled out of view"
    page.problems.assert_none()


def test_evidence_article_search_logs_no_console_error(live_server, page):
    analyst = make_user("analyst", "ana")
    article = factories.ArticleFactory(text=f"{LAST}. More.")
    factories.ArticleFactory(title="Quarterly export figures", text="Exports fell. Or rose.")
    claim = services.claim_create(article=article, start=0, end=len(LAST), quote=LAST, by=analyst)
    log_in(page, live_server, "ana")
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    search = page.locator("#evidence-form").get_by_label("Claimtrack article")
    with page.expect_response(lambda r: "/evidence/" in r.url and "q=" in r.url) as answered:
        search.fill("export")
    assert answered.value.ok
    expect(page.locator("#evidence-article-results")).to_contain_text("Quarterly export figures")
    # The form's "Add evidence" button is still usable: the search did not disable it.
    expect(page.locator("#evidence-form button[type=submit]")).to_be_enabled()
    page.problems.assert_none()
