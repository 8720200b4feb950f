"""Two people edit one claim at once, each in their own browser (issue 16, item 1): the
second save keeps the first person's change to another field, and a field both changed
is shown side by side for the second person to choose."""

import pytest
from playwright.sync_api import expect

from apps.claims import services
from tests import factories
from tests.browser.helpers import log_in, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
QUOTE = "Russia is running out of munitions used in the war in Ukraine"


def _person(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, live_server, username)
    return context, page


def test_two_people_editing_one_claim_lose_nothing(live_server, browser):
    analyst = make_user("analyst", "ana")
    make_user("analyst", "bea")
    article = factories.ArticleFactory()
    claim = services.claim_create(article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst)
    edit_url = f"{live_server.url}/desk/claims/{claim.pk}/edit/"
    (context_a, a), (context_b, b) = (
        _person(browser, live_server, "ana"),
        _person(browser, live_server, "bea"),
    )
    try:
        a.goto(edit_url)
        b.goto(edit_url)  # both load the same version

        a.get_by_label("Tags (comma-separated)").fill("ukraine, munitions")
        a.get_by_role("button", name="Save").click()
        a.wait_for_url(f"**/claims/{claim.pk}/")

        b.get_by_label("Statement").fill("Russia is short of artillery shells.")
        b.get_by_role("button", name="Save").click()
        b.wait_for_url(f"**/claims/{claim.pk}/")  # no conflict: B changed another field
        claim.refresh_from_db()
        assert claim.tags == ["ukraine", "munitions"]
        assert claim.statement == "Russia is short of artillery shells."

        # Now both change the statement.
        a.goto(edit_url)
        b.goto(edit_url)
        a.get_by_label("Statement").fill("Ana's wording.")
        a.get_by_role("button", name="Save").click()
        a.wait_for_url(f"**/claims/{claim.pk}/")
        b.get_by_label("Statement").fill("Bea's wording.")
        b.get_by_role("button", name="Save").click()
        conflict = b.get_by_role("group", name="Statement")
        expect(conflict).to_contain_text("Ana's wording.")
        expect(conflict).to_contain_text("Bea's wording.")
        expect(b.get_by_label("Tags (comma-separated)")).to_have_value("ukraine, munitions")
        conflict.get_by_label("Theirs (saved now)").check()
        b.get_by_role("button", name="Save").click()
        b.wait_for_url(f"**/claims/{claim.pk}/")
        claim.refresh_from_db()
        assert claim.statement == "Ana's wording." and claim.tags == ["ukraine", "munitions"]
    finally:
        context_a.close()
        context_b.close()
