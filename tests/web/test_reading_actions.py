"""The reading page (claims) shows the actions other apps offer through ports, never by
naming their views (issue 18's layers): editors get ingestion's "re-extract", analysts the
evidence app's "Cite as evidence" on a fact-check checked elsewhere."""

import pytest
from django.urls import reverse

from apps.claims import article_actions
from tests import factories

pytestmark = pytest.mark.django_db


def _page(client, user, article) -> str:
    client.force_login(user)
    return client.get(reverse("articles:detail", args=[article.pk])).content.decode()


def test_editors_get_the_reextract_action_ingestion_offers(client):
    article = factories.ArticleFactory(url="https://news.example/story")
    action = reverse("ingestion:article_reextract", args=[article.pk])

    assert f'action="{action}"' in _page(client, factories.user_with_role("editor"), article)
    assert action not in _page(client, factories.user_with_role("analyst"), article)


def test_without_an_app_offering_it_the_page_has_no_reextract_button(client, monkeypatch):
    monkeypatch.setattr(article_actions, "_reextract_url", None)
    article = factories.ArticleFactory(url="https://news.example/story")

    page = _page(client, factories.user_with_role("editor"), article)

    assert "re-extract</button>" not in page
