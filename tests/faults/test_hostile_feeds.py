"""Hostile feeds polled by a real prefork worker: every poll ends with a reason and the pool
process that ran it stays under 300 MB, whatever the body (the bad bodies of
test_bad_bodies.py, and "billion laughs" entity bombs hidden behind a comment that looks
like the root element, or behind 1 MB of padding)."""

import json

import pytest

from apps.ingestion import services
from apps.ingestion.models import Feed
from tests.core.httpserver import Reply, drip
from tests.faults.test_bad_bodies import LAUGHS, XXE, gzip_bomb
from tests.faults.workers import Worker, worker_env
from tests.hostile import BEHIND_1MB_PADDING, BEHIND_COMMENT, ENTITY_DTD
from tests.ingestion.helpers import HTML_TYPE, article_page, rss, story
from tests.polling import wait_for

MB = 1_000_000
RSS_TYPE = {"Content-Type": "application/rss+xml"}
MEMORY_LIMIT = 300 * MB


def entity_bomb(prefix: bytes, size: int = 3 * MB) -> bytes:
    """A feed whose one title references an entity ~500,000 times: 5 characters out per byte
    in, below expat's amplification limit, so a parser that expands it holds ~15 million
    characters (~420 MB measured in feedparser for 3 MB)."""
    head = b'<?xml version="1.0"?>' + prefix + ENTITY_DTD
    head += b'<rss version="2.0"><channel><title>Bomb</title><item><title>'
    tail = b"</title><link>https://news.example/bomb</link></item></channel></rss>"
    return head + b"&lol2;" * ((size - len(head) - len(tail)) // 6) + tail


def recorded_feeds(memory_log) -> set[int]:
    lines = memory_log.read_text().splitlines() if memory_log.exists() else []
    return {json.loads(line)["args"][0] for line in lines if "feed_poll" in line}


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_hostile_feeds_fail_with_a_reason_and_the_worker_stays_under_300_mb(
    allowed, broker_queue, settings, tmp_path
):
    server = allowed
    good_link = server.route(
        "/story", Reply(200, HTML_TYPE, article_page("Good", story(3)).encode())
    )
    feeds = {
        "xxe": Reply(200, RSS_TYPE, XXE),
        "laughs": Reply(200, RSS_TYPE, LAUGHS),
        "bomb-behind-comment": Reply(200, RSS_TYPE, entity_bomb(BEHIND_COMMENT)),
        "bomb-behind-padding": Reply(200, RSS_TYPE, entity_bomb(BEHIND_1MB_PADDING)),
        "garbage": Reply(200, {"Content-Type": "application/xml"}, b"<<<not xml at all"),
        "html": Reply(200, HTML_TYPE, b"<!doctype html><html><body>Home page</body></html>"),
        "pdf": Reply(200, {"Content-Type": "application/pdf"}, b"%PDF-1.4"),
        "drip": lambda r: Reply(200, RSS_TYPE, drip(b"<rss>" + b" " * 50, 0.3)),
        "gzip-bomb": lambda r: Reply(200, {**RSS_TYPE, "Content-Encoding": "gzip"}, gzip_bomb()),
        "good": Reply(200, RSS_TYPE, rss([("Good", good_link)])),
    }
    ids = {
        Feed.objects.create(url=server.route(f"/{name}.xml", reply), title=name).pk: name
        for name, reply in feeds.items()
    }
    memory_log = tmp_path / "memory.jsonl"
    env = worker_env(settings, broker_queue, server) | {
        "CLAIMTRACK_TEST_MEMORY_LOG": str(memory_log),
        "FETCH_TIMEOUT": "1",
        # No redelivery of a poll still running: each delivery costs a new pool process.
        "CLAIMTRACK_TEST_VISIBILITY_TIMEOUT": "120",
    }
    log = tmp_path / "worker.log"
    # One task per pool process, so each poll's peak is its own.
    worker = Worker("memory", env, log, extra_args=("--max-tasks-per-child=1",))
    try:
        assert worker.ready.wait(60), log.read_text()
        services.feeds_lease()

        def polled():
            return (
                memory_log.exists()
                and not Feed.objects.filter(
                    pk__in=ids, last_success_at__isnull=True, last_error=""
                ).exists()
            )

        assert wait_for(polled, 180), log.read_text()
        # The last poll's peak is written after its outcome: wait for a record of each.
        assert wait_for(lambda: len(recorded_feeds(memory_log)) == len(ids), 30)
    finally:
        worker.kill()

    peaks = {}  # a delivery of a poll that has finished runs again as a no-op: keep the most
    for line in memory_log.read_text().splitlines():
        record = json.loads(line)
        if record["task"] == "apps.ingestion.tasks.feed_poll":
            name = ids[record["args"][0]]
            peaks[name] = max(peaks.get(name, 0), record["peak"])
    print({name: f"{peak / MB:.0f} MB" for name, peak in peaks.items()})
    assert set(peaks) == set(feeds)
    assert {name: peak for name, peak in peaks.items() if peak >= MEMORY_LIMIT} == {}

    state = {feed.title: feed for feed in Feed.objects.all()}
    reasons = {
        "xxe": "declares XML entities",
        "laughs": "declares XML entities",
        "bomb-behind-comment": "declares XML entities",
        "bomb-behind-padding": "declares XML entities",
        "garbage": "did not return a readable RSS or Atom feed",
        "html": "a web page, not an RSS or Atom feed",
        "pdf": "a document of type application/pdf",
        "drip": "did not finish loading within 1 second",
        "gzip-bomb": "once uncompressed",
    }
    for name, reason in reasons.items():
        assert reason in state[name].last_error, (name, state[name].last_error)
        assert state[name].consecutive_failures == 1
    assert state["good"].last_success_at and not state["good"].last_error
