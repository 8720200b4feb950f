"""Feed polling through the service and the (eager) tasks, against a local HTTP server."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.articles.models import Article
from apps.core.errors import NotAllowed
from apps.ingestion import services, tasks
from apps.ingestion.models import Feed, IngestJob
from tests import factories
from tests.core.httpserver import Reply
from tests.ingestion.helpers import HTML_TYPE, article_page, atom, rss, story

pytestmark = pytest.mark.django_db
RSS_TYPE = {"Content-Type": "application/rss+xml"}
ATOM_TYPE = {"Content-Type": "application/atom+xml"}


def serve_articles(server, numbers):
    links = []
    for n in numbers:
        page = article_page(f"Headline {n}", story(n)).encode()
        links.append((f"Feed title {n}", server.route(f"/a/{n}", Reply(200, HTML_TYPE, page))))
    return links


def make_due(feed):
    Feed.objects.filter(pk=feed.pk).update(next_poll_at=timezone.now() - timedelta(seconds=1))


def test_rss_and_atom_feeds_become_articles(allowed, on_commit, editor):
    server = allowed
    links = serve_articles(server, range(6))
    server.route("/rss.xml", Reply(200, RSS_TYPE, rss(links[:4])))
    server.route("/atom.xml", Reply(200, ATOM_TYPE, atom(links[2:])))  # 2 and 3 in both

    rss_feed = on_commit(services.feed_create, url=server.url("/rss.xml"), by=editor)
    atom_feed = on_commit(services.feed_create, url=server.url("/atom.xml"), by=editor)

    assert Article.objects.count() == 6
    assert set(Article.objects.values_list("title", flat=True)) == {
        f"Feed title {n}" for n in range(6)
    }
    article = Article.objects.get(title="Feed title 0")
    assert article.origin == Article.Origin.FEED
    assert article.published_at.isoformat() == "2024-05-01T12:00:00+00:00"
    assert "officials" in article.text or len(article.text) > 200
    rss_feed.refresh_from_db()
    atom_feed.refresh_from_db()
    assert rss_feed.title == "Example News" and atom_feed.title == "Example Atom"
    assert rss_feed.last_success_at and rss_feed.consecutive_failures == 0
    assert rss_feed.last_poll_note == "4 entries, 4 new."
    assert atom_feed.next_poll_at > timezone.now() + timedelta(minutes=14)
    # Entries 2 and 3 were stored from the RSS feed; the Atom feed took only 4 and 5.
    assert atom_feed.last_poll_note == "4 entries, 2 new."
    assert set(rss_feed.jobs.values_list("status", flat=True)) == {IngestJob.Status.DONE}
    assert rss_feed.jobs.count() == 4 and atom_feed.jobs.count() == 2
    # every article page was fetched exactly once
    fetched = [r.path for r in server.requests if r.path.startswith("/a/")]
    assert sorted(fetched) == sorted(f"/a/{n}" for n in range(6))


def test_conditional_get_answered_304_fetches_nothing_new(allowed, on_commit, editor):
    server = allowed
    links = serve_articles(server, range(2))
    body = rss(links)

    def feed_route(request):
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(304, {"ETag": '"v1"'})
        return Reply(
            200,
            {**RSS_TYPE, "ETag": '"v1"', "Last-Modified": "Wed, 01 May 2024 12:00:00 GMT"},
            body,
        )

    server.route("/rss.xml", feed_route)
    feed = on_commit(services.feed_create, url=server.url("/rss.xml"), by=editor)
    feed.refresh_from_db()
    assert feed.etag == '"v1"' and feed.last_modified.startswith("Wed, 01 May 2024")
    jobs_before, requests_before = IngestJob.objects.count(), len(server.requests)

    make_due(feed)
    on_commit(tasks.feeds_poll_due.delay)

    feed.refresh_from_db()
    polls = server.requests[requests_before:]
    assert [r.path for r in polls] == ["/rss.xml"]  # the feed only, no article page
    assert polls[0].headers["if-none-match"] == '"v1"'
    assert polls[0].headers["if-modified-since"] == "Wed, 01 May 2024 12:00:00 GMT"
    assert IngestJob.objects.count() == jobs_before
    assert feed.last_poll_note.startswith("Not modified")
    assert feed.etag == '"v1"'
    assert feed.consecutive_failures == 0


def test_a_repoll_without_etag_does_not_enqueue_stored_entries_again(allowed, on_commit, editor):
    server = allowed
    server.route("/rss.xml", Reply(200, RSS_TYPE, rss(serve_articles(server, range(3)))))
    feed = on_commit(services.feed_create, url=server.url("/rss.xml"), by=editor)
    make_due(feed)
    on_commit(tasks.feeds_poll_due.delay)
    feed.refresh_from_db()
    assert feed.jobs.count() == 3
    assert feed.last_poll_note == "3 entries, 0 new."


def test_links_already_stored_or_queued_elsewhere_are_not_enqueued(allowed, on_commit, editor):
    server = allowed
    links = serve_articles(server, range(3))
    server.route("/rss.xml", Reply(200, RSS_TYPE, rss(links)))
    factories.ArticleFactory(
        url=links[0][1], canonical_url=links[0][1], url_hash=services.hash_of(links[0][1])
    )
    IngestJob.objects.create(
        channel=IngestJob.Channel.URL,
        url=links[1][1] + "?utm_source=x",
        url_hash=services.hash_of(links[1][1] + "?utm_source=x"),
    )  # queued from the API, not run in this test

    feed = services.feed_create(url=server.url("/rss.xml"), by=editor)
    picked = services.feeds_lease(feed_ids=[feed.pk], due_only=False)
    feed.refresh_from_db()
    lease = feed.next_poll_at.isoformat()
    services.feed_poll_run(feed.pk, lease)

    assert picked == [feed.pk]
    assert list(feed.jobs.values_list("url", flat=True)) == [links[2][1]]


def test_a_failing_feed_backs_off_then_pauses_with_its_reason(allowed, on_commit, editor):
    server = allowed
    server.route("/rss.xml", Reply(500, {"Content-Type": "text/html"}, b"<h1>Oops</h1>"))
    feed = on_commit(services.feed_create, url=server.url("/rss.xml"), by=editor)
    waits = []
    attempts = range(1, services.FEED_PAUSE_AFTER + 1)
    assert len(attempts) >= 2  # a back-off before the pause
    for attempt in attempts:
        feed.refresh_from_db()
        assert feed.consecutive_failures == attempt
        assert "500 Internal Server Error" in feed.last_error
        if attempt < services.FEED_PAUSE_AFTER:
            assert feed.is_active
            waits.append((feed.next_poll_at - feed.last_error_at).total_seconds())
            make_due(feed)
            on_commit(tasks.feeds_poll_due.delay)
    # at least the interval, growing with the failures (full jitter on top of the interval)
    assert all(w >= feed.poll_interval_minutes * 60 for w in waits)
    assert not feed.is_active
    assert feed.paused_reason.startswith("Paused automatically after 5 failed polls in a row.")
    assert "500 Internal Server Error" in feed.paused_reason
    assert IngestJob.objects.count() == 0

    # A paused feed is not picked, however due.
    make_due(feed)
    assert services.feeds_lease() == []

    on_commit(services.feed_resume, feed=feed, by=editor)
    feed.refresh_from_db()
    assert feed.is_active and feed.paused_reason == ""
    assert feed.consecutive_failures == 1  # the resume's own poll failed again


def test_back_off_grows_with_failures(allowed, editor, monkeypatch):
    monkeypatch.setattr(
        "apps.ingestion.services.feeds.backoff_seconds", lambda n, base, cap: base * 2**n
    )
    server = allowed
    server.route("/rss.xml", Reply(503, {}, b""))
    feed = services.feed_create(url=server.url("/rss.xml"), by=editor)
    gaps = []
    for _ in range(3):
        services.feeds_lease(feed_ids=[feed.pk], due_only=False)
        feed.refresh_from_db()
        services.feed_poll_run(feed.pk, feed.next_poll_at.isoformat())
        feed.refresh_from_db()
        gaps.append(round((feed.next_poll_at - feed.last_error_at).total_seconds() / 60))
    assert gaps == [15 + 30, 15 + 60, 15 + 120]


def test_a_poll_whose_lease_is_gone_does_nothing(allowed, editor):
    server = allowed
    server.route("/rss.xml", Reply(200, RSS_TYPE, rss([])))
    feed = services.feed_create(url=server.url("/rss.xml"), by=editor)
    assert services.feed_poll_run(feed.pk, (timezone.now() - timedelta(days=1)).isoformat()) is None
    assert server.requests == []


def test_only_editors_manage_feeds(analyst):
    with pytest.raises(NotAllowed):
        services.feed_create(url="https://news.example/rss", by=analyst)


@pytest.mark.django_db(transaction=True)
def test_two_pickers_racing_lease_each_due_feed_once(monkeypatch):
    monkeypatch.setattr(services.feeds, "FEED_PICK_LIMIT", 3)
    sent: list[int] = []
    lock = threading.Lock()

    def record(feed_id, lease):
        with lock:
            sent.append(feed_id)

    monkeypatch.setattr(tasks.feed_poll, "delay", record)
    feeds = [Feed.objects.create(url=f"https://news{i}.example/rss") for i in range(20)]
    barrier = threading.Barrier(2)
    picked: dict[str, list[int]] = {"a": [], "b": []}

    def picker(name):
        try:
            barrier.wait()
            while True:
                got = services.feeds_lease()
                if not got:
                    break
                picked[name].extend(got)
        finally:
            connection.close()

    threads = [threading.Thread(target=picker, args=(n,)) for n in picked]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert not set(picked["a"]) & set(picked["b"])
    assert sorted(picked["a"] + picked["b"]) == sorted(f.pk for f in feeds)
    assert sorted(sent) == sorted(f.pk for f in feeds)  # one poll each, sent after commit
    assert Feed.objects.filter(next_poll_at__lte=timezone.now()).count() == 0


def test_feeds_have_a_smaller_size_cap_than_pages(allowed, on_commit):
    """A 5 MB feed is refused (feeds are capped at 4 MB: parsing one costs far more than
    storing a page), while a page of the same size may be fetched."""
    server = allowed
    link = server.route("/a/1", Reply(200, HTML_TYPE, article_page("One", story(1)).encode()))
    body = rss([("One", link)]).replace(b"<channel>", b"<channel><!--" + b" " * 5_000_000 + b"-->")
    feed = Feed.objects.create(url=server.route("/big.xml", Reply(200, RSS_TYPE, body)))

    on_commit(tasks.feeds_poll_due.delay)

    feed.refresh_from_db()
    assert "larger than the 4 MB limit" in feed.last_error
    assert feed.consecutive_failures == 1 and not feed.jobs.exists()
    page = server.route("/big-page", Reply(200, HTML_TYPE, b"<html>" + b" " * 5_000_000))
    assert len(http_fetch(page).body) > 5_000_000


def http_fetch(url):
    from apps.core import http

    return http.fetch(url, accept=http.HTML_TYPES)


def test_the_poll_note_says_when_entries_past_the_limit_were_left_out(
    allowed, on_commit, monkeypatch
):
    from apps.ingestion import feeds

    monkeypatch.setattr(feeds, "MAX_ENTRIES", 2)
    server = allowed
    links = serve_articles(server, range(5))
    feed = Feed.objects.create(url=server.route("/rss.xml", Reply(200, RSS_TYPE, rss(links))))

    on_commit(tasks.feeds_poll_due.delay)

    feed.refresh_from_db()
    assert feed.last_poll_note.startswith("2 entries, 2 new.")
    assert "3 more entries were left out: a poll reads at most 2" in feed.last_poll_note
    assert feed.jobs.count() == 2
