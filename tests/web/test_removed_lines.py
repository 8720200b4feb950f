"""Lines removed as page furniture are listed on the reading page, and an editor can put
them back; every highlight stays on its quote (issue 16 item 2)."""

import pytest
from django.urls import reverse

from apps.claims import services
from apps.claims.anchoring import removed_lines_restore
from apps.claims.models import Suggestion
from apps.core.errors import DomainError, NotAllowed
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

PARAS = [
    "Bus fares rise again.",
    "The council voted on Tuesday to raise bus fares by 12 percent, the mayor said.",
    "Opposition members said the rise would hit 40,000 riders every day.",
]
QUOTE = "the rise would hit 40,000 riders every day"
REMOVED = [
    {"line": "Advertisement", "after": 1, "inline": False},
    {"line": "Photo: Ann Lee/AFP", "after": 2, "inline": True},
    {"line": "Read more", "after": 2, "inline": False},
    {"line": "© 2026 Harbour Gazette", "after": 3, "inline": False},
]
RESTORED = "\n\n".join(
    [
        PARAS[0],
        "Advertisement",
        PARAS[1] + " Photo: Ann Lee/AFP",
        "Read more",
        PARAS[2],
        "© 2026 Harbour Gazette",
    ]
)


def _article(**kwargs):
    return ArticleFactory(text="\n\n".join(PARAS), removed_lines=REMOVED, **kwargs)


def _tag(article, user, quote=QUOTE):
    start = article.text.index(quote)
    claim = services.claim_create(
        article=article, start=start, end=start + len(quote), quote=quote, by=user
    )
    return claim.appearances.get()


def test_restore_puts_the_lines_back_in_order_and_keeps_the_highlights(analyst, editor):
    article = _article()
    appearance = _tag(article, analyst)
    sentence = PARAS[1]
    start = article.text.index(sentence)
    suggestion = Suggestion.objects.create(
        article=article, start=start, end=start + len(sentence), sentence=sentence, score=0.9
    )
    report = removed_lines_restore(article=article, by=editor)
    article.refresh_from_db()
    assert article.text == RESTORED
    assert article.removed_lines == []
    appearance.refresh_from_db()
    assert article.text[appearance.start : appearance.end] == QUOTE == appearance.quote
    assert report.moved == [appearance.pk] and not appearance.orphaned
    suggestion.refresh_from_db()
    assert article.text[suggestion.start : suggestion.end] == sentence


def test_only_editors_restore_and_stale_places_change_nothing(analyst, editor):
    article = _article()
    with pytest.raises(NotAllowed):
        removed_lines_restore(article=article, by=analyst)
    article.removed_lines = [{"line": "Advertisement", "after": 9, "inline": False}]
    article.save(update_fields=["removed_lines"])
    with pytest.raises(DomainError, match="no longer fit"):
        removed_lines_restore(article=article, by=editor)
    article.refresh_from_db()
    assert article.text == "\n\n".join(PARAS) and article.removed_lines
    article.removed_lines = []
    article.save(update_fields=["removed_lines"])
    with pytest.raises(DomainError, match="nothing to restore"):
        removed_lines_restore(article=article, by=editor)


def test_the_page_lists_the_removed_lines_escaped(analyst_client):
    article = _article()
    article.removed_lines = [*REMOVED, {"line": "<b>Sponsored</b>", "after": 3, "inline": False}]
    article.save(update_fields=["removed_lines"])
    page = analyst_client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert "5 lines removed as page furniture" in page
    for piece in REMOVED:
        assert f'<li dir="auto">{piece["line"]}</li>' in page
    assert "&lt;b&gt;Sponsored&lt;/b&gt;" in page and "<b>Sponsored</b>" not in page
    # An analyst sees them; putting them back is an editor's, as re-extraction is.
    assert reverse("articles:restore_removed", args=[article.pk]) not in page


def test_an_article_with_nothing_removed_says_nothing(analyst_client):
    article = ArticleFactory()
    page = analyst_client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert "removed as page furniture" not in page


def test_an_editor_restores_from_the_page(editor_client, analyst):
    article = _article()
    appearance = _tag(article, analyst)
    page = editor_client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    url = reverse("articles:restore_removed", args=[article.pk])
    assert f'action="{url}"' in page
    response = editor_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("articles:detail", args=[article.pk])
    assert "4 lines put back into the text" in response.content.decode()
    assert "removed as page furniture" not in response.content.decode()
    article.refresh_from_db()
    assert article.text == RESTORED
    appearance.refresh_from_db()
    assert article.text[appearance.start : appearance.end] == QUOTE


def test_an_analyst_cannot_restore(analyst_client):
    article = _article()
    response = analyst_client.post(
        reverse("articles:restore_removed", args=[article.pk]), follow=True
    )
    assert "Only editors and admins" in response.content.decode()
    article.refresh_from_db()
    assert article.text == "\n\n".join(PARAS) and article.removed_lines == REMOVED
