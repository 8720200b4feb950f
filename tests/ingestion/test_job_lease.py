"""A running job is held by a lease its run renews; the sweeper takes back only jobs whose
lease ran out (their worker died), however long a live run lasts; and the start-up check
refuses sweeper times shorter than what they guard (issue 15, item 6)."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.ingestion import checks, services
from apps.ingestion.models import IngestJob
from tests.core.httpserver import Reply
from tests.ingestion.helpers import HTML_TYPE, article_page, story
from tests.polling import wait_for


@pytest.mark.django_db(transaction=True)
def test_a_running_job_renews_its_lease_and_is_never_swept_while_it_runs(allowed, settings):
    settings.INGEST_LEASE_SECONDS = 1.0
    settings.INGEST_LEASE_RENEW_SECONDS = 0.2
    release = threading.Event()

    def slow(request):
        release.wait(20)
        return Reply(200, HTML_TYPE, article_page("Slow", story(2)).encode())

    url = allowed.route("/slow", slow)
    job = IngestJob.objects.create(channel="url", url=url, url_hash=services.hash_of(url))

    def run():
        try:
            services.job_run(job.pk, task_id="alive")
        finally:
            connection.close()

    runner = threading.Thread(target=run)
    runner.start()
    try:
        assert wait_for(
            lambda: IngestJob.objects.get(pk=job.pk).status == "fetching", 10, interval=0.05
        )
        first = IngestJob.objects.get(pk=job.pk).lease_until
        time.sleep(2.0)  # twice the lease: only renewals keep it held
        held = IngestJob.objects.get(pk=job.pk)
        assert held.lease_until > first
        assert held.lease_until > timezone.now()
        assert services.jobs_requeue_stuck() == 0  # a live run is left alone
        held.refresh_from_db()
        assert held.status == "fetching" and held.task_id == "alive"
    finally:
        release.set()
        runner.join(20)

    job.refresh_from_db()
    assert job.status == "done", job.failure_reason
    assert job.attempts == 1 and job.lease_until is None


@pytest.mark.django_db
def test_the_sweeper_takes_back_an_expired_lease_at_once_and_leaves_a_live_one(allowed, on_commit):
    url = allowed.route("/story", Reply(200, HTML_TYPE, article_page("Back", story(1)).encode()))
    now = timezone.now()
    dead = IngestJob.objects.create(channel="url", url=url, url_hash=services.hash_of(url))
    live = IngestJob.objects.create(channel="url", url=url + "?live=1")
    # The dead worker's job was claimed moments ago: no fixed age to wait for.
    IngestJob.objects.filter(pk=dead.pk).update(
        status="fetching", task_id="dead", attempts=1, lease_until=now - timedelta(seconds=1)
    )
    # A run that has lasted an hour, still renewing: not stuck.
    IngestJob.objects.filter(pk=live.pk).update(
        status="fetching",
        task_id="alive",
        attempts=1,
        updated_at=now - timedelta(hours=1),
        lease_until=now + timedelta(seconds=30),
    )

    assert on_commit(services.jobs_requeue_stuck) == 1

    dead.refresh_from_db()
    live.refresh_from_db()
    assert dead.status == "done" and dead.attempts == 2 and dead.lost_runs == 1
    assert live.status == "fetching" and live.task_id == "alive"


@pytest.mark.django_db
def test_a_renewal_only_extends_the_jobs_its_run_still_holds():
    held = IngestJob.objects.create(channel="url", url="https://example.com/a")
    taken = IngestJob.objects.create(channel="url", url="https://example.com/b")
    IngestJob.objects.filter(pk=held.pk).update(status="fetching", task_id="t1")
    IngestJob.objects.filter(pk=taken.pk).update(status="queued", task_id="")

    assert services.jobs_lease_renew([held.pk, taken.pk], "t1") == 1

    held.refresh_from_db()
    taken.refresh_from_db()
    assert held.lease_until > timezone.now() + timedelta(seconds=30)
    assert taken.lease_until is None


def test_the_default_sweeper_times_pass_the_check():
    assert checks.sweeper_times(None) == []


@pytest.mark.parametrize(
    "overrides, check_id",
    [
        # Today's old default: shorter than the chunk task's 360 s hard limit.
        ({"INGEST_STUCK_AFTER_SECONDS": 300}, "claimtrack.E102"),
        ({"INGEST_STUCK_AFTER_SECONDS": 200}, "claimtrack.E103"),
        ({"INGEST_LEASE_SECONDS": 20, "INGEST_LEASE_RENEW_SECONDS": 15}, "claimtrack.E101"),
        ({"FEED_LEASE_SECONDS": 60}, "claimtrack.E104"),
        ({"REEXTRACT_STUCK_AFTER_SECONDS": 100}, "claimtrack.E105"),
    ],
)
def test_the_check_fails_when_a_stuck_after_time_is_shorter_than_what_it_guards(
    settings, overrides, check_id
):
    for name, value in overrides.items():
        setattr(settings, name, value)
    errors = checks.sweeper_times(None)
    assert check_id in [error.id for error in errors], errors
    assert all(error.is_serious() for error in errors)


def test_manage_py_check_reports_a_bad_configuration(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.INGEST_STUCK_AFTER_SECONDS = 300
    with pytest.raises(SystemCheckError, match="claimtrack.E102"):
        call_command("check")
