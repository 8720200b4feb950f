"""Issue 15, item 7: with the strict Content-Security-Policy on, the pages people use load
and work without a single violation (an inline script or style the policy blocked)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.claims import services
from apps.ingestion.models import IngestBatch, IngestJob
from tests import factories
from tests.browser.helpers import log_in, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every violation the browser reports, kept in the page for the test to read.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def test_the_main_pages_load_without_a_csp_violation(live_server, page):
    editor = make_user("editor", "ed")
    article = factories.ArticleFactory(text="The port handled 12 million containers in 2023.")
    claim = services.claim_create(
        article=article, start=0, end=47, quote=article.text[:47], by=editor
    )
    batch = IngestBatch.objects.create(label="Morning", created_by=editor)
    IngestJob.objects.create(
        channel=IngestJob.Channel.URL,
        url="https://news.example/a",
        status=IngestJob.Status.FAILED,
        batch=batch,
        created_by=editor,
    )
    page.add_init_script(RECORD_VIOLATIONS)
    log_in(page, live_server, "ed")
    pages = [
        reverse("articles:list"),
        reverse("articles:detail", args=[article.pk]),
        reverse("claims:detail", args=[claim.pk]),
        reverse("desk:review_queue"),
        reverse("desk:dashboard"),
        reverse("ingestion:batch_detail", args=[batch.pk]),
        reverse("fact_checks:index"),
    ]
    for path in pages:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__csp") == [], path
    # The batch's bar still shows its failed part (an SVG now, not styled spans).
    page.goto(live_server.url + reverse("ingestion:batch_detail", args=[batch.pk]))
    bar = page.locator("svg.progress-bar rect.segment-failed").first
    assert bar.bounding_box()["width"] > 100
    page.problems.assert_none()


def test_the_api_docs_render_under_the_policy(live_server, page):
    make_user("analyst", "ana")
    page.add_init_script(RECORD_VIOLATIONS)
    log_in(page, live_server, "ana")
    page.goto(live_server.url + reverse("api:docs"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Claimtrack")
    expect(page.locator("#back-to-app")).to_be_visible()
    assert page.evaluate("window.__csp") == []
