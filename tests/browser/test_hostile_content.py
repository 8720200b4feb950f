"""Hostile strings from outside (article text and title, claimant, statement, suggestion,
evidence title, publisher and note) shown in every place the analyst sees them: nothing
runs, no dialog opens, no console error, no injected element appears."""

import pytest
from playwright.sync_api import expect

from apps.claims import services
from apps.claims.models import Suggestion
from apps.evidence.services import evidence_add
from tests import factories
from tests.browser.helpers import log_in, make_user, range_select
from tests.hostile import IMG, JS_URL, LINK, SCRIPT, TEXTAREA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INJECTED = "script, img, a[href^='javascript:'], iframe, svg"


def test_hostile_content_stays_inert_text_everywhere(live_server, page):
    other = make_user("analyst", "other")
    make_user("analyst", "xavier")
    text = "\n\n".join(
        [
            f"Intro {SCRIPT} and more.",
            f"Picture {IMG} here.",
            f"Link {LINK}.",
            f"Closing {TEXTAREA} tag, the minister said.",
        ]
    )
    article = factories.ArticleFactory(
        title=f"Title {SCRIPT}", text=text, url=JS_URL, authors=[IMG]
    )
    quote = f"Picture {IMG} here."
    start = text.index(quote)
    claim = services.claim_create(
        article=article,
        start=start,
        end=start + len(quote),
        quote=quote,
        by=other,
        statement=f"Statement {SCRIPT} {TEXTAREA}",
        claimant_name=f"Claimant {IMG}",
    )
    evidence_add(
        claim=claim,
        by=other,
        stance="refutes",
        url="https://example.org/evidence",
        title=f"Evidence {TEXTAREA}",
        publisher=f"Publisher {SCRIPT}",
        note=f"Note {IMG} {LINK}",
    )
    sentence = f"Closing {TEXTAREA} tag, the minister said."
    Suggestion.objects.create(
        article=article,
        start=text.index(sentence),
        end=text.index(sentence) + len(sentence),
        sentence=sentence,
        score=0.8,
        claimant_name=f"Guess {SCRIPT}",
    )

    log_in(page, live_server, "xavier")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    expect(page.locator("#article-title")).to_have_text(f"Title {SCRIPT}")
    expect(page.locator("#article-body")).to_contain_text(IMG)
    expect(page.locator("#article-body")).to_contain_text(TEXTAREA)
    expect(page.locator("#suggestions")).to_contain_text(f"Guess {SCRIPT}")
    assert page.locator(f"#article-body {INJECTED.replace(', ', ', #article-body ')}").count() == 0
    assert page.locator("#suggestions img, #suggestions script").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0

    # The side panel: statement, claimant, evidence title, publisher and note.
    page.locator(f'#article-body mark[data-claim="{claim.pk}"]').click()
    panel = page.locator("#claim-panel")
    expect(panel.locator(".panel-statement")).to_have_text(f"Statement {SCRIPT} {TEXTAREA}")
    expect(panel).to_contain_text(f"Claimant {IMG}")
    expect(panel).to_contain_text(f"Evidence {TEXTAREA}")
    expect(panel).to_contain_text(f"Note {IMG} {LINK}")
    assert panel.locator("script, img, a[href^='javascript:']").count() == 0

    # The statement prefilled from a hostile quote, and the attach search.
    range_select(page, "Closing", "tag")
    page.locator("#selection-menu").get_by_role("button", name="New claim").click()
    expect(page.locator("#create-form textarea[name=statement]")).to_have_value(
        f"Closing {TEXTAREA} tag"
    )
    page.locator("#selection-panel").get_by_role("button", name="Cancel").first.click()
    range_select(page, "Link")
    page.locator("#selection-menu").get_by_role("button", name="Attach to claim…").click()
    page.get_by_label("Find the claim").fill("statement")
    expect(page.locator(f'#attach-results button[data-claim="{claim.pk}"]')).to_contain_text(SCRIPT)

    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    expect(page.locator(".claim-statement")).to_have_text(f"Statement {SCRIPT} {TEXTAREA}")
    expect(page.locator(".appearances")).to_contain_text(IMG)
    expect(page.locator(".stance-refutes")).to_contain_text(f"Evidence {TEXTAREA}")
    expect(page.locator(".stance-refutes .publisher")).to_have_text(f"Publisher {SCRIPT}")
    # The title editor's input holds the title as a value, not as markup.
    page.locator(".stance-refutes").get_by_text("Edit title").click()
    expect(page.locator(".stance-refutes").get_by_label("Title")).to_have_value(
        f"Evidence {TEXTAREA}"
    )
    assert page.locator("#claim-body script, #claim-body img").count() == 0
    page.wait_for_timeout(300)  # give any injected handler a chance to fire
    page.problems.assert_none()
