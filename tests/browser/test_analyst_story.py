"""What an analyst does in the browser: select text, make a claim, look at it in the side
panel, attach a second appearance from the most similar claims, link evidence whose title
is fetched in the background, propose a verdict, submit it. Plus code-point offsets with
emoji, combining marks, CRLF text and right-to-left script."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from apps.claims import services
from apps.claims.models import Appearance, Claim
from apps.evidence.models import EvidenceLink
from tests import factories
from tests.browser.helpers import drag_select, log_in, make_user, range_select
from tests.core.httpserver import LocalServer, Reply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"
FIRST_QUOTE = "Russia is running out of munitions used in the war in Ukraine"
SECOND_QUOTE = "With Russia running out of ammunition"
EVIDENCE_PAGE = (
    b"<!doctype html><html><head><meta charset='utf-8'>"
    b"<title>Shell production rose in 2023 | Example Institute</title>"
    b"<meta property='og:site_name' content='Example Institute'></head>"
    b"<body><p>Output rose.</p></body></html>"
)


def seed_article(name: str, **extra):
    text = (SEEDS / name).read_text(encoding="utf-8").strip("\n")
    return factories.ArticleFactory(title=text.split("\n", 1)[0], text=text, **extra)


@pytest.fixture
def evidence_site(settings):
    """A web page for the evidence URL, on a local server the safe client may reach."""
    with LocalServer() as server:
        settings.FETCH_ALLOWED_HOSTS = [server.host_port]
        server.route(
            "/shell-production-2023",
            Reply(headers={"Content-Type": "text/html; charset=utf-8"}, body=EVIDENCE_PAGE),
        )
        yield server


def test_analyst_tags_two_articles_links_evidence_and_submits(
    live_server, page, screenshot, evidence_site
):
    analyst = make_user("analyst", "ana")
    first = seed_article("000_d886f9ee4cc6ef26.txt", language="en")
    second = seed_article("002_f49be105a19d2bd2.txt")
    assert FIRST_QUOTE in first.text and SECOND_QUOTE in second.text
    # Other tracked claims, so "most similar first" means something.
    other = factories.ArticleFactory(
        text="The economy grew by 5 percent in 2023.\n\nNorth Korea faces food shortages."
    )
    for quote in ("The economy grew by 5 percent in 2023", "North Korea faces food shortages"):
        start = other.text.index(quote)
        services.claim_create(
            article=other, start=start, end=start + len(quote), quote=quote, by=analyst
        )

    log_in(page, live_server, "ana")
    expect(page.locator(".who")).to_contain_text("ana")
    expect(page.locator(".who .role")).to_have_text("analyst")
    expect(page.get_by_role("link", name="My claims")).to_be_visible()
    expect(page.locator(".listing")).to_contain_text(second.title)
    screenshot(page, "article-list")
    page.get_by_role("link", name=first.title).click()
    expect(page.locator("#article-title")).to_have_text(first.title)

    # 1. Select the sentence with a real mouse drag and make it a claim.
    drag_select(page, FIRST_QUOTE)
    menu = page.locator("#selection-menu")
    expect(menu).to_be_visible()
    screenshot(page, "article-selection-menu", full_page=False)
    menu.get_by_role("button", name="New claim").click()
    statement = page.locator("#create-form textarea[name=statement]")
    expect(statement).to_be_visible()
    expect(statement).to_have_value(FIRST_QUOTE)
    expect(page.locator("#selection-quote")).to_have_text(FIRST_QUOTE)
    # The article states this sentence itself (no "said" names a speaker), so no name is
    # filled in; the people it quotes are offered to pick with one click.
    claimant = page.locator("#create-form").get_by_label("Claimant")
    chip = page.locator("#claimant-candidates").get_by_role("button", name="Arkady Moshes")
    expect(chip).to_be_visible()
    expect(claimant).to_have_value("")
    screenshot(page, "article-new-claim-form", full_page=False)
    chip.click()
    expect(claimant).to_have_value("Arkady Moshes")
    page.get_by_role("button", name="Save claim").click()

    claim = Claim.objects.get(statement=FIRST_QUOTE)
    appearance = claim.appearances.get()
    assert appearance.quote == FIRST_QUOTE == first.text[appearance.start : appearance.end]
    assert appearance.claimant.name == "Arkady Moshes"
    expect(page.locator(".messages")).to_contain_text(f"Claim #{claim.pk} created.")
    mark = page.locator(f'#article-body mark[data-claim="{claim.pk}"]')
    expect(mark).to_have_count(1)
    expect(mark).to_have_text(FIRST_QUOTE)
    expect(mark).to_have_class(re.compile(r"\bstatus-new\b"))
    expect(page.locator(f"#claim-card-{claim.pk}")).to_contain_text(FIRST_QUOTE)

    # 2. Click the highlight: the claim opens in the side panel.
    mark.click()
    panel = page.locator("#claim-panel")
    expect(panel).to_be_visible()
    expect(panel.locator(".panel-statement")).to_have_text(FIRST_QUOTE)
    expect(panel.locator("[data-panel-status]")).to_have_text("New")
    expect(panel.locator(".panel-appearances > li")).to_have_count(1)
    expect(panel).to_contain_text("Arkady Moshes")
    expect(panel).to_contain_text("No evidence yet.")
    screenshot(page, "article-page")

    # 3. In a second article, select a span and press "/": the most similar claims first.
    page.goto(f"{live_server.url}/articles/{second.pk}/")
    range_select(page, SECOND_QUOTE)
    expect(menu).to_be_visible()
    page.keyboard.press("/")
    expect(page.locator("#selection-quote")).to_have_text(SECOND_QUOTE)
    expect(page.locator("#attach-q")).to_be_focused()
    choices = page.locator("#attach-results button.attach-choice")
    expect(choices.first).to_have_attribute("data-claim", str(claim.pk))
    expect(page.locator("#attach-results")).to_contain_text("Most similar to the selection")
    # Only claims the matcher ranks as alike are offered, each with its tier; the unrelated
    # claims (economy, food shortages) are not listed at all.
    expect(choices.first.locator(".tier")).to_have_text(
        re.compile(r"^(Likely the same|Possibly related)$")
    )
    expect(page.locator("#attach-results")).not_to_contain_text("North Korea")
    expect(page.locator("#attach-results")).not_to_contain_text("economy grew")
    screenshot(page, "article-attach-panel", full_page=False)
    choices.first.click()

    expect(page.locator(".messages")).to_contain_text(f"Attached to claim #{claim.pk}.")
    expect(page.locator(f'#article-body mark[data-claim="{claim.pk}"]')).to_have_text(SECOND_QUOTE)
    attached = claim.appearances.get(article=second)
    assert attached.quote == SECOND_QUOTE == second.text[attached.start : attached.end]

    # 4. On the claim page: refuting evidence (its title fetched in the background), a
    # verdict, and submission for review.
    page.locator(f"#claim-card-{claim.pk} a.statement").click()
    page.wait_for_url(f"{live_server.url}/claims/{claim.pk}/")
    expect(page.locator(".appearances > li")).to_have_count(2)
    expect(page.locator("#claim-history-link")).to_have_attribute(
        "href", f"/desk/claims/{claim.pk}/history/"
    )

    evidence = page.locator("#evidence-form")
    evidence_url = evidence_site.url("/shell-production-2023")
    evidence.get_by_label("URL").fill(evidence_url)
    page.problems.allow_status(400)  # the deliberate form error below
    # Forgetting the stance: the error comes back in place (htmx swaps the 400) and
    # nothing typed is lost.
    evidence.get_by_role("button", name="Add evidence").click()
    expect(evidence.get_by_role("alert")).to_contain_text("Choose a stance")
    expect(evidence.get_by_label("URL")).to_have_value(evidence_url)
    assert not EvidenceLink.objects.exists()
    evidence.get_by_label("Stance").select_option("refutes")
    evidence.get_by_label("Note").fill("Production rose in 2023.")
    evidence.get_by_role("button", name="Add evidence").click()
    expect(page.locator("#claim-body .message-success")).to_have_text("Evidence added.")
    refutes = page.locator(".stance-refutes .evidence")
    expect(refutes).to_have_count(1)
    expect(refutes.get_by_role("link", name="Shell production rose in 2023")).to_have_attribute(
        "href", evidence_url
    )
    expect(refutes.locator(".publisher")).to_have_text("Example Institute")
    link = EvidenceLink.objects.get(claim=claim)
    assert link.stance == "refutes" and link.source.url == evidence_url
    assert link.source.title == "Shell production rose in 2023"

    # The fetched title is a guess: correct it in place.
    refutes.get_by_text("Edit title").click()
    refutes.get_by_label("Title").fill("Shell production report 2023")
    refutes.get_by_role("button", name="Save").click()
    expect(page.locator(".stance-refutes .evidence-title")).to_have_text(
        "Shell production report 2023"
    )
    link.source.refresh_from_db()
    assert link.source.title == "Shell production report 2023"

    propose = page.locator("#propose-form")
    propose.get_by_label("Verdict").select_option("misleading")
    propose.get_by_label("Rationale").fill("Shell output rose; shortages were local.")
    propose.get_by_role("button", name="Propose verdict").click()
    expect(page.locator("#claim-body .message-success")).to_have_text("Verdict proposed.")
    expect(page.locator("#claim-verdict")).to_have_text("Misleading")
    expect(page.locator(".rationale")).to_contain_text("Shell output rose")
    claim.refresh_from_db()
    assert (claim.verdict, claim.status) == ("misleading", "researching")

    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#claim-body .message-success")).to_have_text("Submitted for review.")
    expect(page.locator("#claim-status")).to_have_text("In review")
    expect(page.locator("#approve-form")).to_have_count(0)  # analysts do not publish
    claim.refresh_from_db()
    assert claim.status == "in_review" and claim.submitted_at is not None
    expect(page.locator(".timeline")).to_contain_text("ana")
    # Where the two reports differ (the claims app's fragment, loaded after the body).
    expect(page.locator("section#differences")).to_contain_text("2 reports")
    screenshot(page, "claim-page")
    page.problems.assert_none()


def test_offsets_are_code_points_with_emoji_and_combining_marks(live_server, page):
    make_user("analyst", "emma")
    claim_text = "The ministry spent 3 million euros on shells"
    text = (
        "Intro 😀👍🏽 and cafe\u0301 with 🇫🇮 flags.\n\n"
        f"Zwölf 🧑‍🤝‍🧑 people said: {claim_text} last year. 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ends it."
    )
    article = factories.ArticleFactory(title="Emoji 😀 article", text=text)
    log_in(page, live_server, "emma")
    page.goto(f"{live_server.url}/articles/{article.pk}/")

    range_select(page, claim_text)
    page.locator("#selection-menu").get_by_role("button", name="New claim").click()
    page.get_by_role("button", name="Save claim").click()
    expect(page.locator(".messages")).to_contain_text("created")
    appearance = Appearance.objects.get()
    assert appearance.start == text.index(claim_text)  # code points, not UTF-16 units
    assert len(text[: appearance.start].encode("utf-16-le")) // 2 > appearance.start
    assert text[appearance.start : appearance.end] == appearance.quote == claim_text

    # Across the paragraph break, starting inside emoji territory and ending past the mark.
    range_select(page, "flags.", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢")
    page.locator("#selection-menu").get_by_role("button", name="New claim").click()
    page.get_by_role("button", name="Save claim").click()
    expect(page.locator(".messages")).to_contain_text("created")
    spanning = Appearance.objects.exclude(pk=appearance.pk).get()
    assert spanning.quote == text[spanning.start : spanning.end]
    assert spanning.quote.startswith("flags.\n\nZwölf") and spanning.quote.endswith("𝔘𝔫𝔦𝔠𝔬𝔡𝔢")
    # both highlights render, overlapping, without breaking the text
    expect(page.locator("#article-body")).to_contain_text(claim_text)
    assert page.locator("#article-body mark.hl-overlap").count() >= 1
    page.problems.assert_none()


def test_crlf_text_and_right_to_left_script_keep_exact_offsets(live_server, page):
    """Text stored with CRLF line breaks (not normalised) and Arabic/Hebrew paragraphs:
    the browser's text equals the stored text, selections across the breaks are sent in
    code points and the quote matches exactly."""
    make_user("analyst", "rami")
    arabic = "الاقتصاد نما بنسبة 5 في المئة"
    hebrew = "הכלכלה צמחה ב-5 אחוזים"
    text = (
        "First line of the report\r\nwith a CRLF break 😀.\r\n\r\n"
        f"قال الوزير إن {arabic} في عام 2023.\r\n\r\n"
        f"השר אמר כי {hebrew} בשנה שעברה."
    )
    article = factories.ArticleFactory(title="Mixed scripts", text=text, language="ar")
    log_in(page, live_server, "rami")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    # The DOM holds the CR characters too (written as &#13;).
    dom_text = page.evaluate("document.getElementById('article-body').textContent")
    assert "report\r\nwith" in dom_text

    # Across the CRLF inside a paragraph and over the paragraph break.
    range_select(page, "with a CRLF", "الوزير")
    page.locator("#selection-menu").get_by_role("button", name="New claim").click()
    page.get_by_role("button", name="Save claim").click()
    expect(page.locator(".messages")).to_contain_text("created")
    across = Appearance.objects.get()
    assert across.quote == text[across.start : across.end]
    assert across.quote.startswith("with a CRLF break 😀.\r\n\r\nقال") and across.quote.endswith(
        "الوزير"
    )

    for quote in (arabic, hebrew):
        range_select(page, quote)
        page.locator("#selection-menu").get_by_role("button", name="New claim").click()
        page.get_by_role("button", name="Save claim").click()
        expect(page.locator(".messages")).to_contain_text("created")
        made = Appearance.objects.get(quote=quote)
        assert made.start == text.index(quote)
    expect(page.locator("#article-body p[dir=auto]")).to_have_count(3)
    page.problems.assert_none()
