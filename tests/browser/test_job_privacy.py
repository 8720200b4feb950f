"""Issue 16, item 9, in the browser: ingest jobs are private to whoever submitted them. An
analyst's Ingest page lists only their own jobs and another analyst's job page is not
found; an editor sees both; a user with no role sees none."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from apps.ingestion.models import IngestJob
from tests.browser.conftest import PageProblems
from tests.browser.helpers import PASSWORD, log_in, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINE = "https://harbour-gazette.example/news/bus-budget"
THEIRS = "https://valley-times.example/story/school-closures"


@pytest.fixture
def jobs():
    ana = make_user("analyst", "ana")
    bob = make_user("analyst", "bob")
    make_user("editor", "eddie")
    reader = User.objects.create_user("reader")
    reader.set_password(PASSWORD)
    reader.save(update_fields=["password"])
    mine = IngestJob.objects.create(
        channel="url", url=MINE, status="failed", failure_reason="Timed out.", created_by=ana
    )
    theirs = IngestJob.objects.create(
        channel="url", url=THEIRS, status="failed", failure_reason="Timed out.", created_by=bob
    )
    return mine, theirs


@pytest.fixture
def open_as(browser, live_server):
    """A fresh browser (own cookies) logged in as `username`, on the Ingest page."""
    contexts = []

    def open_page(username):
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.problems = PageProblems(page)
        log_in(page, live_server, username)
        page.get_by_role("link", name="Ingest", exact=True).click()
        page.wait_for_url(f"{live_server.url}/ingest/")
        expect(page.get_by_role("heading", name="Ingest jobs")).to_be_visible()
        return page

    yield open_page
    for context in contexts:
        context.close()


def _job_links(page) -> list[str]:
    return page.locator(".jobs-table tbody tr td:first-child a").all_inner_texts()


def test_an_analyst_sees_only_their_own_jobs(live_server, jobs, open_as):
    mine, theirs = jobs
    page = open_as("ana")
    table = page.locator(".jobs-table")
    expect(table).to_contain_text(MINE)
    expect(table).not_to_contain_text(THEIRS)
    assert _job_links(page) == [f"#{mine.pk}"]

    page.get_by_role("link", name=f"#{mine.pk}", exact=True).click()
    expect(page.get_by_role("heading", name=f"Job #{mine.pk}")).to_be_visible()
    expect(page.locator(".job-url")).to_have_text(MINE)

    page.problems.allow_status(404)
    response = page.goto(f"{live_server.url}/ingest/jobs/{theirs.pk}/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(THEIRS)
    expect(page.locator("body")).not_to_contain_text(f"Job #{theirs.pk}")
    page.problems.assert_none()


def test_an_editor_sees_every_job(live_server, jobs, open_as):
    mine, theirs = jobs
    page = open_as("eddie")
    table = page.locator(".jobs-table")
    expect(table).to_contain_text(MINE)
    expect(table).to_contain_text(THEIRS)
    assert sorted(_job_links(page)) == sorted([f"#{mine.pk}", f"#{theirs.pk}"])

    page.get_by_role("link", name=f"#{theirs.pk}", exact=True).click()
    expect(page.get_by_role("heading", name=f"Job #{theirs.pk}")).to_be_visible()
    expect(page.locator(".job-url")).to_have_text(THEIRS)
    expect(page.locator("main")).to_contain_text("by bob")
    page.problems.assert_none()


def test_a_user_with_no_role_sees_no_jobs(live_server, jobs, open_as):
    mine, theirs = jobs
    page = open_as("reader")
    expect(page.locator(".empty")).to_have_text("No jobs yet.")
    expect(page.locator("main")).not_to_contain_text(MINE)
    expect(page.locator("main")).not_to_contain_text(THEIRS)
    assert page.locator(".jobs-table").count() == 0

    page.problems.allow_status(404)
    for job in (mine, theirs):
        response = page.goto(f"{live_server.url}/ingest/jobs/{job.pk}/")
        assert response.status == 404
        expect(page.locator("body")).not_to_contain_text(job.url)
    page.problems.assert_none()
