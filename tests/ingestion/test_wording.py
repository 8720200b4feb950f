"""What ingestion says when it is done (issue 15, item 10): a final failure never promises
another try, and a page whose bytes no charset decodes cleanly is stored with a note
instead of as mojibake without one."""

import pytest

from apps.articles.models import Article
from apps.ingestion import services
from apps.ingestion.charset import decode_page
from apps.ingestion.models import Feed, IngestJob
from tests.core.httpserver import Reply
from tests.factories import ArticleFactory
from tests.ingestion.helpers import HTML_TYPE, article_page, story

pytestmark = pytest.mark.django_db

UNAVAILABLE = Reply(503, {"Content-Type": "text/html"}, b"down")


def promises_a_retry(text: str) -> bool:
    return "try again" in text.lower() or "retry" in text.lower()


@pytest.fixture
def no_waits(settings, monkeypatch):
    settings.INGEST_EAGER_MAX_BACKOFF = 10
    monkeypatch.setattr(services.common, "_backoff_sleep", lambda seconds: None)


def test_a_job_that_gave_up_does_not_say_it_will_try_again(allowed, on_commit, analyst, no_waits):
    url = allowed.route("/down", UNAVAILABLE)
    job = on_commit(services.job_submit_url, url=url, by=analyst)
    job.refresh_from_db()
    assert job.status == IngestJob.Status.FAILED
    assert f"gave up after {services.MAX_ATTEMPTS} attempts" in job.failure_reason
    assert "503" in job.failure_reason and "problem on its side" in job.failure_reason
    assert not promises_a_retry(job.failure_reason), job.failure_reason


def test_a_retry_that_is_queued_says_so_once(monkeypatch):
    """While a retry is queued the reason says it will be tried again, once, not twice."""
    job = IngestJob(channel="url", url="https://news.example/a", attempts=1)
    run = services.runner.Run(job)
    reason = "https://news.example/a answered 503: the site has a problem on its side; "
    run.transient_failure(
        services.TransientIngestError(reason + "Claimtrack will try again later.")
    )
    assert run.status == IngestJob.Status.QUEUED
    assert run.reason.lower().count("try again") == 1, run.reason


def test_a_feed_paused_for_its_failures_does_not_say_it_will_try_again(allowed, editor):
    feed = Feed.objects.create(url=allowed.route("/rss.xml", UNAVAILABLE))
    for _ in range(services.FEED_PAUSE_AFTER):
        services.feeds_lease(feed_ids=[feed.pk], due_only=False)
        feed.refresh_from_db()
        services.feed_poll_run(feed.pk, feed.next_poll_at.isoformat())
    feed.refresh_from_db()
    assert not feed.is_active and "Paused automatically" in feed.paused_reason
    assert "503" in feed.paused_reason
    assert not promises_a_retry(feed.paused_reason), feed.paused_reason
    assert not promises_a_retry(feed.last_error), feed.last_error


def test_a_failed_reextraction_does_not_say_it_will_try_again(allowed, editor):
    url = allowed.route("/down", UNAVAILABLE)
    article = ArticleFactory(text="Old text of the article.", url=url, canonical_url=url)
    reextraction = services.reextraction_request(article=article, by=editor)
    services.reextraction_run(reextraction.pk)
    reextraction.refresh_from_db()
    assert reextraction.status == "failed" and "503" in reextraction.outcome
    assert not promises_a_retry(reextraction.outcome), reextraction.outcome


ACCENTED = (
    "Le conseil municipal a voté un budget très élevé pour les écoles, a déclaré le maire "
    "à Zürich, où le café coûte désormais plus cher qu'à Genève."
)


def mixed_page() -> bytes:
    """UTF-8 text with stray bytes from another charset (a windows-1252 footer): no one
    charset decodes every byte."""
    text = "\n\n".join([ACCENTED, story(7)])
    page = article_page("Un budget élevé", text).encode("utf-8")
    return page.replace(b"Copyright News Example", b"\xa9 News Example, caf\xe9 \x93ici\x94")


def test_an_undecodable_page_is_stored_with_a_note(allowed, on_commit, analyst):
    url = allowed.route("/mixed", Reply(200, HTML_TYPE, mixed_page()))
    job = on_commit(services.job_submit_url, url=url, by=analyst)
    job.refresh_from_db()
    assert job.status == IngestJob.Status.DONE
    article = Article.objects.get(pk=job.article_id)
    assert "très élevé" in article.text and "Zürich" in article.text  # not "trÃ¨s"
    assert "Ã" not in article.text
    assert "not valid in any one character set" in job.failure_reason
    assert "4 bytes are not" in job.failure_reason
    assert article.failure_reason == job.failure_reason  # the API's article carries it too


def test_a_clean_page_has_no_note(allowed, on_commit, analyst):
    page = article_page("Un budget élevé", "\n\n".join([ACCENTED, story(8)])).encode()
    url = allowed.route("/clean", Reply(200, HTML_TYPE, page))
    job = on_commit(services.job_submit_url, url=url, by=analyst)
    job.refresh_from_db()
    assert job.status == IngestJob.Status.DONE and job.failure_reason == ""


@pytest.mark.parametrize(
    ("body", "charset", "expected", "noted"),
    [
        ("café".encode(), "utf-8", "café", False),
        ("Привет, мир".encode("cp1251"), "windows-1251", "Привет, мир", False),
        ("café".encode() + b" \xe9", "utf-8", "café \ufffd", True),
    ],
)
def test_decode_page(body, charset, expected, noted):
    text, note = decode_page(body, charset)
    assert text == expected and bool(note) is noted
