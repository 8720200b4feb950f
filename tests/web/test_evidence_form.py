"""The evidence form's errors (next to their field, summarised on top with links, what is
missing first) and "Fetch title again" on a source whose title could not be fetched
(issue 16, item 8)."""

import re

import pytest
from django.urls import reverse

from apps.claims import services
from apps.core.errors import DomainError, NotAllowed
from apps.evidence import services as evidence_services
from apps.evidence.models import EvidenceLink, Source
from tests.core.httpserver import LocalServer, Reply

pytestmark = pytest.mark.django_db
QUOTE = "Russia is running out of munitions used in the war in Ukraine"
PAGE = (
    b"<!doctype html><html><head><meta charset='utf-8'>"
    b"<title>Shell output in 2023 | Example Institute</title>"
    b"<meta property='og:site_name' content='Example Institute'>"
    b"</head><body><p>Production rose.</p></body></html>"
)


@pytest.fixture
def claim(analyst, article):
    return services.claim_create(article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst)


def post_evidence(client, claim, **data):
    return client.post(
        reverse("evidence:add", args=[claim.pk]), {"kind": "other", **data}, HTTP_HX_REQUEST="true"
    )


def summary(body: str) -> list[tuple[str, str]]:
    """(link target, message) of each entry of the error summary, in order."""
    block = re.search(r'<div class="error-summary".*?</div>', body, re.S)
    assert block, "no error summary"
    return re.findall(r'<li>(?:<a href="#([^"]+)"[^>]*>)?([^<]+)', block.group(0))


def test_an_empty_form_says_first_that_a_source_is_missing(analyst_client, claim):
    response = post_evidence(analyst_client, claim)
    body = response.content.decode()
    assert response.status_code == 400
    assert summary(body) == [
        ("id_evidence_url", "Give a URL, an article or a note."),
        ("id_evidence_stance", "Choose a stance: supports, refutes or context."),
    ]
    # Each error next to its field, and the field says it is invalid and where the error is.
    assert '<p class="field-error" id="id_evidence_url-error">Give a URL' in body
    assert '<p class="field-error" id="id_evidence_stance-error">Choose a stance' in body
    url_input = re.search(r'<input[^>]*id="id_evidence_url"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in url_input
    assert 'aria-describedby="id_evidence_url-error id_evidence_url_helptext"' in url_input
    # The summary is focusable (evidence.js focuses and scrolls to it) and announced.
    assert 'class="error-summary" id="evidence-errors" role="alert" tabindex="-1"' in body
    assert not EvidenceLink.objects.exists()


def test_a_missing_stance_alone_is_shown_at_the_stance(analyst_client, claim):
    body = post_evidence(analyst_client, claim, note="Seen at the depot.").content.decode()
    stance = "Choose a stance: supports, refutes or context."
    assert summary(body) == [("id_evidence_stance", stance)]
    assert "id_evidence_url-error" not in body
    assert "Seen at the depot." in body  # what was typed is kept


def test_a_refused_url_is_shown_at_the_url(analyst_client, claim):
    body = post_evidence(
        analyst_client, claim, url="ftp://files.example/x", stance="refutes"
    ).content.decode()
    [(target, message)] = summary(body)
    assert target == "id_evidence_url" and "not a web address" in message
    assert 'id="id_evidence_url-error"' in body


def test_a_missing_article_is_shown_at_the_article_search(analyst_client, claim):
    body = post_evidence(analyst_client, claim, article="999999", stance="refutes").content.decode()
    assert summary(body) == [
        ("id_evidence_article_q", "That article does not exist (any more); pick another.")
    ]
    assert 'id="id_evidence_article-error"' in body


def test_a_duplicate_source_is_shown_at_the_url(analyst_client, analyst, claim):
    evidence_services.evidence_add(
        claim=claim,
        by=analyst,
        stance="refutes",
        url="https://e.example/x",
        title="T",
        publisher="P",
    )
    body = post_evidence(
        analyst_client, claim, url="https://e.example/x", stance="supports"
    ).content.decode()
    assert summary(body) == [("id_evidence_url", "This source is already linked to the claim.")]


def test_the_service_also_names_the_missing_source_before_the_stance(analyst, claim):
    with pytest.raises(DomainError) as caught:
        evidence_services.evidence_add(claim=claim, by=analyst, stance="")
    assert caught.value.message == "Give a URL, an article or a note."
    assert caught.value.field == "url"


def test_a_valid_form_shows_no_errors(analyst_client, claim):
    response = post_evidence(analyst_client, claim, note="A note", stance="context")
    assert response.status_code == 200 and "error-summary" not in response.content.decode()


# --- Fetch title again ---------------------------------------------------------------------


@pytest.fixture
def web(settings):
    with LocalServer() as server:
        settings.FETCH_ALLOWED_HOSTS = [server.host_port]
        yield server


def html(body: bytes, status: int = 200) -> Reply:
    return Reply(status=status, headers={"Content-Type": "text/html; charset=utf-8"}, body=body)


def failed_link(analyst, claim, url):
    link = evidence_services.evidence_add(claim=claim, by=analyst, stance="refutes", url=url)
    evidence_services.source_fetch_details(source_id=link.source_id, final=True)
    link.source.refresh_from_db()
    assert link.source.fetch_error
    return link


def test_a_failed_title_is_fetched_again_with_one_click(
    analyst_client, analyst, claim, web, django_capture_on_commit_callbacks
):
    url = web.route("/flaky", html(b"busy", status=503))
    link = failed_link(analyst, claim, url)
    page = analyst_client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    refetch = reverse("evidence:source_refetch", args=[link.pk])
    assert "Fetch title again" in page and f'hx-post="{refetch}"' in page

    web.route("/flaky", html(PAGE))  # the site is back
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = analyst_client.post(refetch, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    # Until the worker runs: the item says it is fetching, and polls; no button, no error.
    assert response.status_code == 200 and len(callbacks) == 1
    assert "Fetching the page" in body and 'hx-trigger="load delay:1500ms"' in body
    assert "Fetch title again" not in body and "Not fetched" not in body
    assert Source.objects.get(pk=link.source_id).fetch_error == ""

    callbacks[0]()  # the task is sent after commit; here it runs in-process
    source = Source.objects.get(pk=link.source_id)
    assert (source.title, source.publisher, source.fetch_error) == (
        "Shell output in 2023",
        "Example Institute",
        "",
    )
    fragment = analyst_client.get(reverse("evidence:link", args=[link.pk])).content.decode()
    assert "Shell output in 2023" in fragment and "Fetch title again" not in fragment


def test_an_old_pending_source_can_be_fetched_again(analyst_client, analyst, claim):
    """A fetch that never came back (no worker): after the pending window the item offers
    the button, and fetching again restarts the window."""
    from datetime import timedelta

    from django.utils import timezone

    link = evidence_services.evidence_add(
        claim=claim, by=analyst, stance="refutes", url="https://lost.example/a"
    )
    Source.objects.filter(pk=link.source_id).update(
        created_at=timezone.now() - timedelta(hours=1),
        updated_at=timezone.now() - timedelta(hours=1),
    )
    fragment = analyst_client.get(reverse("evidence:link", args=[link.pk])).content.decode()
    assert "Fetching the page" not in fragment and "Fetch title again" in fragment
    evidence_services.source_refetch(source=Source.objects.get(pk=link.source_id), by=analyst)
    fragment = analyst_client.get(reverse("evidence:link", args=[link.pk])).content.decode()
    assert "Fetching the page" in fragment


def test_fetch_again_is_for_analysts_and_for_pages_without_a_title(
    client, analyst, claim, django_user_model
):
    link = evidence_services.evidence_add(
        claim=claim,
        by=analyst,
        stance="refutes",
        url="https://e.example/x",
        title="T",
        publisher="P",
    )
    with pytest.raises(DomainError):
        evidence_services.source_refetch(source=link.source, by=analyst)
    reader = django_user_model.objects.create_user("reader16", password="pw")
    with pytest.raises(NotAllowed):
        evidence_services.source_refetch(source=link.source, by=reader)
    client.force_login(reader)
    response = client.post(
        reverse("evidence:source_refetch", args=[link.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403


def test_fetch_again_without_htmx_redirects_to_the_item(analyst_client, analyst, claim, web):
    link = failed_link(analyst, claim, web.route("/gone", html(b"gone", status=404)))
    response = analyst_client.post(reverse("evidence:source_refetch", args=[link.pk]))
    assert response.status_code == 302
    assert response["Location"].endswith(f"/claims/{claim.pk}/#evidence-{link.pk}")
