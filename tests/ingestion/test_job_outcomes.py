"""Ingest outcomes that read right (issue 16, item 5): a name that does not resolve fails at
once with its reason, every failed job is logged with its reason, retries back off even
when tasks run in-process, and the pages say what happened."""

import logging
import socket

import pytest

from apps.core import http
from apps.ingestion import services
from apps.ingestion.models import IngestJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_such_host(monkeypatch):
    """Every name lookup answers 'no such name' (EAI_NONAME), as for a mistyped host."""
    calls = []

    def lookup(host, *args, **kwargs):
        calls.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(http.socket, "getaddrinfo", lookup)
    return calls


def test_a_host_name_that_does_not_resolve_fails_at_once(on_commit, analyst, no_such_host):
    job = on_commit(services.job_submit_url, url="https://no-such-site.example/story", by=analyst)
    job.refresh_from_db()
    assert job.status == IngestJob.Status.FAILED
    assert job.attempts == 1 and len(no_such_host) == 1  # not tried again
    assert "does not resolve" in job.failure_reason
    assert "gave up" not in job.failure_reason


def test_every_failed_job_is_logged_with_its_reason(on_commit, analyst, no_such_host, caplog):
    caplog.set_level(logging.WARNING, logger="apps.ingestion.services")
    job = on_commit(services.job_submit_url, url="https://no-such-site.example/a", by=analyst)
    logged = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any(
        f"Ingest job {job.pk} failed" in r.getMessage() and "does not resolve" in r.getMessage()
        for r in logged
    ), [r.getMessage() for r in logged]


@pytest.fixture
def waits(settings, monkeypatch):
    """The in-process backoff's waits, recorded instead of slept."""
    settings.INGEST_EAGER_MAX_BACKOFF = 10
    recorded: list[float] = []
    monkeypatch.setattr(services.common, "_backoff_sleep", recorded.append)
    return recorded


@pytest.fixture
def resolver_down(monkeypatch):
    """The resolver cannot answer (EAI_AGAIN): a failure that may pass."""

    def lookup(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(http.socket, "getaddrinfo", lookup)


def test_a_temporary_failure_is_retried_with_backoff_in_process(
    on_commit, analyst, resolver_down, waits
):
    job = on_commit(services.job_submit_url, url="https://flaky-dns.example/story", by=analyst)
    job.refresh_from_db()
    assert job.status == IngestJob.Status.FAILED
    assert job.attempts == services.MAX_ATTEMPTS
    assert f"gave up after {services.MAX_ATTEMPTS} attempts" in job.failure_reason
    # A wait before each retry, none after the last attempt, each within the cap.
    assert len(waits) == services.MAX_ATTEMPTS - 1
    assert all(0 < wait <= 10 for wait in waits)


def test_a_batch_job_retried_in_process_backs_off_too(on_commit, analyst, resolver_down, waits):
    result = on_commit(
        services.batch_submit_urls,
        text="https://flaky-dns.example/1\nhttps://flaky-dns.example/2",
        by=analyst,
    )
    jobs = IngestJob.objects.filter(batch=result.batch)
    assert {job.status for job in jobs} == {IngestJob.Status.FAILED}
    assert {job.attempts for job in jobs} == {services.MAX_ATTEMPTS}
    assert len(waits) == 2 * (services.MAX_ATTEMPTS - 1)


# --- pages ----------------------------------------------------------------------------


def _page_text(response) -> str:
    return response.content.decode()


# Committed for real (no ATOMIC_REQUESTS): the job is sent, and run in-process, when the
# service's transaction commits, before the view says anything, as in the quick start.
@pytest.mark.django_db(transaction=True)
def test_a_job_that_failed_before_its_page_does_not_say_queued(analyst_client, no_such_host):
    from django.urls import reverse

    response = analyst_client.post(
        reverse("ingestion:add"), {"url": "https://no-such-site.example/x"}
    )
    job = IngestJob.objects.get()
    assert job.status == IngestJob.Status.FAILED
    page = _page_text(analyst_client.get(response["Location"]))
    assert "queued" not in page.lower()
    assert "could not be added" in page and "does not resolve" in page
    assert "st-failed" in page and "job-failure" in page


@pytest.mark.django_db(transaction=True)
def test_retry_that_fails_again_says_so(analyst_client, analyst, no_such_host):
    from django.urls import reverse

    job = services.job_submit_url(url="https://no-such-site.example/y", by=analyst)
    job.refresh_from_db()
    assert job.status == IngestJob.Status.FAILED
    IngestJob.objects.filter(pk=job.pk).update(failure_reason="Old reason from yesterday")
    response = analyst_client.post(reverse("ingestion:job_retry", args=[job.pk]), follow=True)
    page = _page_text(response)
    assert "queued again" not in page
    assert f"Job #{job.pk} was tried again and failed again." in page
    assert "does not resolve" in page and "Old reason from yesterday" not in page


def test_retry_that_is_still_waiting_says_queued_again(analyst_client, analyst, monkeypatch):
    from django.urls import reverse

    job = IngestJob.objects.create(
        channel=IngestJob.Channel.URL,
        url="https://a.example/z",
        status=IngestJob.Status.FAILED,
        failure_reason="x",
        created_by=analyst,
    )
    monkeypatch.setattr(services.dispatch, "jobs_enqueue", lambda ids: None)
    page = _page_text(
        analyst_client.post(reverse("ingestion:job_retry", args=[job.pk]), follow=True)
    )
    assert f"Job #{job.pk} is queued again; this page follows it." in page
    assert "Queued; this page follows it." in page and "job-failure" not in page


def test_a_done_job_page_says_done(analyst_client, analyst):
    from django.urls import reverse

    from tests import factories

    job = IngestJob.objects.create(
        channel=IngestJob.Channel.URL,
        url="https://a.example/d",
        status=IngestJob.Status.DONE,
        article=factories.ArticleFactory(),
        created_by=analyst,
    )
    page = _page_text(analyst_client.get(reverse("ingestion:job_detail", args=[job.pk])))
    assert "Done: the article is stored." in page and "queued" not in page.lower()


def test_an_all_failed_batch_shows_its_failures_in_red_not_a_full_green_bar(
    analyst_client, analyst
):
    from django.urls import reverse

    from apps.ingestion.models import IngestBatch

    batch = IngestBatch.objects.create(label="All bad", created_by=analyst)
    for n in range(3):
        IngestJob.objects.create(
            channel=IngestJob.Channel.URL,
            url=f"https://bad.example/{n}",
            status=IngestJob.Status.FAILED,
            failure_reason="no such host",
            batch=batch,
            created_by=analyst,
        )
    fragment = _page_text(analyst_client.get(reverse("ingestion:batch_progress", args=[batch.pk])))
    assert "<progress" not in fragment  # a native bar can only be one colour
    assert "segment-failed" in fragment and 'style="width: 100.00%"' in fragment
    assert "segment-done" not in fragment and "segment-duplicate" not in fragment
    assert "3 failed" in fragment and "failed-count" in fragment
    listing = _page_text(analyst_client.get(reverse("ingestion:batches")))
    assert "segment-failed" in listing and "<progress" not in listing


def test_a_mixed_batch_bar_has_a_part_per_outcome(analyst_client, analyst):
    from django.urls import reverse

    from apps.ingestion.models import IngestBatch
    from tests import factories

    batch = IngestBatch.objects.create(label="Mixed", created_by=analyst)
    S = IngestJob.Status
    for n, status in enumerate([S.DONE, S.FAILED, S.QUEUED, S.QUEUED]):
        IngestJob.objects.create(
            channel=IngestJob.Channel.URL,
            url=f"https://mixed.example/{n}",
            status=status,
            article=factories.ArticleFactory() if status == S.DONE else None,
            batch=batch,
            created_by=analyst,
        )
    fragment = _page_text(analyst_client.get(reverse("ingestion:batch_progress", args=[batch.pk])))
    assert fragment.count('style="width: 25.00%"') == 2  # one new, one failed; half empty
    assert 'aria-valuetext="2 of 4 done: 1 new, 0 already stored, 1 failed"' in fragment
