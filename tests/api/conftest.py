import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from apps.accounts.services import api_token_create
from apps.claims import services as claims
from apps.evidence.services import evidence_add
from tests import factories

QUOTE = "Russia is running out of munitions used in the war in Ukraine"
SECOND_QUOTE = "The economy grew by 5 percent in 2023"


@pytest.fixture(autouse=True)
def _api_settings(settings):
    """Throttle counts from other tests must not leak in; no sync margin unless a test
    sets one (the test's own transaction is never a concurrent writer)."""
    cache.clear()
    settings.API_SYNC_MARGIN_SECONDS = 0
    yield
    cache.clear()


def client_for(user, scope="write") -> APIClient:
    _token, key = api_token_create(user=user, name="test", scope=scope)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


@pytest.fixture
def analyst_api(analyst):
    return client_for(analyst)


@pytest.fixture
def editor_api(editor):
    return client_for(editor)


def make_claim(article, analyst, *, quote=QUOTE, statement="", claimant=""):
    start = article.text.index(quote)
    return claims.claim_create(
        article=article,
        start=start,
        end=start + len(quote),
        quote=quote,
        statement=statement,
        claimant_name=claimant,
        by=analyst,
    )


def publish(claim, analyst, editor, *, verdict="false"):
    evidence_add(claim=claim, by=analyst, stance="refutes", url="https://stats.example/report")
    claim = claims.claim_propose_verdict(
        claim=claim, verdict=verdict, rationale="The record says otherwise.", by=analyst
    )
    claim = claims.claim_submit_for_review(claim=claim, by=analyst)
    return claims.review_approve(claim=claim, by=editor, note="ok")


@pytest.fixture
def claim(article, analyst):
    return make_claim(article, analyst)


@pytest.fixture
def other_article(db):
    return factories.ArticleFactory()
