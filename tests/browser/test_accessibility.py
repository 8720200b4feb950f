"""Issue 16: axe-core (vendored in static/vendor/axe-core, injected by the test only) finds no
serious or critical violation on the reading page, the claim page, the review queue and the
dashboard, at a desktop width and on a phone, with the reading page's panels open."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, range_select
from tests.browser.newsroom import NEW, SUGGESTED, build_newsroom

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: "
                    + n.failureSummary.replace(/\\s+/g, " ").slice(0, 240))}));
}"""


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(RUN_AXE)
    return [
        f"{page.url} [{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"])
        for v in found
    ]


@pytest.mark.parametrize(
    "viewport", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}]
)
def test_main_pages_have_no_serious_accessibility_violations(live_server, browser, viewport):
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    page = context.new_page()
    room = build_newsroom()
    log_in(page, live_server, "eddie")
    problems = []

    # The reading page: as it opens; with the claim form for a long selection (its quote
    # preview was a scroll box no keyboard could scroll); with a suggestion picked; with a
    # claim's details.
    page.goto(f"{live_server.url}/articles/{room.article.pk}/")
    expect(page.locator(f"#suggestion-{room.suggestion.pk}")).to_be_attached()
    problems += serious_violations(page)
    range_select(page, NEW, SUGGESTED)
    page.locator("#selection-menu").get_by_role("button", name="New claim").click()
    expect(page.locator("#selection-panel")).to_be_visible()
    problems += serious_violations(page)
    page.locator("#create-form").get_by_role("button", name="Cancel").click()
    page.locator(f'#article-body [data-suggestion="{room.suggestion.pk}"]').first.click()
    expect(page.locator(f"#suggestion-{room.suggestion.pk}")).to_have_class(
        re.compile("is-current")
    )
    problems += serious_violations(page)
    page.keyboard.press("Escape")
    page.locator(f'#article-body mark[data-claim="{room.in_review.pk}"]').first.click()
    expect(page.locator("#claim-panel")).to_contain_text("Stocks are low")
    problems += serious_violations(page)

    for path in (
        f"/claims/{room.in_review.pk}/",
        f"/claims/{room.published.pk}/",
        "/desk/review/",
        "/desk/dashboard/",
    ):
        page.goto(live_server.url + path)
        problems += serious_violations(page)

    # The review queue asking to confirm a publication in the row.
    page.goto(f"{live_server.url}/desk/review/")
    row = page.locator(f"#queue-row-{room.in_review.pk}")
    row.get_by_role("button", name="Approve & publish").click()
    expect(row.get_by_role("alertdialog")).to_be_visible()
    problems += serious_violations(page)
    context.close()
    assert problems == [], "\n".join(problems)
