"""The wiring, once, on the real stack: a Celery worker on the local Redis runs the
periodic feed task, the polls and the ingest jobs; retries go through the broker."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.articles.models import Article
from apps.ingestion import services, tasks
from apps.ingestion.models import Feed, IngestJob
from tests.core.httpserver import Reply
from tests.ingestion.helpers import HTML_TYPE, article_page, atom, rss, story
from tests.polling import wait_for

pytestmark = pytest.mark.broker


def all_final():
    return (
        IngestJob.objects.exists()
        and not IngestJob.objects.exclude(status__in=IngestJob.FINAL).exists()
    )


def test_feeds_to_articles_through_a_real_worker_then_304(real_worker, allowed):
    server = allowed
    links = [
        (
            f"Story {n}",
            server.route(
                f"/a/{n}", Reply(200, HTML_TYPE, article_page(f"S{n}", story(n)).encode())
            ),
        )
        for n in range(5)
    ]

    def conditional(body, kind):
        def reply(request):
            if request.headers.get("if-none-match") == '"same"':
                return Reply(304, {})
            return Reply(200, {"Content-Type": kind, "ETag": '"same"'}, body)

        return reply

    rss_feed = Feed.objects.create(
        url=server.route("/rss", conditional(rss(links[:3]), "application/rss+xml"))
    )
    atom_feed = Feed.objects.create(
        url=server.route("/atom", conditional(atom(links[3:]), "application/atom+xml"))
    )

    tasks.feeds_poll_due.delay()

    assert wait_for(lambda: Article.objects.count() == 5 and all_final())
    assert set(Article.objects.values_list("title", flat=True)) == {f"Story {n}" for n in range(5)}
    assert IngestJob.objects.filter(status="done").count() == 5
    assert rss_feed.jobs.count() == 3 and atom_feed.jobs.count() == 2

    Feed.objects.update(next_poll_at=timezone.now() - timedelta(seconds=1))
    tasks.feeds_poll_due.delay()
    assert wait_for(
        lambda: all(f.last_poll_note.startswith("Not modified") for f in Feed.objects.all())
    )
    assert IngestJob.objects.count() == 5
    assert len([r for r in server.requests if r.path.startswith("/a/")]) == 5


def test_transient_failures_are_retried_through_the_broker(real_worker, allowed, monkeypatch):
    monkeypatch.setattr(services, "retry_countdown", lambda exc, retries: 0.2)
    server = allowed
    answers = iter([Reply(503, {}, b""), Reply(504, {}, b"")])
    page = article_page("Flaky", story(2)).encode()
    url = server.route("/flaky", lambda r: next(answers, Reply(200, HTML_TYPE, page)))

    job = services.job_submit_url(url=url)

    assert wait_for(all_final)
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 3
    assert len(server.requests) == 3
