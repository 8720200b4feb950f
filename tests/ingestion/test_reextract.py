"""Re-extracting an article replaces its text and re-anchors its highlights in one
transaction; what cannot be found is marked orphaned, never dropped. The page is fetched
by a worker, never inside the editor's request; the editor follows the request's state."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.claims import services as claims
from apps.claims.models import Appearance
from apps.core.errors import DomainError, NotAllowed
from apps.ingestion import services
from apps.ingestion.models import Reextraction
from tests.core.httpserver import Reply
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
OLD = (
    "Intro line.\n\nRussia is running out of shells, officials said.\n\nThe harbour closed in May."
)


def test_new_text_keeps_moved_quotes_and_orphans_lost_ones(analyst, editor):
    article = ArticleFactory(text=OLD)
    kept = "Russia is running out of shells"
    lost = "The harbour closed in May."
    start = OLD.index(kept)
    claims.claim_create(article=article, start=start, end=start + len(kept), quote=kept, by=analyst)
    start = OLD.index(lost)
    claims.claim_create(article=article, start=start, end=start + len(lost), quote=lost, by=analyst)
    new = "A new first paragraph was added.\n\nRussia is running out of shells, officials said."
    report = services.article_text_replace(article=article, text=new, by=editor)
    assert len(report.moved) == 1 and len(report.orphaned) == 1
    moved = Appearance.objects.get(quote=kept)
    assert new[moved.start : moved.end] == kept and not moved.orphaned
    assert Appearance.objects.get(quote=lost).orphaned  # kept, marked
    assert Appearance.objects.count() == 2


def test_only_editors_replace_text_and_empty_text_is_refused(analyst, editor):
    article = ArticleFactory(text=OLD)
    with pytest.raises(NotAllowed):
        services.article_text_replace(article=article, text="x", by=analyst)
    with pytest.raises(DomainError, match="empty"):
        services.article_text_replace(article=article, text="  \n", by=editor)
    article.refresh_from_db()
    assert article.text == OLD


PAGE = (
    "<html><body><article><h1>T</h1><p>"
    + "Prices rose by 4 percent in 2024, the bank said. " * 5
    + "</p></article></body></html>"
)


def test_reextract_is_fetched_by_a_worker_and_the_page_follows_it(
    editor, allowed, client, django_capture_on_commit_callbacks
):
    url = allowed.route(
        "/story", Reply(headers={"Content-Type": "text/html; charset=utf-8"}, body=PAGE.encode())
    )
    article = ArticleFactory(text=OLD, url=url, canonical_url=url)
    client.force_login(editor)
    with django_capture_on_commit_callbacks() as sent:
        response = client.post(f"/ingest/articles/{article.pk}/reextract/")
    reextraction = Reextraction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/ingest/reextractions/{reextraction.pk}/"
    assert len(sent) == 1  # the task, sent after commit
    assert allowed.requests == []  # nothing fetched inside the editor's request
    article.refresh_from_db()
    assert article.text == OLD

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Waiting for a worker" in page.content
    assert b'hx-trigger="every 2s"' in page.content and b">Refresh</a>" in page.content

    services.reextraction_run(reextraction.pk)  # what the worker does

    fragment = client.get(response["Location"], headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content
    assert b"Text re-extracted" in fragment.content
    assert b"hx-trigger" not in fragment.content  # final: the polling stops
    article.refresh_from_db()
    assert "Prices rose by 4 percent" in article.text
    reextraction.refresh_from_db()
    assert reextraction.status == "done" and reextraction.finished_at


def test_a_second_click_follows_the_request_already_waiting(editor):
    article = ArticleFactory(text=OLD, url="https://example.com/a")
    first = services.reextraction_request(article=article, by=editor)
    second = services.reextraction_request(article=article, by=editor)
    assert first.pk == second.pk and Reextraction.objects.count() == 1


def test_only_editors_ask_for_a_reextraction(analyst, client):
    article = ArticleFactory(text=OLD, url="https://example.com/a")
    with pytest.raises(NotAllowed):
        services.reextraction_request(article=article, by=analyst)
    client.force_login(analyst)
    response = client.post(f"/ingest/articles/{article.pk}/reextract/")
    assert response.status_code == 302 and response["Location"] == f"/articles/{article.pk}/"
    assert not Reextraction.objects.exists()


def test_a_failed_fetch_is_recorded_for_the_editor(editor, allowed):
    url = allowed.route("/gone", Reply(404, {"Content-Type": "text/html"}, b"no"))
    article = ArticleFactory(text=OLD, url=url, canonical_url=url)
    reextraction = services.reextraction_request(article=article, by=editor)
    services.reextraction_run(reextraction.pk)
    reextraction.refresh_from_db()
    assert reextraction.status == "failed" and "Could not fetch" in reextraction.outcome
    article.refresh_from_db()
    assert article.text == OLD
    assert services.reextraction_run(reextraction.pk) is None  # never run twice


def test_the_sweeper_resends_a_waiting_request_and_fails_a_lost_one(editor, allowed, on_commit):
    url = allowed.route(
        "/story", Reply(headers={"Content-Type": "text/html; charset=utf-8"}, body=PAGE.encode())
    )
    waiting = services.reextraction_request(
        article=ArticleFactory(text=OLD, url=url, canonical_url=url), by=editor
    )
    lost = services.reextraction_request(
        article=ArticleFactory(text=OLD, url=url + "?b", canonical_url=url + "?b"), by=editor
    )
    long_ago = timezone.now() - timedelta(hours=1)
    Reextraction.objects.filter(pk=waiting.pk).update(updated_at=long_ago)
    Reextraction.objects.filter(pk=lost.pk).update(status="running", started_at=long_ago)

    assert on_commit(services.reextractions_sweep) == 2

    waiting.refresh_from_db()
    lost.refresh_from_db()
    assert waiting.status == "done"  # sent again, run by the (in-process) worker
    assert lost.status == "failed" and "stopped before it finished" in lost.outcome


def test_reextract_without_a_url_says_why(editor):
    article = ArticleFactory(text=OLD, url="", canonical_url="")
    with pytest.raises(DomainError, match="without a URL"):
        services.article_reextract(article=article, by=editor)
