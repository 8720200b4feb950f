"""The keyboard on the reading page: ? shows the shortcuts, j/k walk the suggestions, x
dismisses, a accepts (and the new highlight appears without a reload), n makes a claim
from the selection, / searches; keys typed into a field are left alone."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from apps.claims.models import Appearance, Suggestion
from tests import factories
from tests.browser.helpers import log_in, make_user, range_select

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seeds" / "000_d886f9ee4cc6ef26.txt"
SENTENCES = [
    "The countries they lead are in dire straits – and they have few friends.",
    "Now it has been speculated that Russia is trying to buy weapons and ammunition from "
    "North Korea, especially 152 millimeter artillery shells.",
    "In return, North Korea could get much-needed money, grain, or even the opportunity to "
    "export more products to Russia.",
]


def suggest(article, sentence, score, claimant=""):
    start = article.text.index(sentence)
    return Suggestion.objects.create(
        article=article,
        start=start,
        end=start + len(sentence),
        sentence=sentence,
        score=score,
        claimant_name=claimant,
    )


def test_keyboard_walks_accepts_and_dismisses_suggestions(live_server, page, screenshot):
    make_user("analyst", "kai")
    text = SEED.read_text(encoding="utf-8").strip("\n")
    article = factories.ArticleFactory(title=text.split("\n", 1)[0], text=text)
    first, second, third = (
        suggest(article, SENTENCES[0], 0.71),
        suggest(article, SENTENCES[1], 0.93, "Arkady Moshes"),
        suggest(article, SENTENCES[2], 0.64),
    )
    log_in(page, live_server, "kai")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    items = page.locator("#suggestions li.suggestion")
    expect(items).to_have_count(3)
    expect(page.locator(f"#suggestion-{second.pk}")).to_contain_text("score 0.93")
    expect(page.locator(f"#suggestion-{second.pk}")).to_contain_text("Arkady Moshes")
    expect(page.locator(f'#article-body [data-suggestion="{first.pk}"]').first).to_be_visible()

    # ? shows the shortcuts; Escape closes them.
    page.keyboard.press("?")
    help_dialog = page.locator("#shortcuts")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("Next / previous suggestion")
    screenshot(page, "article-shortcuts", full_page=False)
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()

    # Keys typed into a field are text, not commands.
    page.locator("#top-search").fill("")
    page.locator("#top-search").press("j")
    expect(page.locator("#suggestions li.is-current")).to_have_count(0)
    page.locator("#top-search").blur()

    # j, j, k: second, third... back to the second; the text follows.
    page.keyboard.press("j")
    expect(page.locator(f"#suggestion-{first.pk}")).to_have_class(r"suggestion is-current")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator(f"#suggestion-{third.pk}")).to_have_class(r"suggestion is-current")
    page.keyboard.press("k")
    current = page.locator(f"#suggestion-{second.pk}")
    expect(current).to_have_class(r"suggestion is-current")
    expect(
        page.locator(f'#article-body .is-current[data-suggestion="{second.pk}"]').first
    ).to_be_visible()
    screenshot(page, "article-suggestions", full_page=False)

    # x dismisses the current one; the next one becomes current.
    page.keyboard.press("x")
    expect(items).to_have_count(2)
    expect(page.locator(f"#suggestion-{third.pk}")).to_have_class(r"suggestion is-current")
    second.refresh_from_db()
    assert second.state == "dismissed"

    # a accepts it: a new claim, and its highlight appears in the text without a reload.
    page.keyboard.press("a")
    # The first claim made loads the matcher in the live server: seconds on a busy machine.
    expect(items).to_have_count(1, timeout=60_000)
    third.refresh_from_db()
    assert third.state == "accepted" and third.appearance_id
    appearance = Appearance.objects.get(pk=third.appearance_id)
    mark = page.locator(f'#article-body mark[data-claim="{appearance.claim_id}"]')
    expect(mark).to_have_text(SENTENCES[2])
    expect(page.locator(f"#claim-card-{appearance.claim_id}")).to_be_visible()

    # n: a new claim from the selection, statement prefilled.
    range_select(page, "Russia has to use the allies it has.")
    page.keyboard.press("n")
    statement = page.locator("#create-form textarea[name=statement]")
    expect(statement).to_be_focused()
    expect(statement).to_have_value("Russia has to use the allies it has.")
    page.keyboard.press("Escape")  # in the statement field: closes the panel
    expect(page.locator("#selection-panel")).to_be_hidden()

    # A selection that ends with who says it: the statement offered leaves that out.
    range_select(page, "Russia has to use the allies it has.", "Moshes says.")
    page.keyboard.press("n")
    expect(statement).to_have_value(
        "Russia has to use the allies it has. North Korea is one of the few countries that "
        "recognized the annexation of Crimea to Russia in 2014."
    )
    expect(page.locator("#create-form input[name=claimant_name]")).to_have_value("Arkady Moshes")
    page.keyboard.press("Escape")
    expect(page.locator("#selection-panel")).to_be_hidden()

    # Esc lets go of the selection and the suggestion; / then goes to the claim search.
    page.keyboard.press("Escape")
    expect(page.locator("#suggestions li.is-current")).to_have_count(0)
    page.keyboard.press("/")
    expect(page.locator("#top-search")).to_be_focused()
    page.problems.assert_none()
