"""Issue 16, item 5, in the browser: a job that cannot succeed (a host name that does not
resolve) says so at once, in red, with its reason; Retry says what happened to it by now;
a batch whose jobs all failed shows a red bar, not a green one."""

import socket

import pytest
from playwright.sync_api import expect

from apps.core import http
from apps.ingestion.models import IngestJob
from tests.browser.helpers import log_in, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_such_host(monkeypatch):
    """The live server's name lookups answer 'no such name', as for a mistyped host."""
    calls = []

    def lookup(host, *args, **kwargs):
        calls.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(http.socket, "getaddrinfo", lookup)
    return calls


def test_a_job_that_cannot_succeed_reads_as_failed_and_retry_says_so(
    live_server, page, no_such_host
):
    make_user("analyst", "ana")
    log_in(page, live_server, "ana")
    page.goto(f"{live_server.url}/ingest/add/")
    page.get_by_label("Web address of the article").fill("https://no-such-site.example/story")
    page.get_by_role("button", name="Fetch and add").click()

    page.wait_for_url("**/ingest/jobs/*/")
    expect(page.locator(".messages")).to_contain_text("could not be added")
    expect(page.locator(".messages")).not_to_contain_text("queued")
    badge = page.locator(".job-status").first
    expect(badge).to_have_text("Failed")
    assert "st-failed" in badge.get_attribute("class")
    expect(page.locator("main")).to_contain_text("does not resolve")
    job = IngestJob.objects.get()
    assert job.attempts == 1 and len(no_such_host) == 1  # not tried again in vain

    page.get_by_role("button", name="Retry").click()
    expect(page.locator(".messages")).to_contain_text("tried again and failed again")
    expect(page.locator(".messages")).not_to_contain_text("queued again")
    expect(page.locator(".job-status").first).to_have_text("Failed")
    page.problems.assert_none()


def test_a_batch_that_all_failed_shows_a_red_bar(live_server, page, no_such_host):
    make_user("analyst", "ana")
    log_in(page, live_server, "ana")
    page.goto(f"{live_server.url}/ingest/batches/new/")
    page.get_by_label("Web addresses, one per line").fill(
        "https://no-such-site.example/a\nhttps://no-such-site.example/b"
    )
    page.get_by_role("button", name="Queue them").click()

    page.wait_for_url("**/ingest/batches/*/")
    bar = page.locator("svg.progress-bar").first
    done = "2 of 2 done: 0 new, 0 already stored, 2 failed"
    expect(bar).to_have_attribute("aria-valuetext", done)
    assert bar.locator("rect.segment-done, rect.segment-duplicate").count() == 0
    failed = bar.locator("rect.segment-failed")
    assert failed.get_attribute("width") == "100.00"
    colour = failed.evaluate("(el) => getComputedStyle(el).fill")
    ok = page.evaluate(
        "() => getComputedStyle(document.documentElement).getPropertyValue('--ok').trim()"
    )
    assert colour and ok and colour != ok, (colour, ok)
    page.problems.assert_none()
