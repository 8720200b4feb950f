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
