"""Editing a claim someone else changed meanwhile is a three-way merge against the version
the user loaded: what they did not change takes the current value; a field both changed is
shown side by side for them to choose."""

import re

import pytest
from django.test import Client

from apps.claims import services
from apps.core.errors import Conflict

QUOTE = "Russia used some 12 million artillery shells in Ukraine in 2022."


@pytest.fixture
def claim(article, analyst):
    article.text = QUOTE
    article.save()
    return services.claim_create(article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _loaded_form(client, claim) -> dict:
    page = client.get(f"/desk/claims/{claim.pk}/edit/").content.decode()
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    return {"statement": claim.statement, "tags": "", "assignee": "", "version": version}


def test_saving_over_a_change_to_another_field_keeps_that_change(claim, analyst, editor):
    alice, bob = _client(analyst), _client(editor)
    form_a, form_b = _loaded_form(alice, claim), _loaded_form(bob, claim)
    assert (
        alice.post(f"/desk/claims/{claim.pk}/edit/", {**form_a, "tags": "ukraine"}).status_code
        == 302
    )
    response = bob.post(
        f"/desk/claims/{claim.pk}/edit/", {**form_b, "statement": "Russia fired 12m shells."}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    claim.refresh_from_db()
    assert claim.tags == ["ukraine"]  # Alice's change is not overwritten by Bob's stale form
    assert claim.statement == "Russia fired 12m shells."


def test_a_field_both_changed_is_shown_side_by_side_and_the_user_chooses(claim, analyst, editor):
    alice, bob = _client(analyst), _client(editor)
    form_a, form_b = _loaded_form(alice, claim), _loaded_form(bob, claim)
    alice.post(
        f"/desk/claims/{claim.pk}/edit/",
        {**form_a, "statement": "Alice's wording.", "tags": "ukraine"},
    )
    response = bob.post(
        f"/desk/claims/{claim.pk}/edit/",
        {**form_b, "statement": "Bob's wording.", "tags": "", "assignee": str(editor.pk)},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Alice&#x27;s wording." in page and "Bob&#x27;s wording." in page
    assert 'name="keep_statement" value="theirs"' in page
    assert "keep_tags" not in page  # only Bob's stale value: no choice to make
    # The retry form carries the current values for what Bob did not change.
    assert 'value="ukraine"' in page
    retry = {
        "statement": re.search(r'<textarea name="statement"[^>]*>([^<]*)<', page).group(1),
        "tags": re.search(r'name="tags" value="([^"]*)"', page).group(1),
        "assignee": str(editor.pk),
        "version": re.search(r'name="version" value="(\d+)"', page).group(1),
        "keep_statement": "theirs",
    }
    assert bob.post(f"/desk/claims/{claim.pk}/edit/", retry).status_code == 302
    claim.refresh_from_db()
    assert claim.statement == "Alice's wording."
    assert claim.tags == ["ukraine"] and claim.assignee == editor


def test_merge_service_applies_only_what_the_user_changed(claim, analyst, editor):
    loaded = claim.version
    services.claim_update(claim=claim, by=analyst, tags=["ukraine"])
    merged = services.claim_update_merge(
        claim_id=claim.pk,
        by=editor,
        base_version=loaded,
        proposed={"statement": "New wording.", "tags": [], "assignee": None},
    )
    assert merged.statement == "New wording." and merged.tags == ["ukraine"]


def test_merge_service_reports_fields_both_changed(claim, analyst, editor):
    loaded = claim.version
    services.claim_update(claim=claim, by=analyst, statement="Theirs.", tags=["a"])
    with pytest.raises(Conflict) as caught:
        services.claim_update_merge(
            claim_id=claim.pk,
            by=editor,
            base_version=loaded,
            proposed={"statement": "Mine.", "tags": ["a"]},
        )
    both = caught.value.details["both_changed"]
    assert set(both) == {"statement"}
    assert both["statement"]["theirs"] == "Theirs." and both["statement"]["yours"] == "Mine."
    claim.refresh_from_db()
    assert claim.statement == "Theirs."


# --- the verdict form: the same merge on verdict and rationale ---------------------------


def test_proposing_a_verdict_over_an_unrelated_change_saves_both(claim, analyst, editor):
    loaded = claim.version
    services.claim_update(claim=claim, by=editor, tags=["ukraine"])
    response = _client(analyst).post(
        f"/claims/{claim.pk}/propose/",
        {"version": loaded, "verdict": "false", "rationale": "RUSI counted fewer."},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.verdict == "false" and claim.tags == ["ukraine"]


def test_a_verdict_both_proposed_is_shown_side_by_side(claim, analyst, editor):
    loaded = claim.version
    services.claim_propose_verdict(claim=claim, by=editor, verdict="true", rationale="Theirs.")
    response = _client(analyst).post(
        f"/claims/{claim.pk}/propose/",
        {"version": loaded, "verdict": "false", "rationale": "Mine."},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Theirs." in page and "Mine." in page  # theirs on the page, mine in the form
    assert "also proposed a verdict (verdict: “true”; rationale: “Theirs.”)" in page
    claim.refresh_from_db()
    assert claim.verdict == "true" and claim.rationale == "Theirs."


def test_the_api_keeps_a_stale_verdict_a_conflict(claim, analyst, editor):
    loaded = claim.version
    services.claim_update(claim=claim, by=editor, tags=["ukraine"])
    with pytest.raises(Conflict):
        services.claim_propose_verdict(
            claim=claim, by=analyst, version=loaded, verdict="false", rationale="Mine."
        )


def test_keeping_theirs_for_the_only_field_changed_saves_nothing_and_says_so(
    claim, analyst, editor
):
    bob = _client(editor)
    form = _loaded_form(bob, claim)
    services.claim_update(claim=claim, by=analyst, statement="Theirs.")
    response = bob.post(
        f"/desk/claims/{claim.pk}/edit/",
        {**form, "statement": "Mine.", "version": claim.version, "keep_statement": "theirs"},
        follow=True,
    )
    assert "Kept their version" in response.content.decode()
    claim.refresh_from_db()
    assert claim.statement == "Theirs."
