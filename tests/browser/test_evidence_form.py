"""Issue 16, item 8: the evidence form's errors are in view after submit, next to their
field and summarised on top (what is missing first), and a title that could not be
fetched is fetched again with one click."""

import pytest
from playwright.sync_api import expect

from apps.claims import services
from apps.evidence import services as evidence_services
from apps.evidence.models import Source
from tests import factories
from tests.browser.helpers import log_in, make_user
from tests.core.httpserver import LocalServer, Reply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "The ministry said exports fell by half in the last quarter"
PAGE = (
    b"<!doctype html><html><head><meta charset='utf-8'><title>Export figures</title>"
    b"<meta property='og:site_name' content='Statistics Office'></head><body></body></html>"
)
IN_VIEW = """(el) => { const r = el.getBoundingClientRect();
  return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }"""


def claim_page(live_server, page, *, height=500):
    analyst = make_user("analyst", "ana")
    article = factories.ArticleFactory(text=f"{QUOTE}. More.")
    claim = services.claim_create(article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst)
    page.set_viewport_size({"width": 1366, "height": height})
    log_in(page, live_server, "ana")
    return analyst, claim


def test_empty_evidence_form_errors_are_in_view_and_lead_to_the_fields(live_server, page):
    _, claim = claim_page(live_server, page)
    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    page.problems.allow_status(400)  # the deliberate form error
    form = page.locator("#evidence-form")
    form.get_by_role("button", name="Add evidence").scroll_into_view_if_needed()
    form.get_by_role("button", name="Add evidence").click()
    errors = form.locator(".error-summary")
    expect(errors).to_be_focused()
    assert errors.evaluate(IN_VIEW), "the error summary is out of view"
    expect(errors.locator("li").first).to_have_text("Give a URL, an article or a note.")
    expect(form.locator("#id_evidence_url-error")).to_have_text("Give a URL, an article or a note.")
    expect(form.locator("#id_evidence_stance-error")).to_contain_text("Choose a stance")
    expect(form.get_by_label("URL")).to_have_attribute("aria-invalid", "true")
    errors.get_by_role("link", name="Choose a stance: supports, refutes or context.").click()
    expect(form.get_by_label("Stance")).to_be_focused()
    page.problems.assert_none()


def test_a_failed_title_is_fetched_again_with_one_click(live_server, page, settings):
    with LocalServer() as server:
        settings.FETCH_ALLOWED_HOSTS = [server.host_port]
        url = server.route(
            "/exports", Reply(status=503, headers={"Content-Type": "text/html"}, body=b"busy")
        )
        analyst, claim = claim_page(live_server, page, height=800)
        link = evidence_services.evidence_add(claim=claim, by=analyst, stance="refutes", url=url)
        evidence_services.source_fetch_details(source_id=link.source_id, final=True)
        assert Source.objects.get(pk=link.source_id).fetch_error
        page.goto(f"{live_server.url}/claims/{claim.pk}/")
        item = page.locator(f"#evidence-{link.pk}")
        expect(item.locator(".fetch-error")).to_contain_text("503")
        server.route(
            "/exports", Reply(headers={"Content-Type": "text/html; charset=utf-8"}, body=PAGE)
        )
        item.get_by_role("button", name="Fetch title again").click()
        expect(item.get_by_role("link", name="Export figures")).to_have_attribute("href", url)
        expect(item.locator(".publisher")).to_have_text("Statistics Office")
        expect(item.locator(".fetch-error")).to_have_count(0)
        expect(item.get_by_role("button", name="Fetch title again")).to_have_count(0)
    page.problems.assert_none()
