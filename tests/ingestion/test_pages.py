"""The ingestion pages: who may do what, the batch progress fragment, retry, feeds."""

import re

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.articles.models import Article
from apps.ingestion import services
from apps.ingestion.models import Feed, IngestBatch, IngestJob
from tests import factories
from tests.hostile import IMG, SCRIPT, assert_inert

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader_client(client):
    client.force_login(User.objects.create_user("reader"))
    return client


@pytest.fixture
def queued(monkeypatch):
    """Jobs stay queued (no worker), so pages show them in flight."""
    monkeypatch.setattr(services.dispatch, "jobs_enqueue", lambda ids: None)


PAGES = [
    "ingestion:jobs",
    "ingestion:batches",
    "ingestion:feeds",
    "ingestion:add",
    "ingestion:batch_new",
]


@pytest.mark.parametrize("name", PAGES)
def test_pages_need_a_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", ["ingestion:jobs", "ingestion:batches", "ingestion:feeds"])
def test_everyone_logged_in_can_view(reader_client, name):
    assert reader_client.get(reverse(name)).status_code == 200


def test_a_reader_cannot_add_articles_or_retry(reader_client, queued):
    assert reader_client.get(reverse("ingestion:add")).status_code == 403
    response = reader_client.post(reverse("ingestion:add"), {"url": "https://news.example/a"})
    assert response.status_code == 403
    assert (
        reader_client.post(
            reverse("ingestion:batch_new"), {"urls": "https://a.example/"}
        ).status_code
        == 403
    )
    job = IngestJob.objects.create(channel="url", url="https://a.example/", status="failed")
    assert reader_client.post(reverse("ingestion:job_retry", args=[job.pk])).status_code == 403
    assert IngestJob.objects.get(pk=job.pk).status == "failed"
    assert not IngestJob.objects.exclude(pk=job.pk).exists()


def test_analyst_adds_an_article_and_lands_on_its_job(analyst_client, queued):
    response = analyst_client.post(
        reverse("ingestion:add"), {"url": " https://news.example/a?utm_source=x "}
    )
    job = IngestJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ingestion:job_detail", args=[job.pk])
    assert job.created_by.username.startswith("analyst")
    page = analyst_client.get(response["Location"]).content.decode()
    assert "Queued" in page and 'hx-trigger="every 2s"' in page  # follows itself while running


def test_adding_something_that_is_not_a_web_address_says_why(analyst_client, queued):
    for bad in ["file:///etc/passwd", "javascript:alert(1)", "news.example/a", ""]:
        response = analyst_client.post(reverse("ingestion:add"), {"url": bad})
        assert response.status_code == 400
    assert (
        "not a web address"
        in analyst_client.post(
            reverse("ingestion:add"), {"url": "ftp://x.example/f"}
        ).content.decode()
    )
    assert not IngestJob.objects.exists()


def test_a_pasted_list_becomes_a_batch_with_bad_lines_reported(analyst_client, queued):
    text = (
        "# my list\nhttps://a.example/1\nhttps://a.example/2, https://a.example/3\n"
        "not a url\nhttps://a.example/1?utm_source=x\nhttp://\n"
    )
    response = analyst_client.post(
        reverse("ingestion:batch_new"), {"urls": text, "label": "Morning"}, follow=True
    )
    batch = IngestBatch.objects.get()
    assert batch.label == "Morning" and batch.jobs.count() == 3
    page = response.content.decode()
    assert "3 address(es) queued. 1 repeated address(es) were queued once." in page
    assert "Line 4: no web address" in page
    assert "Line 6:" in page
    assert "0 of 3 done" in page
    assert 'hx-trigger="every 2s"' in page


def test_an_uploaded_file_of_urls_becomes_a_batch(analyst_client, queued):
    upload = SimpleUploadedFile(
        "urls.csv", "\ufeffurl\nhttps://b.example/1\nhttps://b.example/2\n".encode()
    )
    response = analyst_client.post(reverse("ingestion:batch_new"), {"file": upload})
    assert response.status_code == 302
    assert IngestBatch.objects.get().jobs.count() == 2


def test_a_binary_upload_is_refused(analyst_client, queued):
    upload = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    response = analyst_client.post(reverse("ingestion:batch_new"), {"file": upload})
    assert response.status_code == 400 and "not a text file" in response.content.decode()


def test_batch_progress_fragment_polls_until_every_job_is_final(analyst_client, analyst, queued):
    result = services.batch_submit_urls(text="https://c.example/1\nhttps://c.example/2", by=analyst)
    url = reverse("ingestion:batch_progress", args=[result.batch.pk])
    first, second = result.jobs

    fragment = analyst_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "0 of 2 done" in fragment and 'hx-trigger="every 2s"' in fragment
    assert "<html" not in fragment  # a fragment, not a page

    article = factories.ArticleFactory(title="Stored one")
    IngestJob.objects.filter(pk=first.pk).update(status="done", article=article)
    fragment = analyst_client.get(url).content.decode()
    assert "1 of 2 done" in fragment and 'value="1"' in fragment and "hx-trigger" in fragment

    IngestJob.objects.filter(pk=second.pk).update(
        status="failed", failure_reason="x.example answered 404"
    )
    fragment = analyst_client.get(url).content.decode()
    assert "2 of 2 done" in fragment
    assert "hx-trigger" not in fragment  # all final: the polling stops
    assert "x.example answered 404" in fragment and "Retry" in fragment


def test_failed_job_shows_its_reason_and_can_be_retried(
    analyst_client, analyst, on_commit, allowed
):
    job = on_commit(services.job_submit_url, url=allowed.url("/missing"), by=analyst)
    page = analyst_client.get(reverse("ingestion:job_detail", args=[job.pk])).content.decode()
    assert "Why it failed" in page and "404 Not Found" in page and "does not exist" in page

    response = on_commit(analyst_client.post, reverse("ingestion:job_retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "failed" and job.attempts == 1  # ran again, failed again
    assert len([r for r in allowed.requests if r.path == "/missing"]) == 2


def test_job_page_shows_a_near_duplicate_and_its_similarity(analyst_client, analyst):
    original = factories.ArticleFactory(title="The original story")
    copy = factories.ArticleFactory(
        title="The spun copy", duplicate_of=original, duplicate_similarity=0.4321
    )
    job = IngestJob.objects.create(
        channel="url",
        url="https://spun.example/x",
        status="done",
        article=copy,
        created_by=analyst,
    )
    page = analyst_client.get(reverse("ingestion:job_detail", args=[job.pk])).content.decode()
    assert "Near-duplicate of" in page and "The original story" in page and "43%" in page
    listing = analyst_client.get(reverse("ingestion:jobs")).content.decode()
    assert "near-duplicate" in listing


def test_titles_and_reasons_from_outside_are_escaped(analyst_client, analyst):
    article = factories.ArticleFactory(title=SCRIPT)
    IngestJob.objects.create(
        channel="url",
        url="https://x.example/",
        status="failed",
        failure_reason=IMG,
        created_by=analyst,
    )
    IngestJob.objects.create(
        channel="url", url="https://y.example/", status="done", article=article, created_by=analyst
    )
    page = analyst_client.get(reverse("ingestion:jobs")).content.decode()
    assert_inert(page)
    assert "&lt;script&gt;" in page


def test_job_list_filters_and_query_count(analyst_client, analyst, django_assert_max_num_queries):
    for i in range(30):
        IngestJob.objects.create(
            channel="feed" if i % 2 else "url",
            url=f"https://q.example/{i}",
            status="failed" if i % 3 == 0 else "done",
            article=factories.ArticleFactory(),
            created_by=analyst,
        )
    with django_assert_max_num_queries(8):
        page = analyst_client.get(
            reverse("ingestion:jobs"), {"status": "failed", "channel": "url"}
        ).content.decode()
    assert len(re.findall(r'class="job-row', page)) == 5


def test_editor_adds_pauses_and_resumes_a_feed(editor_client, editor, queued, monkeypatch):
    polled = []
    monkeypatch.setattr("apps.ingestion.tasks.feed_poll.delay", lambda *a: polled.append(a))
    response = editor_client.post(
        reverse("ingestion:feeds"),
        {"url": "https://news.example/rss.xml", "poll_interval_minutes": 30},
    )
    feed = Feed.objects.get()
    assert response.status_code == 302 and feed.poll_interval_minutes == 30
    assert feed.outlet.domain == "news.example"

    editor_client.post(
        reverse("ingestion:feed_pause", args=[feed.pk]), {"reason": "Paywalled now."}
    )
    feed.refresh_from_db()
    assert not feed.is_active and "Paywalled now." in feed.paused_reason
    page = editor_client.get(reverse("ingestion:feeds")).content.decode()
    assert "Paused" in page and "Paywalled now." in page

    editor_client.post(reverse("ingestion:feed_resume", args=[feed.pk]))
    feed.refresh_from_db()
    assert feed.is_active and feed.paused_reason == ""


def test_feed_page_shows_state_errors_and_its_jobs(analyst_client):
    feed = Feed.objects.create(
        url="https://news.example/rss",
        title="News RSS",
        last_error="news.example answered 500",
        consecutive_failures=2,
    )
    IngestJob.objects.create(
        channel="feed", feed=feed, url="https://news.example/a", status="queued"
    )
    page = analyst_client.get(reverse("ingestion:feed_detail", args=[feed.pk])).content.decode()
    assert "News RSS" in page and "answered 500" in page and "https://news.example/a" in page
    assert "Pause" not in page  # analysts see, editors manage


def test_analyst_cannot_manage_feeds(analyst_client):
    feed = Feed.objects.create(url="https://news.example/rss")
    assert (
        analyst_client.post(
            reverse("ingestion:feeds"), {"url": "https://x.example/rss", "poll_interval_minutes": 5}
        ).status_code
        == 403
    )
    assert analyst_client.post(reverse("ingestion:feed_pause", args=[feed.pk])).status_code == 403
    assert Feed.objects.get(pk=feed.pk).is_active and Feed.objects.count() == 1


def test_duplicate_feed_is_refused_with_a_message(editor_client, queued, monkeypatch):
    monkeypatch.setattr("apps.ingestion.tasks.feed_poll.delay", lambda *a: None)
    Feed.objects.create(url="https://news.example/rss")
    response = editor_client.post(
        reverse("ingestion:feeds"), {"url": "https://news.example/rss", "poll_interval_minutes": 15}
    )
    assert response.status_code == 400 and "already followed" in response.content.decode()


def test_stored_article_page_link_for_a_done_job(analyst_client, analyst):
    article = Article.objects.create(
        title="Done one", text="x" * 100, url_hash="d" * 64, content_hash="d" * 64
    )
    job = IngestJob.objects.create(
        channel="url", url="https://d.example/", status="done", article=article, created_by=analyst
    )
    page = analyst_client.get(reverse("ingestion:job_detail", args=[job.pk])).content.decode()
    assert reverse("articles:detail", args=[article.pk]) in page
    assert "hx-trigger" not in page  # final: no polling


@pytest.mark.parametrize(
    "address",
    ["http://127.0.0.1:6379/", "http://localhost./", "http://[::1]/", "http://2130706433/"],
)
def test_an_address_typed_in_the_ui_cannot_reach_this_machine(
    analyst_client, on_commit, settings, address
):
    settings.FETCH_ALLOWED_HOSTS = []
    response = on_commit(analyst_client.post, reverse("ingestion:add"), {"url": address})
    job = IngestJob.objects.first()
    if job is None:  # refused when submitted, with the fetch guard's reason: not even a job
        assert response.status_code == 400
        body = response.content.decode()
        assert "not a web address" in body or (
            "Refused:" in body and "public web addresses" in body
        ), body
    else:  # refused by the fetch guard, before any connection
        assert job.status == "failed"
        assert job.failure_reason.startswith("Refused:")
        assert "public web addresses" in job.failure_reason


def test_retry_does_not_redirect_off_site(analyst_client, analyst, queued):
    job = IngestJob.objects.create(
        channel="url", url="https://a.example/", status="failed", created_by=analyst
    )
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example/"]:
        response = analyst_client.post(
            reverse("ingestion:job_retry", args=[job.pk]), {"next": target}
        )
        assert response["Location"] == reverse("ingestion:job_detail", args=[job.pk])
        IngestJob.objects.filter(pk=job.pk).update(status="failed")
