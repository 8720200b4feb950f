"""Re-extracting an article replaces its text and re-anchors its highlights in one
transaction; what cannot be found is marked orphaned, never dropped."""

import pytest

from apps.claims import services as claims
from apps.claims.models import Appearance
from apps.core.errors import DomainError, NotAllowed
from apps.ingestion import services
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


def test_reextract_fetches_the_source_again(editor, allowed, client):
    page = (
        "<html><body><article><h1>T</h1><p>"
        + "Prices rose by 4 percent in 2024, the bank said. " * 5
        + "</p></article></body></html>"
    )
    url = allowed.route(
        "/story", Reply(headers={"Content-Type": "text/html; charset=utf-8"}, body=page.encode())
    )
    article = ArticleFactory(text=OLD, url=url, canonical_url=url)
    client.force_login(editor)
    response = client.post(f"/ingest/articles/{article.pk}/reextract/")
    assert response.status_code == 302
    article.refresh_from_db()
    assert "Prices rose by 4 percent" in article.text


def test_reextract_without_a_url_says_why(editor):
    article = ArticleFactory(text=OLD, url="", canonical_url="")
    with pytest.raises(DomainError, match="without a URL"):
        services.article_reextract(article=article, by=editor)
