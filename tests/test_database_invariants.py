"""The database itself refuses rows that break the model's invariants, whatever code writes them."""

import pytest
from django.db import IntegrityError, transaction

from apps.articles.models import Article
from apps.claims.models import Appearance, Claim
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db


def refused(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_status_must_be_in_the_workflow():
    claim = ClaimFactory()
    refused(lambda: Claim.objects.filter(pk=claim.pk).update(status="archived"))


def test_verdict_must_be_in_the_vocabulary():
    claim = ClaimFactory()
    refused(lambda: Claim.objects.filter(pk=claim.pk).update(verdict="pants_on_fire"))


def test_published_claim_must_have_a_verdict():
    claim = ClaimFactory()
    refused(lambda: Claim.objects.filter(pk=claim.pk).update(status="published", verdict=""))


def test_span_must_have_start_before_end():
    article, claim = ArticleFactory(), ClaimFactory()
    refused(
        lambda: Appearance.objects.create(claim=claim, article=article, start=10, end=10, quote="x")
    )
    refused(
        lambda: Appearance.objects.create(claim=claim, article=article, start=10, end=5, quote="x")
    )


def test_one_appearance_per_claim_article_and_span():
    article, claim = ArticleFactory(), ClaimFactory()
    Appearance.objects.create(claim=claim, article=article, start=0, end=5, quote="Russi")
    refused(
        lambda: Appearance.objects.create(
            claim=claim, article=article, start=0, end=5, quote="Russi"
        )
    )


def test_canonical_url_hash_is_unique():
    first = ArticleFactory()
    refused(lambda: ArticleFactory(url_hash=first.url_hash))


def test_urlless_articles_are_unique_by_content():
    Article.objects.create(title="a", text="same", content_hash="h" * 64, url_hash=None)
    refused(
        lambda: Article.objects.create(title="b", text="same", content_hash="h" * 64, url_hash=None)
    )
