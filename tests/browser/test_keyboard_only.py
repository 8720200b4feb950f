"""Issue 16, item 11: tagging from the keyboard alone. A skip link to the article text;
sentences (the server's) walked with the arrow keys, the selection moved by words, and a
claim made on a sentence that was not suggested, with no mouse event at all; highlights
are tab stops that name their claim and status, and each status has its own pattern; the
suggestion list is one tab stop with arrow keys inside; the live region says what an
accept or a dismiss did."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from apps.claims import services
from apps.claims.models import Appearance, Suggestion
from apps.claims.nlp.sentences import split_sentences
from tests import factories
from tests.browser.helpers import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seeds" / "000_d886f9ee4cc6ef26.txt"
SUGGESTED = [
    "The countries they lead are in dire straits – and they have few friends.",
    "Now it has been speculated that Russia is trying to buy weapons and ammunition from "
    "North Korea, especially 152 millimeter artillery shells.",
    "In return, North Korea could get much-needed money, grain, or even the opportunity to "
    "export more products to Russia.",
]
# Not suggested: the keyboard user finds it among the article's sentences.
TARGET = (
    "According to Moshes, it is also possible that Russia is trying to acquire rare earth "
    "metals from North Korea, which are needed for the country’s own weapons production."
)
# Counts pointer and mouse button events across page loads (sessionStorage survives them).
COUNT_POINTER_EVENTS = """
for (const type of ["pointerdown", "mousedown", "mouseup", "pointerup"]) {
  window.addEventListener(type, () => {
    const n = Number(sessionStorage.getItem("pointerEvents") || "0");
    sessionStorage.setItem("pointerEvents", String(n + 1));
  }, true);
}
"""
STATUS = "#workspace-status"
# The first claim made loads the matcher in the live server: slow on a busy machine.
SLOW = 60_000


def seeded_article():
    text = SEED.read_text(encoding="utf-8").strip("\n")
    return factories.ArticleFactory(title=text.split("\n", 1)[0], text=text)


def suggest(article, sentence, score):
    start = article.text.index(sentence)
    return Suggestion.objects.create(
        article=article, start=start, end=start + len(sentence), sentence=sentence, score=score
    )


def log_in_by_keyboard(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/articles/")


def test_keyboard_only_claim_on_a_sentence_that_was_not_suggested(live_server, page):
    make_user("analyst", "kai")
    article = seeded_article()
    suggestions = [suggest(article, sentence, 0.8) for sentence in SUGGESTED]
    sentences = [s.text for s in split_sentences(article.text)]
    target_index = sentences.index(TARGET)
    page.add_init_script(COUNT_POINTER_EVENTS)
    log_in_by_keyboard(page, live_server, "kai")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    expect(page.locator("#suggestions li.suggestion")).to_have_count(3)

    # The first Tab reaches the skip link; Enter puts the focus on the article text.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the article text")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    text = page.locator("#article-body")
    expect(text).to_be_focused()
    expect(text).to_have_accessible_name("Article text")

    # Down walks the server's sentences, one at a time, each said in the live region.
    status = page.locator(STATUS)
    page.keyboard.press("ArrowDown")
    expect(status).to_have_text(f"Sentence 1 of {len(sentences)}: {sentences[0]}")
    suggested_index = sentences.index(SUGGESTED[0])
    for _ in range(suggested_index):
        page.keyboard.press("ArrowDown")
    expect(status).to_have_text(
        f"Sentence {suggested_index + 1} of {len(sentences)}: {SUGGESTED[0]} Suggested."
    )
    # One past the target, and back.
    for _ in range(target_index - suggested_index + 1):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(status).to_have_text(f"Sentence {target_index + 1} of {len(sentences)}: {TARGET}")
    assert page.evaluate("getSelection().toString()") == TARGET

    # The start goes three words later ("According to Moshes," off); the end one word
    # later (into the next sentence) and back.
    for _ in range(3):
        page.keyboard.press("Control+Shift+ArrowRight")
    quote = TARGET.removeprefix("According to Moshes, ")
    expect(status).to_have_text(f"Selected: {quote}")
    page.keyboard.press("Shift+ArrowRight")
    expect(status).to_have_text(f"Selected: {quote} In Suggested.")  # the next paragraph
    page.keyboard.press("Shift+ArrowLeft")
    expect(status).to_have_text(f"Selected: {quote}")
    assert page.evaluate("getSelection().toString()") == quote

    # Enter: the claim form, statement filled with the selection. Escape closes it and
    # gives the focus back to the text; Enter again.
    page.keyboard.press("Enter")
    statement = page.locator("#create-form textarea[name=statement]")
    expect(statement).to_be_focused()
    expect(statement).to_have_value(quote)
    page.keyboard.press("Escape")
    expect(page.locator("#selection-panel")).to_be_hidden()
    expect(text).to_be_focused()
    page.keyboard.press("Enter")
    expect(statement).to_be_focused()
    expect(statement).to_have_value(quote)
    # Tab to the claimant, a name typed, Enter saves.
    page.keyboard.press("Tab")
    claimant = page.locator("#create-form input[name=claimant_name]")
    expect(claimant).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type("Arkady Moshes")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/articles/{article.pk}/#appearance-*", timeout=SLOW)

    appearance = Appearance.objects.select_related("claim", "claimant").get(article=article)
    start = article.text.index(quote)
    assert (appearance.start, appearance.end) == (start, start + len(quote))
    assert appearance.quote == quote
    assert appearance.claim.statement == quote
    assert appearance.claimant.name == "Arkady Moshes"
    assert sorted(Suggestion.objects.values_list("state", flat=True)) == ["open"] * 3
    assert {s.pk for s in suggestions} == set(Suggestion.objects.values_list("pk", flat=True))

    # Back on the page: the focus is on the new highlight, which names its claim, and the
    # live region says what happened.
    mark = page.locator(f'#article-body mark[data-claim="{appearance.claim_id}"][tabindex="0"]')
    expect(mark).to_be_focused()
    expect(mark).to_have_accessible_name(f"Highlight, claim #{appearance.claim_id}, New: {quote}")
    expect(status).to_have_text(f"Claim #{appearance.claim_id} created.")
    # Down goes on from the highlight to the next sentence.
    page.keyboard.press("ArrowDown")
    expect(text).to_be_focused()
    expect(status).to_contain_text(f"Sentence {target_index + 2} of {len(sentences)}: In return")

    assert page.evaluate("sessionStorage.getItem('pointerEvents')") is None, "a mouse was used"
    page.problems.assert_none()


def test_highlights_are_tab_stops_that_name_claim_and_status_by_words_and_pattern(
    live_server, page
):
    analyst = make_user("analyst", "kai")
    article = seeded_article()
    first, second = SUGGESTED[0], SUGGESTED[1]
    start = article.text.index(first)
    new = services.claim_create(
        article=article, start=start, end=start + len(first), quote=first, by=analyst
    )
    start = article.text.index(second)
    researching = services.claim_start_research(
        claim=services.claim_create(
            article=article, start=start, end=start + len(second), quote=second, by=analyst
        ),
        by=analyst,
    )
    page.add_init_script(COUNT_POINTER_EVENTS)
    log_in_by_keyboard(page, live_server, "kai")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    page.locator("#article-body").focus()

    page.keyboard.press("Tab")
    first_mark = page.locator(f'mark[data-claim="{new.pk}"]')
    expect(first_mark).to_be_focused()
    expect(first_mark).to_have_accessible_name(f"Highlight, claim #{new.pk}, New: {first}")
    page.keyboard.press("Tab")
    second_mark = page.locator(f'mark[data-claim="{researching.pk}"]')
    expect(second_mark).to_be_focused()
    expect(second_mark).to_have_accessible_name(
        f"Highlight, claim #{researching.pk}, Researching: {second}"
    )

    # Each status has its own underline pattern, the same in the legend, not only a colour.
    def pattern(locator):
        return locator.evaluate("(el) => getComputedStyle(el).borderBottomStyle")

    assert pattern(first_mark) == "dotted"
    assert pattern(second_mark) == "dashed"
    legend = page.locator(".legend mark")
    expect(legend).to_have_count(4)
    patterns = [pattern(legend.nth(i)) for i in range(4)]
    assert patterns == ["dotted", "dashed", "double", "solid"]

    # Enter shows the focused highlight's claim beside the text.
    page.keyboard.press("Enter")
    panel = page.locator("#claim-panel")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text(f"Claim #{researching.pk}")
    expect(page.locator(STATUS)).to_have_text(
        f"Claim #{researching.pk} is shown beside the text. Escape closes it."
    )
    # The focus is in the panel; Escape closes it and gives the focus back to the highlight.
    expect(panel.get_by_role("heading", name=f"Claim #{researching.pk}")).to_be_focused()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(second_mark).to_be_focused()
    assert page.evaluate("sessionStorage.getItem('pointerEvents')") is None
    page.problems.assert_none()


def test_suggestion_list_is_one_tab_stop_with_arrow_keys_and_says_what_was_done(live_server, page):
    make_user("analyst", "kai")
    article = seeded_article()
    first, second, third = (suggest(article, s, 0.7) for s in SUGGESTED)
    page.add_init_script(COUNT_POINTER_EVENTS)
    log_in_by_keyboard(page, live_server, "kai")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    items = page.locator("#suggestions li.suggestion")
    expect(items).to_have_count(3)
    expect(page.locator("#suggestions li.suggestion[tabindex='0']")).to_have_count(1)

    # From the control before the list, Tab enters at the first suggestion, then its own
    # buttons, then leaves the list: the other suggestions are not tab stops.
    page.locator(".accept-above button").focus()
    page.keyboard.press("Tab")
    expect(page.locator(f"#suggestion-{first.pk}")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator(f"#suggestion-{first.pk} button", has_text="New claim")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator(f"#suggestion-{first.pk} button", has_text="Dismiss")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Re-run suggestions")).to_be_focused()

    # Back in the list: Down, End, Up, Home move the focus and the one tab stop with it.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(page.locator(f"#suggestion-{first.pk}")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator(f"#suggestion-{second.pk}")).to_be_focused()
    expect(page.locator(STATUS)).to_have_text(f"Suggestion 2 of 3: {SUGGESTED[1]}")
    page.keyboard.press("End")
    expect(page.locator(f"#suggestion-{third.pk}")).to_be_focused()
    page.keyboard.press("Home")
    expect(page.locator(f"#suggestion-{first.pk}")).to_be_focused()
    page.keyboard.press("ArrowDown")
    tab_stops = page.locator("#suggestions li.suggestion[tabindex='0']")
    expect(tab_stops).to_have_count(1)
    expect(tab_stops).to_have_id(f"suggestion-{second.pk}")
    expect(page.locator(f"#suggestion-{first.pk} button").first).to_have_attribute("tabindex", "-1")

    # x dismisses: the live region says so, and the focus goes on to the next suggestion.
    page.keyboard.press("x")
    expect(items).to_have_count(2)
    expect(page.locator(STATUS)).to_have_text(
        "Dismissed. Suggestion dismissed. 2 suggestions left."
    )
    expect(page.locator(f"#suggestion-{third.pk}")).to_be_focused()
    second.refresh_from_db()
    assert second.state == "dismissed"

    # a accepts: "Accepted." with the claim made; the focus stays in the list.
    page.keyboard.press("a")
    expect(items).to_have_count(1, timeout=SLOW)
    third.refresh_from_db()
    assert third.state == "accepted"
    claim_id = Appearance.objects.get(pk=third.appearance_id).claim_id
    expect(page.locator(STATUS)).to_have_text(
        f"Accepted. Claim #{claim_id} created. 1 suggestion left."
    )
    expect(page.locator(f"#suggestion-{first.pk}")).to_be_focused()
    expect(page.locator(f'#article-body mark[data-claim="{claim_id}"]')).to_have_text(SUGGESTED[2])
    assert page.evaluate("sessionStorage.getItem('pointerEvents')") is None
    page.problems.assert_none()


def test_keyboard_only_attach_of_a_sentence_to_a_tracked_claim(live_server, page):
    analyst = make_user("analyst", "kai")
    article = seeded_article()
    other = factories.ArticleFactory(text=f"{SUGGESTED[1]} More.")
    tracked = services.claim_create(
        article=other, start=0, end=len(SUGGESTED[1]), quote=SUGGESTED[1], by=analyst
    )
    sentences = [s.text for s in split_sentences(article.text)]
    target_index = sentences.index(SUGGESTED[1])
    page.add_init_script(COUNT_POINTER_EVENTS)
    log_in_by_keyboard(page, live_server, "kai")
    page.goto(f"{live_server.url}/articles/{article.pk}/")

    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    for _ in range(target_index + 1):
        page.keyboard.press("ArrowDown")
    status = page.locator(STATUS)
    expect(status).to_have_text(f"Sentence {target_index + 1} of {len(sentences)}: {SUGGESTED[1]}")
    # Shift+Up with one sentence selected: nothing to take off, and it says so.
    page.keyboard.press("Shift+ArrowUp")
    expect(status).to_have_text("Only one sentence is selected.")

    # / opens the attach search with the selection; Tab reaches the most similar claim.
    page.keyboard.press("/")
    search = page.get_by_label("Find the claim")
    expect(search).to_be_focused()
    choice = page.locator(f'#attach-results button[data-claim="{tracked.pk}"]')
    expect(choice).to_be_visible(timeout=SLOW)
    page.keyboard.press("Tab")
    expect(choice).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/articles/{article.pk}/#appearance-*", timeout=SLOW)

    appearance = Appearance.objects.get(article=article)
    assert appearance.claim_id == tracked.pk
    assert appearance.quote == SUGGESTED[1]
    expect(status).to_have_text(f"Attached to claim #{tracked.pk}.")
    mark = page.locator(f'#article-body mark[data-claim="{tracked.pk}"][tabindex="0"]')
    expect(mark).to_be_focused()
    assert page.evaluate("sessionStorage.getItem('pointerEvents')") is None, "a mouse was used"
    page.problems.assert_none()
