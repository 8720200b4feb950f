"""Issue 16, item 3, in the browser: an analyst adds an article Claimtrack cannot fetch by
pasting its text, and another by uploading its file, each with title, outlet, address, date
and language, and reads it on its page."""

import pytest
from playwright.sync_api import expect

from apps.articles.models import Article
from apps.ingestion.models import IngestJob
from tests.browser.helpers import log_in, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASTED = [
    "The city council voted on Tuesday to cut the bus budget by 12 percent, the mayor said.",
    "Opposition members said the cut would close three routes that serve 40,000 riders a day.",
    "The transport authority has not yet published its own figures for the coming year.",
]
UPLOADED = [
    "The regional hospital will close its maternity ward in June, its board announced.",
    "Midwives said the nearest other ward is 70 kilometres away over a mountain pass.",
    "The health ministry said it would review the decision before the end of the month.",
]


def _open_the_paste_page(page, live_server):
    """From the Ingest pages, as a person finds it: Add articles, then the paste link."""
    page.goto(f"{live_server.url}/ingest/")
    page.get_by_role("link", name="+ Add articles").click()
    page.get_by_role("link", name="paste its text or upload its file").click()
    page.wait_for_url(f"{live_server.url}/ingest/add/text/")
    expect(page.get_by_role("heading", name="Add an article's text")).to_be_visible()


def _fill_details(page, *, title, outlet, url, date, language):
    page.get_by_label("Title").fill(title)
    page.get_by_label("Outlet").fill(outlet)
    page.get_by_label("Web address").fill(url)
    page.get_by_label("Published on").fill(date)
    page.get_by_label("Language").fill(language)


def _read_it(page, *, title, outlet, url, published, language, paragraphs):
    """After adding: the job page says it is stored and links to the article; its page
    shows the details typed and every paragraph of the text."""
    page.wait_for_url("**/ingest/jobs/*/")
    expect(page.locator(".messages")).to_contain_text("the article is stored")
    expect(page.locator(".job-status").first).to_have_text("Done")
    page.locator("#job-body").get_by_role("link", name=title).click()
    page.wait_for_url("**/articles/*/")
    expect(page.locator("#article-title")).to_have_text(title)
    expect(page.locator(".article-head .kicker")).to_contain_text(outlet)
    meta = page.locator(".article-head .meta")
    expect(meta).to_contain_text(published)
    expect(meta.locator("div", has_text="Language")).to_contain_text(language)
    expect(meta.get_by_role("link").first).to_have_attribute("href", url)
    body = page.locator("#article-body")
    for paragraph in paragraphs:
        expect(body).to_contain_text(paragraph)


def test_an_analyst_pastes_an_article_and_reads_it(live_server, page):
    make_user("analyst", "ana")
    log_in(page, live_server, "ana")
    _open_the_paste_page(page, live_server)
    page.get_by_label("The article's text").fill("\n\n".join(PASTED))
    page.get_by_label("The pasted text is").select_option("text")
    details = {
        "title": "Council cuts the bus budget",
        "outlet": "Harbour Gazette",
        "url": "https://gazette.example/news/bus-budget",
    }
    _fill_details(page, **details, date="2026-03-14", language="en")
    page.get_by_role("button", name="Add the article").click()

    _read_it(page, **details, published="14 March 2026", language="en", paragraphs=PASTED)
    article = Article.objects.get()
    job = IngestJob.objects.get()
    assert job.channel == IngestJob.Channel.FILE and job.created_by.username == "ana"
    assert article.origin == Article.Origin.FILE
    page.problems.assert_none()


def test_an_analyst_uploads_an_html_file_and_reads_it(live_server, page):
    make_user("analyst", "ana")
    log_in(page, live_server, "ana")
    _open_the_paste_page(page, live_server)
    html = (
        "<!doctype html><html><head><title>Site page title | Valley Times</title></head><body>"
        "<nav>Home | News | Sport</nav><article>"
        + "".join(f"<p>{p}</p>" for p in UPLOADED)
        + "</article><footer>Subscribe to our newsletter</footer></body></html>"
    )
    page.get_by_label("Or a file").set_input_files(
        {"name": "maternity.html", "mimeType": "text/html", "buffer": html.encode()}
    )
    details = {
        "title": "Hospital to close its maternity ward",
        "outlet": "Valley Times",
        "url": "https://valley-times.example/health/maternity-ward",
    }
    _fill_details(page, **details, date="2026-05-02", language="en-GB")
    page.get_by_role("button", name="Add the article").click()

    _read_it(page, **details, published="2 May 2026", language="en-GB", paragraphs=UPLOADED)
    expect(page.locator("#article-body")).not_to_contain_text("Home | News")
    article = Article.objects.get()
    assert article.source_name == "maternity.html"
    page.problems.assert_none()
