"""While the broker is unreachable, every request that enqueues work after its commit
succeeds at once and leaves the work recorded as pending; once the broker is back, the
sweepers send it and a real worker does it. One test per kind of work: evidence titles,
webhook deliveries, ingest jobs, feed polls, suggestions.

The time each request spends in its after-commit hooks (where tasks are sent) is
measured: before, a dead broker held a request ~0.4 s per message (Celery's publish
retries), and the evidence form failed with a 500 while logging the error."""

import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.articles.models import Article
from apps.claims import notifications
from apps.claims.models import Claim, SuggestionRun, Webhook, WebhookDelivery
from apps.core import enqueue
from apps.evidence import services as evidence
from apps.evidence.models import Source
from apps.ingestion import services as ingestion
from apps.ingestion.models import Feed, IngestJob
from tests.api.conftest import client_for
from tests.celery_utils import reset_producer_pool
from tests.core.httpserver import Reply
from tests.core.test_http_fetch import _PostHandler
from tests.ingestion.helpers import HTML_TYPE, article_page, rss, story
from tests.polling import wait_for

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]

CLOSED_BROKER = "redis://127.0.0.1:9/0"  # nothing listens on port 9
# Sending after commit must not wait on a dead broker: a few milliseconds, with room for
# a loaded test machine (before: ~0.4 s per message).
HOOK_SECONDS = 0.1
QUOTE = "Russia is running out of munitions used in the war in Ukraine"


class Broker:
    def __init__(self, app, queue, live_url):
        self.app, self.queue, self.live_url = app, queue, live_url

    @contextmanager
    def live(self):
        """The broker is back: a real worker (in a thread) on the real broker."""
        from celery.contrib.testing.worker import start_worker

        self.app.conf.update(broker_url=self.live_url)
        reset_producer_pool(self.app)
        enqueue.reset()
        with start_worker(
            self.app,
            pool="solo",
            perform_ping_check=False,
            queues=[self.queue],
            shutdown_timeout=10,
        ):
            yield


@pytest.fixture
def dead_broker(settings):
    from config.celery import app

    queue = f"claimtrack-dead-{uuid.uuid4().hex[:8]}"
    saved = {k: app.conf.get(k) for k in ("task_always_eager", "broker_url", "task_default_queue")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(task_always_eager=False, broker_url=CLOSED_BROKER, task_default_queue=queue)
    reset_producer_pool(app)
    # One send first, so that what the process does once (importing the transport) is not
    # counted against the request measured; then forget that failure.
    enqueue.send_now(lambda: app.send_task("claimtrack.warm-up"), what="a warm-up")
    enqueue.reset()
    yield Broker(app, queue, settings.TEST_BROKER_URL)
    app.conf.update(saved)
    reset_producer_pool(app)
    enqueue.reset()


@pytest.fixture
def hooks(monkeypatch):
    """Seconds spent running after-commit hooks, summed."""
    from django.db.backends.base.base import BaseDatabaseWrapper

    spent = []
    run = BaseDatabaseWrapper.run_and_clear_commit_hooks

    def timed(self):
        started = time.monotonic()
        try:
            return run(self)
        finally:
            spent.append(time.monotonic() - started)

    monkeypatch.setattr(BaseDatabaseWrapper, "run_and_clear_commit_hooks", timed)
    return spent


@pytest.fixture
def web(settings, server):
    """The local page server, also answering POST (webhook receivers)."""
    server._server.RequestHandlerClass = _PostHandler
    server.posted = []
    settings.FETCH_ALLOWED_HOSTS = [server.host_port]
    return server


@pytest.fixture
def claim(article, analyst):
    from apps.claims import services

    return services.claim_create(article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst)


def test_evidence_with_a_url_is_saved_and_its_title_fetched_later(
    dead_broker, web, analyst, claim, hooks, client
):
    url = web.route("/report", Reply(200, HTML_TYPE, b"<title>The Report</title><p>x</p>"))
    api = client_for(analyst)
    hooks.clear()
    response = api.post(
        "/api/evidence/",
        {"claim": claim.pk, "stance": "supports", "url": url},
        format="json",
    )
    assert response.status_code == 201, response.content[:300]
    assert sum(hooks) < HOOK_SECONDS, hooks
    source = Source.objects.get(url=url)
    assert evidence.source_details_pending(source)
    # The form in the browser too (it answered 500: on_commit's robust path crashed while
    # logging the functools.partial it was given).
    form_url = web.route("/other", Reply(200, HTML_TYPE, b"<title>Other</title>"))
    client.force_login(analyst)
    hooks.clear()
    page = client.post(
        f"/evidence/claims/{claim.pk}/add/",
        {"url": form_url, "stance": "refutes", "kind": "report"},
    )
    assert page.status_code in (200, 302), page.content[:300]
    assert sum(hooks) < HOOK_SECONDS, hooks
    assert Source.objects.filter(url=form_url).exists()

    with dead_broker.live():
        assert evidence.sources_sweep(now=timezone.now()) == 0  # not stale yet
        assert evidence.sources_sweep(now=timezone.now() + timedelta(minutes=6)) == 2
        assert wait_for(lambda: not Source.objects.filter(title="").exists(), 30)
    assert set(Source.objects.values_list("title", flat=True)) == {"The Report", "Other"}


def test_webhook_deliveries_stay_pending_and_are_swept_when_the_broker_is_back(
    dead_broker, web, analyst, claim, hooks
):
    hook = web.route("/hook", Reply(200, {"Content-Type": "text/plain"}, b"ok"))
    for n in range(3):
        Webhook.objects.create(url=f"{hook}?n={n}", secret="s", events=["claim.status_changed"])
    api = client_for(analyst)
    hooks.clear()
    response = api.post(f"/api/claims/{claim.pk}/start-research/", {}, format="json")
    assert response.status_code == 200, response.content[:300]
    assert sum(hooks) < HOOK_SECONDS, hooks
    deliveries = WebhookDelivery.objects.all()
    assert [(d.state, d.attempts) for d in deliveries] == [("pending", 0)] * 3

    with dead_broker.live():
        assert notifications.webhooks_sweep(now=timezone.now()) == 0  # not stale yet
        # A sweep stops at the first message the broker does not take (the next sweep goes
        # on); under a loaded machine a publish can time out, so give it a second round.
        later = timezone.now() + timedelta(minutes=6)
        first = notifications.webhooks_sweep(now=later)
        assert first >= 1
        delivered = WebhookDelivery.objects.filter(state="delivered")
        assert wait_for(lambda: delivered.count() >= first, 30)
        if first < 3:
            assert notifications.webhooks_sweep(now=later) == 3 - first
        assert wait_for(lambda: not WebhookDelivery.objects.exclude(state="delivered").exists(), 30)
    assert len(web.posted) == 3
    assert Claim.objects.get(pk=claim.pk).status == "researching"


def test_an_ingest_job_stays_queued_and_is_swept_when_the_broker_is_back(
    dead_broker, allowed, analyst, hooks
):
    url = allowed.route("/story", Reply(200, HTML_TYPE, article_page("Back", story(2)).encode()))
    api = client_for(analyst)
    hooks.clear()
    response = api.post("/api/articles/", {"url": url}, format="json")
    assert response.status_code == 202, response.content[:300]
    assert sum(hooks) < HOOK_SECONDS, hooks
    job = IngestJob.objects.get()
    assert job.status == "queued" and job.attempts == 0

    with dead_broker.live():
        later = timezone.now() + ingestion.stuck_after() + timedelta(seconds=1)
        assert ingestion.jobs_requeue_stuck(now=later) == 1
        assert wait_for(lambda: IngestJob.objects.get(pk=job.pk).is_final, 30)
    assert IngestJob.objects.get(pk=job.pk).status == "done"


def test_a_feed_poll_waits_for_its_lease_and_runs_when_the_broker_is_back(
    dead_broker, allowed, editor, client, hooks
):
    link = allowed.route("/a/1", Reply(200, HTML_TYPE, article_page("One", story(1)).encode()))
    feed = Feed.objects.create(
        url=allowed.route(
            "/feed.xml", Reply(200, {"Content-Type": "application/rss+xml"}, rss([("One", link)]))
        ),
        title="Feed",
    )
    client.force_login(editor)
    hooks.clear()
    response = client.post(f"/ingest/feeds/{feed.pk}/poll/")
    assert response.status_code == 302
    assert sum(hooks) < HOOK_SECONDS, hooks
    feed.refresh_from_db()
    assert feed.last_polled_at is None and feed.next_poll_at > timezone.now()  # leased

    with dead_broker.live():
        assert ingestion.feeds_lease(now=feed.next_poll_at + timedelta(seconds=1)) == [feed.pk]
        assert wait_for(lambda: Feed.objects.get(pk=feed.pk).last_success_at, 30)
        assert wait_for(lambda: Article.objects.filter(title="One").exists(), 30)


def test_suggestions_not_sent_at_ingest_are_swept_when_the_broker_is_back(dead_broker, allowed):
    url = allowed.route("/story", Reply(200, HTML_TYPE, article_page("Claims", story(0)).encode()))
    job = ingestion.job_submit_url(url=url)
    ingestion.jobs_run([job.pk], task_id="by-hand")  # the ingest ran; its broker then died
    article = Article.objects.get()
    assert not SuggestionRun.objects.filter(article=article).exists()

    with dead_broker.live():
        assert ingestion.articles_suggest_sweep(now=timezone.now()) == 0  # too recent
        later = timezone.now() + timedelta(minutes=11)
        assert ingestion.articles_suggest_sweep(now=later) == 1
        assert wait_for(lambda: SuggestionRun.objects.filter(article=article).exists(), 60)
