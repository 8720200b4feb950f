"""What an analyst does in the browser: select text, make a claim, attach a second
appearance, link evidence, propose a verdict, submit it. Plus code-point offsets with
emoji and combining marks, and hostile article content that must stay inert text."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from apps.claims import services
from apps.claims.models import Appearance, Claim
from apps.evidence.models import EvidenceLink
from tests import factories
from tests.browser.helpers import drag_select, log_in, make_user, range_select

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"
FIRST_QUOTE = "Russia is running out of munitions used in the war in Ukraine"
SECOND_QUOTE = "With Russia running out of ammunition"


def seed_article(name: str):
    text = (SEEDS / name).read_text(encoding="utf-8").strip("\n")
    return factories.ArticleFactory(title=text.split("\n", 1)[0], text=text)


def test_analyst_tags_two_articles_links_evidence_and_submits(live_server, page, screenshot):
    make_user("analyst", "ana")
    first = seed_article("000_d886f9ee4cc6ef26.txt")
    second = seed_article("002_f49be105a19d2bd2.txt")
    assert FIRST_QUOTE in first.text and SECOND_QUOTE in second.text

    log_in(page, live_server, "ana")
    expect(page.locator(".who")).to_contain_text("ana")
    expect(page.locator(".who .role")).to_have_text("analyst")
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
    screenshot(page, "article-new-claim-form", full_page=False)
    expect(statement).to_have_value(FIRST_QUOTE)
    expect(page.locator("#selection-quote")).to_have_text(FIRST_QUOTE)
    page.locator("#create-form").get_by_label("Claimant").fill("Arkady Moshes")
    page.get_by_role("button", name="Save claim").click()

    claim = Claim.objects.get()
    appearance = claim.appearances.get()
    assert appearance.quote == FIRST_QUOTE == first.text[appearance.start : appearance.end]
    assert appearance.claimant.name == "Arkady Moshes"
    expect(page.locator(".messages")).to_contain_text(f"Claim #{claim.pk} created.")
    mark = page.locator(f'#article-body mark[data-claim="{claim.pk}"]')
    expect(mark).to_have_count(1)
    expect(mark).to_have_text(FIRST_QUOTE)
    expect(mark).to_have_class(re.compile(r"\bstatus-new\b"))
    expect(page.locator(f"#claim-card-{claim.pk}")).to_contain_text(FIRST_QUOTE)
    screenshot(page, "article-page")

    # 2. In a second article, select a span with a DOM Range and attach it to that claim.
    page.goto(f"{live_server.url}/articles/{second.pk}/")
    range_select(page, SECOND_QUOTE)
    menu.get_by_role("button", name="Attach to claim…").click()
    expect(page.locator("#selection-quote")).to_have_text(SECOND_QUOTE)
    page.get_by_label("Find the claim").fill("munitions ukraine")
    choice = page.locator(f'#attach-results button[data-claim="{claim.pk}"]')
    expect(choice).to_contain_text(FIRST_QUOTE)
    screenshot(page, "article-attach-panel", full_page=False)
    choice.click()

    expect(page.locator(".messages")).to_contain_text(f"Attached to claim #{claim.pk}.")
    expect(page.locator(f'#article-body mark[data-claim="{claim.pk}"]')).to_have_text(SECOND_QUOTE)
    attached = claim.appearances.get(article=second)
    assert attached.quote == SECOND_QUOTE == second.text[attached.start : attached.end]

    # 3. On the claim page: refuting evidence, a verdict, and submission for review.
    page.locator(f"#claim-card-{claim.pk} a.statement").click()
    page.wait_for_url(f"{live_server.url}/claims/{claim.pk}/")
    expect(page.locator(".appearances > li")).to_have_count(2)

    evidence = page.locator("#evidence-form")
    evidence.get_by_label("URL").fill("https://www.example.org/shell-production-2023")
    evidence.get_by_label("Title").fill("Shell production report")
    page.problems.allow_status(400)  # the deliberate form error below
    # Forgetting the stance: the error comes back in place (htmx swaps the 400) and
    # nothing typed is lost.
    evidence.get_by_role("button", name="Add evidence").click()
    expect(evidence.get_by_role("alert")).to_contain_text("Stance must be one of")
    expect(evidence.get_by_label("URL")).to_have_value(
        "https://www.example.org/shell-production-2023"
    )
    expect(evidence.get_by_label("Title")).to_have_value("Shell production report")
    assert not EvidenceLink.objects.exists()
    evidence.get_by_label("Stance").select_option("refutes")
    evidence.get_by_label("Note").fill("Production rose in 2023.")
    evidence.get_by_role("button", name="Add evidence").click()
    expect(page.locator("#claim-body .message-success")).to_have_text("Evidence added.")
    refutes = page.locator(".stance-refutes .evidence")
    expect(refutes).to_have_count(1)
    expect(refutes.get_by_role("link", name="Shell production report")).to_have_attribute(
        "href", "https://www.example.org/shell-production-2023"
    )
    link = EvidenceLink.objects.get(claim=claim)
    assert link.stance == "refutes" and link.source.url.endswith("/shell-production-2023")

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


def test_hostile_article_content_stays_inert_text(live_server, page):
    make_user("analyst", "xavier")
    payloads = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">click</a>',
    ]
    text = "\n\n".join(
        [f"Intro {payloads[0]} and more.", f"Picture {payloads[1]} here.", f"Link {payloads[2]}."]
    )
    article = factories.ArticleFactory(
        title=f"Title {payloads[0]}", text=text, url="javascript:alert(1)", authors=[payloads[1]]
    )
    quote = "Picture <img src=x onerror=alert(1)> here."
    start = text.index(quote)
    claim = services.claim_create(
        article=article,
        start=start,
        end=start + len(quote),
        quote=quote,
        by=make_user("analyst", "other"),
        statement=f"Statement {payloads[0]}",
        claimant_name=f"Claimant {payloads[1]}",
    )
    log_in(page, live_server, "xavier")
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    expect(page.locator("#article-title")).to_have_text(f"Title {payloads[0]}")
    expect(page.locator("#article-body")).to_contain_text(payloads[1])
    assert page.locator("#article-body script, #article-body img, #article-body a").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0

    # The statement also comes back through the htmx attach search.
    range_select(page, "Link")
    page.locator("#selection-menu").get_by_role("button", name="Attach to claim…").click()
    page.get_by_label("Find the claim").fill("statement")
    expect(page.locator(f'#attach-results button[data-claim="{claim.pk}"]')).to_contain_text(
        payloads[0]
    )

    page.goto(f"{live_server.url}/claims/{claim.pk}/")
    expect(page.locator(".claim-statement")).to_have_text(f"Statement {payloads[0]}")
    expect(page.locator(".appearances")).to_contain_text(payloads[1])
    page.wait_for_timeout(300)  # give any injected handler a chance to fire
    page.problems.assert_none()
