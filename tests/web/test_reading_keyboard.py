"""The reading page's markup for the keyboard (issue 16, item 11): the sentences the keys
walk are the server's splitter's, sent to analysts only; a highlight is a tab stop where its
appearance starts, named with its claims and status, escaped like everything else."""

import html
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from apps.claims import services
from apps.claims.nlp.sentences import split_sentences
from tests import factories
from tests.hostile import ATTRIBUTE, IMG, assert_inert

pytestmark = pytest.mark.django_db

TEXT = (
    "Dr. Okafor said exports fell by 3.5 percent. “Prices rose. Wages did not,” he added.\n\n"
    f"The port {IMG} handled 1,000 ships {ATTRIBUTE} last year."
)


def sentences_in(page: str) -> list[list[int]]:
    match = re.search(
        r'<script id="article-sentences" type="application/json">(.*?)</script>', page
    )
    assert match, "no sentence list on the page"
    return json.loads(match.group(1))


def test_analyst_gets_the_suggesters_sentences_and_a_focusable_text(analyst_client):
    article = factories.ArticleFactory(text=TEXT)
    page = analyst_client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    expected = [[s.start, s.end] for s in split_sentences(TEXT)]
    assert sentences_in(page) == expected
    assert len(expected) == 3  # "Dr." and the quotation do not end a sentence
    assert re.search(r'id="article-body"[^>]*role="region"[^>]*tabindex="0"', page)
    assert 'class="skip-link" href="#article-body"' in page
    assert_inert(page)


def test_reader_without_a_role_gets_no_sentences_and_no_tagging_keys(client):
    user = get_user_model().objects.create_user("vera", password="pw-vera-1")
    client.force_login(user)
    article = factories.ArticleFactory(text=TEXT)
    page = client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert 'id="article-sentences"' not in page
    assert re.search(r'id="article-body"[^>]*tabindex="-1"', page)  # the skip link's target


def test_highlight_is_one_tab_stop_per_appearance_named_with_claims_and_status(
    analyst_client, analyst
):
    article = factories.ArticleFactory(text=TEXT)
    outer_quote = f"The port {IMG} handled 1,000 ships"
    inner_quote = "handled 1,000 ships"
    start = TEXT.index(outer_quote)
    outer = services.claim_create(
        article=article,
        start=start,
        end=start + len(outer_quote),
        quote=outer_quote,
        by=analyst,
        statement=f"Statement {ATTRIBUTE}",
    )
    outer = services.claim_start_research(claim=outer, by=analyst)
    start = TEXT.index(inner_quote)
    inner = services.claim_create(
        article=article, start=start, end=start + len(inner_quote), quote=inner_quote, by=analyst
    )
    page = analyst_client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert_inert(page)
    stops = re.findall(r'<mark [^>]*tabindex="0" role="button" aria-label="([^"]*)"', page)
    # Outer starts a piece of its own; the inner one starts where both cover the text.
    assert [html.unescape(label) for label in stops] == [
        f"Highlight, claim #{outer.pk}, Researching: The port {IMG}",
        f"Highlight, claim #{inner.pk}, New; claim #{outer.pk}, Researching: handled 1,000 ships",
    ]
    assert page.count('tabindex="0" role="button"') == 2  # the rest of a highlight is not a stop
