"""A worker process killed with SIGKILL in the middle of an ingest: the message was not
acknowledged (acks_late), so the broker hands it to the next worker, which takes the job
over (same message) and finishes it once: one article, one final job."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings

from apps.articles.models import Article
from apps.ingestion import services
from apps.ingestion.models import IngestJob
from tests.celery_utils import reset_producer_pool
from tests.core.httpserver import Reply
from tests.ingestion.helpers import HTML_TYPE, article_page, story

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def database_url() -> str:
    db = django_settings.DATABASES["default"]
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else f"{user}@"
    host = db.get("HOST") or ""
    if host.startswith("/"):  # a Unix socket directory (the embedded server)
        return f"postgres://{auth}/{db['NAME']}?host={quote(host, safe='/')}"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{db['NAME']}"


class Worker:
    """`celery -A config worker` in its own process group, its output kept for failures."""

    def __init__(self, name: str, env: dict, log: Path):
        self.ready = threading.Event()
        self.log = log
        self.process = subprocess.Popen(
            [
                CELERY,
                "-A",
                "config",
                "worker",
                "-n",
                f"{name}@%h",
                "--pool=prefork",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        with self.log.open("a") as out:
            for line in self.process.stdout:
                out.write(line)
                out.flush()
                if " ready." in line:
                    self.ready.set()

    def kill(self, sig=signal.SIGKILL):
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def broker_queue(settings):
    """The test process sends to the real broker, on a queue of its own."""
    from config.celery import app

    queue = f"claimtrack-fault-{uuid.uuid4().hex[:8]}"
    saved = {k: app.conf.get(k) for k in ("task_always_eager", "broker_url", "task_default_queue")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(
        task_always_eager=False, broker_url=settings.TEST_BROKER_URL, task_default_queue=queue
    )
    reset_producer_pool(app)
    yield queue
    app.conf.update(saved)
    reset_producer_pool(app)


def worker_env(settings, queue: str, server) -> dict:
    """The environment of a worker process started for these tests: the test database,
    the test broker and queue, and the local page server allowed past the fetch guard."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.TEST_BROKER_URL,
        "CLAIMTRACK_TEST_QUEUE": queue,
        "FETCH_ALLOWED_HOSTS": server.host_port,
        "PYTHONPATH": str(ROOT),
    }


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
        IngestJob.objects.create(channel="url", url=url, url_hash=services._hash_of(url))
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
