"""A published fact-check whose every text field carries `</script><script>alert(1)</script>`,
`<!--`, a right-to-left override and zero-width characters: the public page runs nothing, and
the JSON-LD still parses in the browser to the same strings."""

import json

import pytest

from apps.claims import services
from apps.claims.public import claim_slug
from apps.evidence.services import evidence_add
from tests import factories
from tests.browser.helpers import make_user
from tests.hostile import IN_SCRIPT as HOSTILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "Russia is running out of munitions used in the war in Ukraine"


def test_hostile_fact_check_page_executes_nothing(live_server, page, settings):
    settings.CLAIMTRACK_ORGANIZATION = f"Org {HOSTILE}"
    analyst = make_user("analyst", "ann")
    editor = make_user("editor", "ed")
    article = factories.ArticleFactory(
        title=f"Title {HOSTILE}", outlet=factories.OutletFactory(name=f"Outlet {HOSTILE}")
    )
    start = article.text.index(QUOTE)
    claim = services.claim_create(
        article=article,
        start=start,
        end=start + len(QUOTE),
        quote=QUOTE,
        statement=f"Statement {HOSTILE}",
        claimant_name=f"Claimant {HOSTILE}",
        by=analyst,
    )
    evidence_add(
        claim=claim,
        by=analyst,
        stance="refutes",
        url="https://e.example/r",
        title=f"Evidence {HOSTILE}",
        note=f"Note {HOSTILE}",
    )
    claim = services.claim_propose_verdict(
        claim=claim, verdict="false", rationale=f"Rationale {HOSTILE}", by=analyst
    )
    claim = services.claim_submit_for_review(claim=claim, by=analyst)
    claim = services.review_approve(claim=claim, by=editor)

    page.goto(f"{live_server.url}/fact-checks/{claim.pk}-{claim_slug(claim)}/")
    page.wait_for_load_state("load")
    assert page.locator("script").count() == 1
    text = page.locator("script[type='application/ld+json']").text_content()
    review = json.loads(text)
    assert review["claimReviewed"] == f"Statement {HOSTILE}"
    assert review["itemReviewed"]["author"]["name"] == f"Claimant {HOSTILE}"
    assert page.locator("h1").inner_text() == f"Statement {HOSTILE}"
    assert HOSTILE in page.locator(".rationale").inner_text()
    assert HOSTILE in page.locator(".evidence").inner_text()
    page.problems.assert_none()
