"""Adding an article that cannot be fetched: pasted text or an uploaded file (HTML, plain
text, a JSON record), with title, outlet, address, date and language, through the same
service as import_articles and the API's push (issue 16, item 3)."""

import json

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.articles.models import Article
from apps.ingestion import forms, services
from apps.ingestion.models import IngestJob

pytestmark = pytest.mark.django_db

URL = reverse("ingestion:add_content")
BODY = (
    "The city council voted on Tuesday to cut the bus budget by 12 percent, the mayor said.\n\n"
    "Opposition members said the cut would close three routes that serve 40,000 riders a day.\n\n"
    "The transport authority has not yet published its own figures for the coming year."
)
META = {
    "title": "Council cuts the bus budget",
    "outlet": "Harbour Gazette",
    "url": "https://gazette.example/news/bus-budget",
    "published_at": "2026-03-14",
    "language": "en",
}


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST to the page with the jobs it enqueues run (eagerly) after commit."""

    def run(data, files=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(URL, {**data, **(files or {})})

    return run


def _article_of(response) -> Article:
    job = IngestJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ingestion:job_detail", args=[job.pk])
    assert job.channel == IngestJob.Channel.FILE
    assert job.status == IngestJob.Status.DONE, job.failure_reason
    return Article.objects.get(pk=job.article_id)


def _assert_meta(article: Article, meta=META):
    assert article.title == meta["title"]
    assert article.outlet.name == meta["outlet"]
    assert article.url == meta["url"]
    assert article.published_at.date().isoformat() == meta["published_at"]
    assert article.language == meta["language"]


def test_the_add_page_links_to_pasting_and_uploading(analyst_client):
    page = analyst_client.get(reverse("ingestion:add")).content.decode()
    assert URL in page


def test_pasted_text_becomes_a_job_and_an_article_with_the_given_details(analyst_client, post):
    response = post({"text": BODY, "format": "text", **META})
    article = _article_of(response)
    _assert_meta(article)
    assert "cut the bus budget by 12 percent" in article.text
    assert article.origin == Article.Origin.FILE
    job = IngestJob.objects.get()
    assert job.created_by.username.startswith("analyst")
    assert job.payload["metadata"]["title"] == META["title"]


def test_pasted_html_is_extracted(analyst_client, post):
    html = (
        "<html><body><article>"
        + "".join(f"<p>{p}</p>" for p in BODY.split("\n\n"))
        + "</article></body></html>"
    )
    article = _article_of(post({"text": html, "format": "html", **META}))
    _assert_meta(article)
    assert "<p>" not in article.text and "40,000 riders" in article.text


def test_uploaded_plain_text(analyst_client, post):
    upload = SimpleUploadedFile("bus.txt", BODY.encode(), content_type="text/plain")
    article = _article_of(post(META, {"file": upload}))
    _assert_meta(article)
    assert article.source_name == "bus.txt"
    assert "three routes" in article.text


def test_uploaded_html(analyst_client, post):
    html = (
        "<!doctype html><html><head><title>Page title from the site</title></head><body>"
        "<nav>Home | News | Sport</nav><article>"
        + "".join(f"<p>{p}</p>" for p in BODY.split("\n\n"))
        + "</article></body></html>"
    )
    upload = SimpleUploadedFile("bus.html", html.encode(), content_type="text/html")
    article = _article_of(post(META, {"file": upload}))
    _assert_meta(article)  # the title typed in the form wins over the page's
    assert "three routes" in article.text and "Home | News" not in article.text


def test_uploaded_json_record_keeps_its_own_details_unless_the_form_gives_them(
    analyst_client, post
):
    record = {**META, "text": BODY, "authors": ["Ana Reyes"], "title": "From the record"}
    upload = SimpleUploadedFile("bus.json", json.dumps(record).encode())
    article = _article_of(post({"language": "en-GB"}, {"file": upload}))
    _assert_meta(article, {**META, "title": "From the record", "language": "en-GB"})
    assert article.authors == ["Ana Reyes"]


def test_uploaded_json_record_with_html(analyst_client, post):
    record = {
        "html": "<article>" + "".join(f"<p>{p}</p>" for p in BODY.split("\n\n")) + "</article>"
    }
    upload = SimpleUploadedFile("bus.json", json.dumps(record).encode())
    article = _article_of(post(META, {"file": upload}))
    _assert_meta(article)


def _error_page(response, *messages):
    assert response.status_code == 400
    page = response.content.decode()
    assert messages, "say which messages the error page must show"
    for message in messages:
        assert message in page, page
    assert not IngestJob.objects.exists()
    return page


def test_empty_text_says_what_is_missing_and_keeps_the_details(analyst_client, post):
    page = _error_page(
        post({"text": "", **META}), "Paste the article&#x27;s text or choose a file."
    )
    assert 'value="Council cuts the bus budget"' in page
    assert 'value="Harbour Gazette"' in page and 'value="2026-03-14"' in page
    _error_page(post({"text": "   \n\t ", **META}), "The text is only blank space")


def test_a_binary_file_is_refused_by_name(analyst_client, post):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    page = _error_page(
        post(META, {"file": SimpleUploadedFile("photo.txt", png)}),
        "photo.txt: this is a binary file, not text, HTML or JSON.",
    )
    assert 'value="Council cuts the bus budget"' in page


def test_a_file_over_the_size_limit_is_refused(analyst_client, post, monkeypatch):
    monkeypatch.setattr(forms, "ARTICLE_FILE_MAX_BYTES", 1000)
    big = SimpleUploadedFile("long.txt", ((BODY + "\n\n") * 10).encode())
    _error_page(post(META, {"file": big}), "long.txt is larger than")


def test_the_real_size_limit_is_5_mb(analyst_client, post):
    big = SimpleUploadedFile("long.txt", b"a" * (5_000_001))
    _error_page(post(META, {"file": big}), "long.txt is larger than 5 MB")


def test_a_json_record_without_text_or_html_is_refused(analyst_client, post):
    upload = SimpleUploadedFile("meta.json", json.dumps({"title": "No body"}).encode())
    _error_page(
        post({}, {"file": upload}), "meta.json[0]: the article has neither &#x27;text&#x27; nor"
    )
    bad = SimpleUploadedFile("bad.json", b'{"text": "unterminated')
    _error_page(post({}, {"file": bad}), "bad.json: not valid JSON")
    many = SimpleUploadedFile("two.json", json.dumps([{"text": BODY}, {"text": BODY}]).encode())
    _error_page(post({}, {"file": many}), "two.json holds 2 articles")


def test_a_bad_address_or_language_keeps_the_uploaded_text(analyst_client, post):
    upload = SimpleUploadedFile("bus.txt", BODY.encode())
    page = _error_page(
        post({**META, "url": "gazette.example/news"}, {"file": upload}),
        "is not a web address",
        "The text of bus.txt is kept in the box below",
        "cut the bus budget by 12 percent",
    )
    assert 'value="Council cuts the bus budget"' in page
    # Sent again as it comes back (the text in the box, the address fixed), it is added.
    article = _article_of(post({"text": BODY, "format": "text", **META}))
    _assert_meta(article)

    IngestJob.objects.all().delete()
    upload = SimpleUploadedFile("bus.txt", BODY.encode())
    _error_page(
        post({**META, "language": "English!"}, {"file": upload}),
        "Enter a language code",
        "cut the bus budget by 12 percent",
    )


def test_text_and_a_file_together_are_refused(analyst_client, post):
    upload = SimpleUploadedFile("bus.txt", BODY.encode())
    _error_page(post({"text": BODY, **META}, {"file": upload}), "not both")


def test_too_short_text_fails_its_job_with_the_reason(analyst_client, post):
    response = post({"text": "Too short.", **META})
    job = IngestJob.objects.get()
    assert response.status_code == 302
    assert job.status == IngestJob.Status.FAILED and "no article text" in job.failure_reason


def test_the_same_text_again_is_a_duplicate(analyst_client, post):
    post({"text": BODY, **META})
    post({"text": BODY, **META})
    assert Article.objects.count() == 1
    assert IngestJob.objects.filter(status=IngestJob.Status.DUPLICATE).count() == 1


def test_the_page_calls_the_shared_service(analyst_client, monkeypatch):
    calls = []
    real = services.job_submit_content

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(services, "job_submit_content", spy)
    monkeypatch.setattr(services.dispatch, "jobs_enqueue", lambda ids: None)
    analyst_client.post(URL, {"text": BODY, **META})
    assert calls and calls[0]["channel"] == IngestJob.Channel.FILE
    assert calls[0]["metadata"]["outlet"] == "Harbour Gazette"


@pytest.mark.parametrize("role", ["analyst", "editor"])
def test_analysts_and_editors_may_add(client, role, post):
    from tests import factories

    client.force_login(factories.user_with_role(role))
    assert client.get(URL).status_code == 200
    _article_of(post({"text": BODY, **META}))


def test_a_user_with_no_role_gets_403(client, post):
    client.force_login(User.objects.create_user("reader"))
    assert client.get(URL).status_code == 403
    response = post({"text": BODY, **META})
    assert response.status_code == 403
    upload = SimpleUploadedFile("bus.txt", BODY.encode())
    assert post(META, {"file": upload}).status_code == 403
    assert not IngestJob.objects.exists() and not Article.objects.exists()


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
