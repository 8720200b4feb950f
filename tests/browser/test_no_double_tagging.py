"""Tagging a suggested sentence by hand closes its suggestion (issue 16, item 4): the
list no longer offers it, a tab loaded earlier cannot make a second claim from it, and
"Accept all" accepts only what is not tagged."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from apps.claims.models import Appearance, Claim, Suggestion
from tests import factories
from tests.browser.helpers import log_in, make_user, range_select

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seeds" / "000_d886f9ee4cc6ef26.txt"
TAGGED = (
    "Now it has been speculated that Russia is trying to buy weapons and ammunition from "
    "North Korea, especially 152 millimeter artillery shells."
)
OTHER = (
    "In return, North Korea could get much-needed money, grain, or even the opportunity to "
    "export more products to Russia."
)


def suggest(article, sentence, score):
    start = article.text.index(sentence)
    return Suggestion.objects.create(
        article=article, start=start, end=start + len(sentence), sentence=sentence, score=score
    )


def test_a_sentence_tagged_by_hand_is_not_tagged_again_from_its_suggestion(
    live_server, page, browser
):
    make_user("analyst", "kai")
    text = SEED.read_text(encoding="utf-8").strip("\n")
    article = factories.ArticleFactory(title=text.split("\n", 1)[0], text=text)
    tagged, other = suggest(article, TAGGED, 0.95), suggest(article, OTHER, 0.93)
    url = f"{live_server.url}/articles/{article.pk}/"
    log_in(page, live_server, "kai")
    stale = page.context.new_page()  # a tab loaded before the sentence was tagged
    stale.goto(url)
    page.goto(url)
    expect(page.locator("#suggestions li.suggestion")).to_have_count(2)

    range_select(page, TAGGED)
    page.keyboard.press("n")
    page.locator("#create-form").get_by_role("button", name="Save claim").click()
    page.wait_for_load_state()
    expect(page.locator("#suggestions li.suggestion")).to_have_count(1)
    expect(page.locator(f"#suggestion-{tagged.pk}")).to_have_count(0)
    claim = Claim.objects.get()

    stale.on("dialog", lambda dialog: dialog.dismiss())
    stale.locator(f"#suggestion-{tagged.pk}").get_by_role("button", name="New claim").click()
    expect(stale.locator("#suggestions")).to_contain_text(
        f"tagged as claim #{claim.pk}; nothing was added"
    )
    assert Claim.objects.count() == 1

    page.reload()
    page.locator(".accept-above").get_by_role("button", name="Accept").click()
    expect(page.locator("#suggestions")).to_contain_text("1 suggestion accepted.")
    other.refresh_from_db()
    assert other.state == "accepted"
    assert Appearance.objects.filter(article=article, start=tagged.start).count() == 1
    assert Claim.objects.count() == 2
