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
    monkeypatch.setattr(services, "_backoff_sleep", recorded.append)
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
