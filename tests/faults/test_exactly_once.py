"""Exactly once: racing submissions, duplicate deliveries, lost messages and crashed runs
all leave one article and a final job."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.articles.models import Article
from apps.ingestion import services, tasks
from apps.ingestion.models import ArticleSignature, Feed, IngestJob
from tests.core.httpserver import Reply
from tests.ingestion.helpers import HTML_TYPE, article_page, rss, story

PAGE = article_page("The one story", story(1)).encode()


def slow_page(request):
    time.sleep(0.3)  # long enough for the racing runs to overlap
    return Reply(200, HTML_TYPE, PAGE)


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_submissions_from_the_api_and_a_feed_make_one_article(allowed):
    server = allowed
    url = server.route("/story", slow_page)
    variants = [
        url,
        url + "?utm_source=twitter",
        url + "#comments",
        url.upper().replace("/STORY", "/story"),
    ]
    feed = Feed.objects.create(
        url=server.route(
            "/rss.xml", Reply(200, {"Content-Type": "application/rss+xml"}, rss([("One", url)]))
        )
    )
    barrier = threading.Barrier(8)
    errors = []

    def api_submit(i):
        try:
            barrier.wait()
            services.job_submit_url(url=variants[i % len(variants)])  # runs the job on commit
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def feed_poll():
        try:
            picked = services.feeds_lease(feed_ids=[feed.pk], due_only=False)
            lease = Feed.objects.get(pk=feed.pk).next_poll_at.isoformat()
            barrier.wait()
            assert picked == [feed.pk]
            services.feed_poll_run(feed.pk, lease)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=api_submit, args=(i,)) for i in range(7)]
    threads.append(threading.Thread(target=feed_poll))
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert errors == []
    assert Article.objects.count() == 1
    article = Article.objects.get()
    assert article.canonical_url == url
    jobs = IngestJob.objects.all()
    assert all(job.status in IngestJob.FINAL for job in jobs)
    assert {job.article_id for job in jobs} == {article.pk}
    assert [job.status for job in jobs].count(IngestJob.Status.DONE) == 1
    assert 7 <= jobs.count() <= 8  # the feed may find the link already queued by the API
    assert ArticleSignature.objects.count() == 1


@pytest.mark.django_db
def test_a_second_message_for_a_held_job_does_not_run_it_but_a_redelivery_does(allowed):
    server = allowed
    url = server.route("/story", Reply(200, HTML_TYPE, PAGE))
    job = IngestJob.objects.create(channel="url", url=url, url_hash=services.hash_of(url))
    IngestJob.objects.filter(pk=job.pk).update(status="fetching", task_id="message-a", attempts=1)

    services.job_run(job.pk, task_id="message-b")  # e.g. a sweeper message: someone holds it
    job.refresh_from_db()
    assert job.status == "fetching" and server.requests == []

    services.job_run(job.pk, task_id="message-a")  # the same message again: its worker died
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2

    services.job_run(job.pk, task_id="message-a")  # delivered once more: nothing to do
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2
    assert len(server.requests) == 1 and Article.objects.count() == 1


@pytest.mark.django_db
def test_a_run_that_stored_the_article_and_died_is_finished_without_refetching(allowed):
    server = allowed
    url = server.route("/story", Reply(200, HTML_TYPE, PAGE))
    article = Article.objects.create(
        title="Stored", text=story(1), url_hash=services.hash_of(url), content_hash="c" * 64
    )
    job = IngestJob.objects.create(channel="url", url=url, url_hash=services.hash_of(url))
    IngestJob.objects.filter(pk=job.pk).update(status="extracting", task_id="m", article=article)

    services.job_run(job.pk, task_id="m")

    job.refresh_from_db()
    assert job.status == "done" and job.article_id == article.pk
    assert server.requests == []
    assert ArticleSignature.objects.filter(article=article).exists()


@pytest.mark.django_db
def test_sweeper_requeues_stuck_jobs_and_fails_exhausted_ones(allowed, on_commit):
    server = allowed
    url = server.route("/story", Reply(200, HTML_TYPE, PAGE))
    old = timezone.now() - services.stuck_after() - timedelta(seconds=5)
    stuck = IngestJob.objects.create(channel="url", url=url, url_hash=services.hash_of(url))
    exhausted = IngestJob.objects.create(channel="url", url=url + "?x=1")
    fresh = IngestJob.objects.create(channel="url", url=url + "?x=2")
    IngestJob.objects.filter(pk=stuck.pk).update(
        status="fetching", task_id="dead", attempts=1, updated_at=old
    )
    IngestJob.objects.filter(pk=exhausted.pk).update(
        status="fetching", attempts=services.MAX_ATTEMPTS, updated_at=old
    )
    IngestJob.objects.filter(pk=fresh.pk).update(status="fetching", task_id="alive", attempts=1)

    assert on_commit(services.jobs_requeue_stuck) == 2

    stuck.refresh_from_db()
    exhausted.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == "done" and stuck.article_id and stuck.attempts == 2
    assert exhausted.status == "failed" and "Gave up after 4 attempts" in exhausted.failure_reason
    assert fresh.status == "fetching"  # a worker may still hold it


@pytest.mark.django_db
def test_a_broker_down_at_commit_loses_nothing(allowed, on_commit, monkeypatch):
    server = allowed
    url = server.route("/story", Reply(200, HTML_TYPE, PAGE))

    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to broker. Connection refused.")

    with monkeypatch.context() as patched:
        patched.setattr(tasks.ingest, "delay", broker_down)
        job = on_commit(services.job_submit_url, url=url)  # the request still succeeds
    job.refresh_from_db()
    assert job.status == "queued"

    later = timezone.now() + services.stuck_after() + timedelta(seconds=1)
    on_commit(services.jobs_requeue_stuck, now=later)
    job.refresh_from_db()
    assert job.status == "done" and Article.objects.count() == 1


@pytest.mark.django_db
def test_transient_failures_are_retried_then_succeed(allowed, on_commit):
    server = allowed
    answers = iter(
        [Reply(503, {"Retry-After": "1"}, b""), Reply(502, {}, b""), Reply(200, HTML_TYPE, PAGE)]
    )
    url = server.route("/flaky", lambda r: next(answers))
    job = on_commit(services.job_submit_url, url=url)
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 3
    assert set(job.timings) >= {"fetch", "extract", "store", "dedupe"}


def test_retry_waits_with_jitter_and_honours_retry_after(monkeypatch):
    exc = services.TransientIngestError("503", retry_after=30)
    waits = [services.retry_countdown(services.TransientIngestError("x"), 2) for _ in range(50)]
    assert all(0 <= w <= 40 for w in waits) and len(set(waits)) > 1
    assert services.retry_countdown(exc, 0) >= 30
    assert services.retry_countdown(services.TransientIngestError("x", retry_after=9999), 0) == 240
