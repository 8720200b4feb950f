"""Hostile or broken answers: each ends as a failed (or partial) job or feed poll with a
readable reason, and nothing else in the same batch or poll run is affected."""

import tracemalloc
import zlib

import pytest

from apps.articles.models import Article
from apps.ingestion import services, tasks
from apps.ingestion.models import Feed, IngestJob
from tests.core.httpserver import Reply, drip, repeat
from tests.ingestion.helpers import HTML_TYPE, article_page, rss, story

pytestmark = pytest.mark.django_db
MB = 1_000_000
FRENCH = (
    "L’économie française a crû de 5 % en 2023, a déclaré le ministère des Finances, "
    "qui parle d’« une année solide » malgré la hausse des prix de l’énergie. "
) * 4


def gzip_bomb(total=1000 * MB, block=b"\0" * MB):
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    made = 0
    while made < total:
        made += len(block)
        piece = packer.compress(block)
        if piece:
            yield piece
    yield packer.flush()


def french_page(encoding: str, *, meta: bool) -> bytes:
    return article_page(
        "Économie", "\n\n".join([FRENCH] * 3), meta_charset=encoding if meta else None
    ).encode(encoding)


@pytest.fixture
def bad_web(allowed, settings):
    server = allowed
    settings.FETCH_TIMEOUT = 1
    routes = {
        "huge": Reply(200, HTML_TYPE, repeat(b"<p>filler</p>" * 5000, 50 * MB)),
        "bomb": lambda r: Reply(200, {**HTML_TYPE, "Content-Encoding": "gzip"}, gzip_bomb()),
        "drip": lambda r: Reply(200, HTML_TYPE, drip(b"<html>" + b"x" * 50, 0.3)),
        "pdf": Reply(200, {"Content-Type": "application/pdf"}, b"%PDF-1.7\n" + b"\0" * 2000),
        "undeclared-pdf": Reply(200, {}, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\0" * 2000),
        "empty": Reply(200, HTML_TYPE, b""),
        "gone": Reply(404, HTML_TYPE, b"<html>no</html>"),
        "index": Reply(
            200, HTML_TYPE, b"<html><body><a href='/a'>A</a> <a href='/b'>B</a></body></html>"
        ),
        "wrong-charset": Reply(200, HTML_TYPE, french_page("cp1252", meta=False)),
        "no-charset": Reply(200, {"Content-Type": "text/html"}, french_page("cp1252", meta=False)),
        "good": Reply(200, HTML_TYPE, article_page("A good story", story(2)).encode()),
    }
    return {name: server.route(f"/{name}", reply) for name, reply in routes.items()}


def test_each_bad_body_fails_its_own_job_with_a_reason(bad_web, on_commit, analyst):
    result = on_commit(services.batch_submit_urls, text="\n".join(bad_web.values()), by=analyst)
    jobs = {job.url.rsplit("/", 1)[1]: job for job in result.batch.jobs.all()}

    expected = {
        "huge": "larger than the 10 MB limit",
        "bomb": "larger than the 10 MB limit once uncompressed",
        "drip": "did not finish loading within 1 second",
        "pdf": "a document of type application/pdf",
        "undeclared-pdf": "does not look like one",
        "empty": "empty body",
        "gone": "404 Not Found: the page does not exist",
        "index": "No article text could be extracted",
    }
    for name, reason in expected.items():
        job = jobs[name]
        assert job.status == IngestJob.Status.FAILED, name
        assert reason in job.failure_reason, (name, job.failure_reason)
        assert job.article_id is None
    # a timeout is transient: retried with backoff, then given up with the count
    assert jobs["drip"].attempts == services.MAX_ATTEMPTS
    assert "gave up after 4 attempts" in jobs["drip"].failure_reason
    assert jobs["pdf"].attempts == 1  # permanent: never retried

    # the good page and the pages in a wrong or missing charset are stored, correctly
    assert jobs["good"].status == IngestJob.Status.DONE
    for name in ("wrong-charset", "no-charset"):
        assert jobs[name].status in (IngestJob.Status.DONE, IngestJob.Status.DUPLICATE), name
    assert "L’économie française a crû de 5 %" in jobs["wrong-charset"].article.text
    assert "\ufffd" not in jobs["wrong-charset"].article.text
    assert Article.objects.count() == 2  # the good one, and the French one (stored once)


def test_a_gzip_bomb_job_keeps_memory_flat(allowed, on_commit):
    allowed.route(
        "/bomb", lambda r: Reply(200, {**HTML_TYPE, "Content-Encoding": "gzip"}, gzip_bomb())
    )
    tracemalloc.start()
    try:
        job = on_commit(services.job_submit_url, url=allowed.url("/bomb"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    job.refresh_from_db()
    assert job.status == IngestJob.Status.FAILED
    assert peak < 40 * MB  # the cap is 10 MB; the bomb inflates to 1 GB


XXE = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&xxe;</title><item><title>a</title>
<link>https://news.example/a</link></item></channel></rss>"""
LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><title>&lol3;</title></channel></rss>"""


def test_bad_feeds_fail_their_poll_with_a_reason_and_good_feeds_are_unaffected(
    allowed, on_commit, settings
):
    server = allowed
    settings.FETCH_TIMEOUT = 1
    good_link = server.route(
        "/story", Reply(200, HTML_TYPE, article_page("Good", story(3)).encode())
    )
    partial_link = server.route(
        "/partial-story", Reply(200, HTML_TYPE, article_page("P", story(4)).encode())
    )
    rss_type = {"Content-Type": "application/rss+xml"}
    feeds = {
        "xxe": Reply(200, rss_type, XXE),
        "laughs": Reply(200, rss_type, LAUGHS),
        "garbage": Reply(200, {"Content-Type": "application/xml"}, b"<<<not xml at all"),
        "html": Reply(200, HTML_TYPE, b"<!doctype html><html><body>Home page</body></html>"),
        "pdf": Reply(200, {"Content-Type": "application/pdf"}, b"%PDF-1.4"),
        "drip": lambda r: Reply(200, rss_type, drip(b"<rss>" + b" " * 50, 0.3)),
        "bomb": lambda r: Reply(200, {**rss_type, "Content-Encoding": "gzip"}, gzip_bomb()),
        "malformed": Reply(
            200,
            rss_type,
            f"<rss version='2.0'><channel><title>Half</title><item><title>P</title>"
            f"<link>{partial_link}</link></item><item><title>&broken; <b></title>".encode(),
        ),
        "good": Reply(200, rss_type, rss([("Good", good_link)])),
    }
    for name, reply in feeds.items():
        Feed.objects.create(url=server.route(f"/{name}.xml", reply), title=name)

    on_commit(tasks.feeds_poll_due.delay)

    state = {f.title: f for f in Feed.objects.all()}
    reasons = {
        "xxe": "declares XML entities",
        "laughs": "declares XML entities",
        "garbage": "did not return a readable RSS or Atom feed",
        "html": "a web page, not an RSS or Atom feed",
        "pdf": "a document of type application/pdf",
        "drip": "did not finish loading within 1 second",
        "bomb": "once uncompressed",
    }
    for name, reason in reasons.items():
        feed = state[name]
        assert feed.consecutive_failures == 1, name
        assert reason in feed.last_error, (name, feed.last_error)
        assert feed.last_success_at is None and feed.is_active
        assert not feed.jobs.exists()
    assert state["good"].last_error == "" and state["good"].last_success_at
    assert (
        state["malformed"].last_success_at
        and "not well-formed" in state["malformed"].last_poll_note
    )
    assert set(Article.objects.values_list("title", flat=True)) == {"Good", "P"}
