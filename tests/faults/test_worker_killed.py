"""A worker process killed with SIGKILL in the middle of an ingest: the message was not
acknowledged (acks_late), so the broker hands it to the next worker, which takes the job
over (same message) and finishes it once: one article, one final job."""

import signal
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from apps.articles.models import Article
from apps.ingestion import services
from apps.ingestion.models import IngestJob
from tests.core.httpserver import Reply
from tests.faults.workers import Worker, worker_env
from tests.ingestion.helpers import HTML_TYPE, article_page, story
from tests.polling import wait_for


@contextmanager
def first_worker_then_second(env: dict, log: Path, release: threading.Event):
    """Starts a worker and, once it is ready, yields `replace()`: kill it with SIGKILL (main
    process and pool child) and start a second one. On the way out the page server's held
    request is released and every worker stopped."""
    first = Worker("first", env, log)
    started: list[Worker] = []

    def replace() -> None:
        first.kill(signal.SIGKILL)
        started.append(Worker("second", env, log))

    try:
        assert first.ready.wait(60), log.read_text()
        yield replace
    finally:
        release.set()
        first.kill()
        for worker in started:
            worker.kill(signal.SIGTERM)


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_ingest_hands_the_job_to_the_next_worker(
    allowed, broker_queue, settings, tmp_path
):
    server = allowed
    release = threading.Event()
    hits = []

    def page(request):
        hits.append(time.monotonic())
        if len(hits) == 1:
            release.wait(60)  # the first worker is killed while waiting here
        return Reply(200, HTML_TYPE, article_page("Survivor", story(3)).encode())

    url = server.route("/slow", page)
    env = worker_env(settings, broker_queue, server)
    log = tmp_path / "workers.log"
    with first_worker_then_second(env, log, release) as replace:
        job = services.job_submit_url(url=url)

        assert wait_for(lambda: hits, 30), log.read_text()
        job.refresh_from_db()
        assert job.status == IngestJob.Status.FETCHING and job.attempts == 1
        replace()  # the whole first worker killed mid-fetch, a second one started
        assert wait_for(lambda: IngestJob.objects.get(pk=job.pk).is_final, 60), log.read_text()

    job.refresh_from_db()
    assert job.status == IngestJob.Status.DONE, job.failure_reason
    assert job.attempts == 2  # delivered again, run again, finished once
    assert Article.objects.count() == 1
    assert Article.objects.get().title == "Survivor"
    assert len(hits) == 2


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_chunk_hands_the_chunk_over_and_each_job_finishes_once(
    allowed, broker_queue, settings, tmp_path
):
    from apps.ingestion import tasks

    server = allowed
    release = threading.Event()
    hits = []

    def slow(request):
        hits.append(time.monotonic())
        if len(hits) == 1:
            release.wait(60)  # the first worker is killed while its chunk waits here
        return Reply(200, HTML_TYPE, article_page("Slow", story(3)).encode())

    urls = [server.route("/slow", slow)]
    urls += [
        server.route(f"/a/{n}", Reply(200, HTML_TYPE, article_page(f"S{n}", story(n)).encode()))
        for n in (1, 2)
    ]
    jobs = [
        IngestJob.objects.create(channel="url", url=url, url_hash=services.hash_of(url))
        for url in urls
    ]
    env = worker_env(settings, broker_queue, server)
    log = tmp_path / "workers.log"
    with first_worker_then_second(env, log, release) as replace:
        tasks.ingest_chunk.delay([job.pk for job in jobs])

        assert wait_for(lambda: hits, 30), log.read_text()
        assert all(j.status == "fetching" for j in IngestJob.objects.all())
        replace()
        assert wait_for(lambda: all(j.is_final for j in IngestJob.objects.all()), 60), (
            log.read_text()
        )

    finished = list(IngestJob.objects.order_by("id"))
    assert [job.status for job in finished] == ["done"] * 3, [j.failure_reason for j in finished]
    assert [job.attempts for job in finished] == [2, 2, 2]  # the chunk ran again, once
    assert Article.objects.count() == 3
    assert len(hits) == 2


def kill_pool_processes(worker: Worker) -> None:
    """What the kernel's out-of-memory killer does: SIGKILL the pool process running the
    task; the worker's main process survives and hands the message back to the broker."""
    import psutil

    for child in psutil.Process(worker.process.pid).children():
        child.kill()


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_feed_that_kills_its_worker_twice_fails_its_poll_and_backs_off(
    allowed, broker_queue, settings, tmp_path
):
    from django.utils import timezone

    from apps.ingestion.models import Feed

    server = allowed
    hits = []
    log = tmp_path / "worker.log"
    worker = Worker("oom", worker_env(settings, broker_queue, server), log)

    def killer(request):
        hits.append(time.monotonic())
        kill_pool_processes(worker)
        return Reply(200, {"Content-Type": "application/rss+xml"}, b"<rss/>")

    feed = Feed.objects.create(url=server.route("/feed.xml", killer), title="Killer")
    try:
        assert worker.ready.wait(60), log.read_text()
        services.feeds_lease()
        assert wait_for(lambda: Feed.objects.get(pk=feed.pk).last_error, 60), log.read_text()
        time.sleep(2)  # a further delivery, if there were one, would hit the page again
    finally:
        worker.kill()

    feed.refresh_from_db()
    assert len(hits) == 2  # the poll, its redelivery, and no third run
    assert "The last 2 polls of this feed stopped without finishing" in feed.last_error
    assert "run out of memory" in feed.last_error
    assert feed.consecutive_failures == 1 and feed.poll_starts == 0
    assert feed.next_poll_at > timezone.now() + timedelta(minutes=15)  # backed off
    assert feed.is_active  # paused after FEED_PAUSE_AFTER such polls, like any failure


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_page_that_kills_its_worker_twice_fails_its_job_and_spares_its_chunk(
    allowed, broker_queue, settings, tmp_path
):
    from apps.ingestion import tasks

    server = allowed
    hits = []
    log = tmp_path / "worker.log"
    worker = Worker("oom", worker_env(settings, broker_queue, server), log)

    def killer(request):
        hits.append(time.monotonic())
        kill_pool_processes(worker)
        return Reply(200, HTML_TYPE, article_page("Never", story(3)).encode())

    urls = [server.route("/killer", killer)]
    urls += [
        server.route(f"/a/{n}", Reply(200, HTML_TYPE, article_page(f"S{n}", story(n)).encode()))
        for n in (1, 2)
    ]
    jobs = [
        IngestJob.objects.create(channel="url", url=url, url_hash=services.hash_of(url))
        for url in urls
    ]
    try:
        assert worker.ready.wait(60), log.read_text()
        tasks.ingest_chunk.delay([job.pk for job in jobs])
        assert wait_for(lambda: all(j.is_final for j in IngestJob.objects.all()), 90), (
            log.read_text()
        )
        time.sleep(2)
    finally:
        worker.kill()

    killed, *others = IngestJob.objects.order_by("id")
    assert len(hits) == 2  # in the chunk, then in a task of its own; never a third time
    assert killed.status == IngestJob.Status.FAILED and killed.lost_runs == 2
    assert "stopped 2 times without finishing" in killed.failure_reason
    assert "run out of memory" in killed.failure_reason
    assert [job.status for job in others] == ["done", "done"], [j.failure_reason for j in others]
    assert Article.objects.count() == 2


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_killed_main_process_is_noticed_when_its_lease_runs_out_not_after_a_fixed_age(
    allowed, broker_queue, settings, tmp_path
):
    """The worker's main process is killed (its pool process dies with it: Celery sets
    PDEATHSIG) and the broker does not hand the message back (visibility timeout of an
    hour, as in production). The sweeper takes the job back once its lease runs out, and
    a second worker finishes it once. Short settings: a 3 s lease renewed every 1 s, the
    sweeper every 1 s; CLAIMTRACK_RECOVERY_LEASE/_RENEW/_SWEEP set others (the figure in
    docs/benchmarks.md)."""
    import os

    lease = os.environ.get("CLAIMTRACK_RECOVERY_LEASE", "3")
    renew = os.environ.get("CLAIMTRACK_RECOVERY_RENEW", "1")
    sweep_every = float(os.environ.get("CLAIMTRACK_RECOVERY_SWEEP", "1"))
    settings.INGEST_LEASE_SECONDS = float(lease)  # the sweeper runs in this process
    server = allowed
    release = threading.Event()
    hits = []

    def page(request):
        hits.append(time.monotonic())
        if len(hits) == 1:
            release.wait(300)  # the first worker's main process is killed meanwhile
        return Reply(200, HTML_TYPE, article_page("Recovered", story(3)).encode())

    url = server.route("/slow", page)
    env = worker_env(settings, broker_queue, server) | {
        "CLAIMTRACK_TEST_VISIBILITY_TIMEOUT": "3600",
        "CLAIMTRACK_TEST_LEASE_SECONDS": lease,
        "CLAIMTRACK_TEST_LEASE_RENEW_SECONDS": renew,
    }
    log = tmp_path / "workers.log"
    first = Worker("first", env, log)
    second = None
    try:
        assert first.ready.wait(60), log.read_text()
        job = services.job_submit_url(url=url)
        assert wait_for(lambda: hits, 30), log.read_text()
        second = Worker("second", env, log)
        assert second.ready.wait(60), log.read_text()
        claimed = IngestJob.objects.get(pk=job.pk).lease_until
        # Killed just after a renewal: the longest wait (a whole lease, then the sweep).
        assert wait_for(lambda: IngestJob.objects.get(pk=job.pk).lease_until > claimed, 30)
        held = IngestJob.objects.get(pk=job.pk)
        assert held.status == "fetching", held.failure_reason
        assert services.jobs_requeue_stuck() == 0  # live: not taken back
        os.kill(first.process.pid, signal.SIGKILL)  # the main process only
        killed_at = time.monotonic()
        next_sweep = killed_at + sweep_every

        def final_with_sweeps():  # the beat's sweep, every `sweep_every` seconds
            nonlocal next_sweep
            if IngestJob.objects.get(pk=job.pk).is_final:
                return True
            if time.monotonic() >= next_sweep:
                services.jobs_requeue_stuck()
                next_sweep += sweep_every
            return False

        limit = float(lease) + 4 * sweep_every + 60
        assert wait_for(final_with_sweeps, limit, interval=0.05), log.read_text()
        recovered = time.monotonic() - killed_at
    finally:
        release.set()
        first.kill()
        if second is not None:
            second.kill(signal.SIGTERM)

    print(f"\nrecovery after killing the worker's main process: {recovered:.1f} s")
    job.refresh_from_db()
    assert job.status == IngestJob.Status.DONE, job.failure_reason
    assert job.attempts == 2 and job.lost_runs == 1  # run again once, by the second worker
    assert Article.objects.count() == 1
    assert len(hits) == 2
