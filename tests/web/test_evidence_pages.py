"""Evidence on the claim page: URLs whose title and publisher are fetched in the background
(through the safe client, from a local server here), titles typed or corrected by hand,
another Claimtrack article as evidence, and the fragments htmx swaps."""

import pytest
from django.urls import reverse

from apps.claims import services
from apps.core.errors import DomainError
from apps.evidence import services as evidence_services
from apps.evidence import tasks
from apps.evidence.models import EvidenceLink, Source
from tests import factories
from tests.core.httpserver import LocalServer, Reply
from tests.hostile import SCRIPT, assert_inert

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


@pytest.fixture
def web(settings):
    """A local web server the safe client is allowed to reach (and nothing else)."""
    with LocalServer() as server:
        settings.FETCH_ALLOWED_HOSTS = [server.host_port]
        yield server


def html(body: bytes, status: int = 200) -> Reply:
    return Reply(status=status, headers={"Content-Type": "text/html; charset=utf-8"}, body=body)


def add(client, claim, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("evidence:add", args=[claim.pk]),
            {"kind": "other", "stance": "refutes", **data},
        )
    return response, callbacks


def test_url_title_and_publisher_are_fetched_in_the_background_after_commit(
    analyst_client, claim, web, django_capture_on_commit_callbacks
):
    url = web.route("/report", html(PAGE))
    response, callbacks = add(analyst_client, claim, django_capture_on_commit_callbacks, url=url)
    assert response.status_code == 302
    assert len(callbacks) == 1  # enqueued on commit, not during the transaction
    source = EvidenceLink.objects.get(claim=claim).source
    assert (source.title, source.publisher, source.fetch_error) == (
        "Shell output in 2023",
        "Example Institute",
        "",
    )
    assert [r.path for r in web.requests] == ["/report"]
    page = analyst_client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "Shell output in 2023" in page and "Example Institute" in page


def test_a_title_typed_by_hand_is_kept_and_only_the_blank_publisher_is_filled(
    analyst_client, claim, web, django_capture_on_commit_callbacks
):
    url = web.route("/report", html(PAGE))
    add(
        analyst_client,
        claim,
        django_capture_on_commit_callbacks,
        url=url,
        title="My own title",
    )
    source = Source.objects.get()
    assert (source.title, source.publisher) == ("My own title", "Example Institute")


def test_typed_title_and_publisher_need_no_fetch(
    analyst_client, claim, web, django_capture_on_commit_callbacks
):
    url = web.route("/report", html(PAGE))
    _, callbacks = add(
        analyst_client,
        claim,
        django_capture_on_commit_callbacks,
        url=url,
        title="Typed",
        publisher="Typed Inc",
    )
    assert callbacks == [] and web.requests == []


def test_fetch_does_not_overwrite_a_title_edited_while_it_ran(analyst, claim, web):
    url = web.route("/report", html(PAGE))
    link = evidence_services.evidence_add(claim=claim, by=analyst, stance="refutes", url=url)
    evidence_services.source_update(
        source=link.source, by=analyst, title="Edited meanwhile", publisher=""
    )
    outcome = evidence_services.source_fetch_details(source_id=link.source_id)
    link.source.refresh_from_db()
    assert (link.source.title, link.source.publisher) == ("Edited meanwhile", "Example Institute")
    assert outcome == "filled publisher"
    # Idempotent: a second run finds nothing to do.
    assert evidence_services.source_fetch_details(source_id=link.source_id) == "nothing to do"


def test_a_permanent_failure_is_recorded_and_shown(analyst_client, analyst, claim, web):
    url = web.route("/gone", html(b"gone", status=404))
    link = evidence_services.evidence_add(claim=claim, by=analyst, stance="refutes", url=url)
    tasks.source_fetch_details.apply(args=[link.source_id])
    link.source.refresh_from_db()
    assert "404" in link.source.fetch_error and link.source.title == ""
    page = analyst_client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "Not fetched:" in page and "404" in page
    assert "Fetching the page" not in page


def test_a_transient_failure_is_retried_not_recorded_until_final(analyst, claim, web):
    url = web.route("/busy", html(b"busy", status=503))
    link = evidence_services.evidence_add(claim=claim, by=analyst, stance="refutes", url=url)
    with pytest.raises(evidence_services.TransientFetchError):
        evidence_services.source_fetch_details(source_id=link.source_id)
    link.source.refresh_from_db()
    assert link.source.fetch_error == ""
    evidence_services.source_fetch_details(source_id=link.source_id, final=True)
    link.source.refresh_from_db()
    assert "503" in link.source.fetch_error


def test_private_addresses_are_refused_when_given_and_never_fetched(analyst, claim, settings):
    settings.FETCH_ALLOWED_HOSTS = []
    with LocalServer() as server:
        url = server.route("/internal", html(PAGE))
        with pytest.raises(DomainError, match="public web addresses"):
            evidence_services.evidence_add(claim=claim, by=analyst, stance="refutes", url=url)
        assert server.requests == []
    assert not Source.objects.filter(url=url).exists()


@pytest.mark.parametrize(
    ("body", "url", "expected"),
    [
        (PAGE, "https://x.org/a", ("Shell output in 2023", "Example Institute")),
        (
            b"<html><head><meta property='og:title' content='OG  title'>"
            b"<title>Other</title></head></html>",
            "https://www.stats.example/r",
            ("OG title", "stats.example"),
        ),
        (b"<html><body>no head</body></html>", "https://a.example/", ("", "a.example")),
        (
            "<title>Näin &amp; noin</title>".encode("latin-1"),
            "https://fi.example/",
            ("Näin & noin", "fi.example"),
        ),
        (b"", "https://e.example/", ("", "e.example")),
    ],
)
def test_page_details_reads_metadata_then_title_then_host(body, url, expected):
    charset = "latin-1" if b"\xe4" in body else None
    assert evidence_services.page_details(body, charset=charset, url=url) == expected


def test_link_fragment_polls_only_while_the_fetch_is_pending(analyst_client, analyst, claim):
    pending = evidence_services.evidence_add(
        claim=claim, by=analyst, stance="refutes", url="https://pending.example/a"
    )
    fragment = analyst_client.get(reverse("evidence:link", args=[pending.pk])).content.decode()
    assert "Fetching the page" in fragment and 'hx-trigger="load delay:1500ms"' in fragment
    Source.objects.filter(pk=pending.source_id).update(title="T", publisher="P")
    fragment = analyst_client.get(reverse("evidence:link", args=[pending.pk])).content.decode()
    assert "Fetching" not in fragment and "hx-trigger" not in fragment


def test_analyst_corrects_a_fetched_title_over_htmx(analyst_client, analyst, claim):
    link = evidence_services.evidence_add(
        claim=claim, by=analyst, stance="refutes", url="https://e.example/x", title="Wrong"
    )
    response = analyst_client.post(
        reverse("evidence:source_edit", args=[link.pk]),
        {"title": f"Right  {SCRIPT}", "publisher": "Pub"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    link.source.refresh_from_db()
    assert response.status_code == 200 and link.source.title == f"Right {SCRIPT}"
    assert "Right &lt;script&gt;" in body
    assert_inert(body)
    assert f'id="evidence-{link.pk}"' in body


def test_readers_cannot_edit_sources(client, analyst, claim):
    link = evidence_services.evidence_add(
        claim=claim, by=analyst, stance="refutes", url="https://e.example/x", title="Kept"
    )
    reader = factories.User.objects.create_user("reader2", password="x")
    client.force_login(reader)
    response = client.post(
        reverse("evidence:source_edit", args=[link.pk]), {"title": "Vandal"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    link.source.refresh_from_db()
    assert link.source.title == "Kept"


def test_another_claimtrack_article_as_evidence(analyst_client, claim):
    outlet = factories.OutletFactory(name="Yle")
    cited = factories.ArticleFactory(
        title="Shell production doubled", outlet=outlet, text="Artillery shell production doubled."
    )
    found = analyst_client.get(
        reverse("evidence:article_search"), {"article_q": "shell production"}
    )
    assert [a.pk for a in found.context["articles"]] == [cited.pk]
    assert f'data-pick-article="{cited.pk}"' in found.content.decode()
    response = analyst_client.post(
        reverse("evidence:add", args=[claim.pk]),
        {"article": cited.pk, "kind": "other", "stance": "context", "note": "Same numbers"},
    )
    assert response.status_code == 302
    source = EvidenceLink.objects.get(claim=claim).source
    assert source.article == cited and source.kind == "article"
    assert (source.title, source.publisher) == ("Shell production doubled", "Yle")
    page = analyst_client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert f'href="{reverse("articles:detail", args=[cited.pk])}"' in page
    assert "Claimtrack article" in page


def test_a_missing_article_is_a_clear_error_keeping_input(analyst_client, claim):
    response = analyst_client.post(
        reverse("evidence:add", args=[claim.pk]),
        {"article": 999999, "kind": "other", "stance": "context", "note": "keep me"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 400 and "does not exist" in body and "keep me" in body
    assert not EvidenceLink.objects.exists()


def test_evidence_is_listed_by_stance(analyst_client, analyst, claim):
    for stance, note in [("context", "c"), ("supports", "s"), ("refutes", "r")]:
        evidence_services.evidence_add(claim=claim, by=analyst, stance=stance, note=note)
    page = analyst_client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    order = [page.index(f'data-stance="{s}"') for s in ("supports", "refutes", "context")]
    assert order == sorted(order)
    assert 'id="evidence-form"' in page and 'name="article"' in page
