"""Claimants stay clean: a guess is a suggestion until an analyst accepts it; accepting
finds the claimant by name and alias before making one; kind and role come from the
guess and can be corrected."""

import pytest
from django.urls import reverse

from apps.claims import services
from apps.claims.models import Claimant, Suggestion
from apps.claims.suggestions import suggestion_accept, suggestions_generate
from apps.core.errors import NotAllowed
from tests.factories import ArticleFactory, user_with_role

pytestmark = pytest.mark.django_db

MINISTER = "Unemployment rose to 7.2 percent in June, Finance Minister Laura Beck said on Tuesday."
AGENCY = "The World Meteorological Organization said the past decade was the warmest on record."


def _suggestion(text: str, **claimant) -> Suggestion:
    article = ArticleFactory(text=text, language="en")
    return Suggestion.objects.create(
        article=article, start=0, end=len(text), sentence=text, score=0.9, **claimant
    )


def _claimant(name: str, **fields) -> Claimant:
    from apps.claims.nlp.attribution import claimant_key

    return Claimant.objects.create(name=name, key=claimant_key(name), **fields)


# --- a guess is only a suggestion ------------------------------------------------------


def test_suggesting_keeps_the_guess_with_its_kind_and_role_and_makes_no_claimant():
    text = (
        "Jobs report\n\n"
        f"{MINISTER}\n\n"
        "The figure was the highest since 2015, and economists expect it to climb further."
    )
    article = ArticleFactory(text=text, language="en")
    suggestions = suggestions_generate(article=article)
    minister = next(s for s in suggestions if s.sentence == MINISTER)
    assert minister.claimant_name == "Laura Beck"
    assert (minister.claimant_kind, minister.claimant_role) == ("person", "Finance Minister")
    assert minister.claimant is None
    assert not Claimant.objects.exists()


def test_accepting_takes_kind_and_role_from_the_guess(analyst):
    suggestion = _suggestion(
        AGENCY, claimant_name="World Meteorological Organization", claimant_kind="organization"
    )
    appearance = suggestion_accept(suggestion=suggestion, by=analyst)
    assert appearance.claimant.kind == Claimant.Kind.ORGANIZATION
    minister = _suggestion(
        MINISTER,
        claimant_name="Laura Beck",
        claimant_kind="person",
        claimant_role="Finance Minister",
    )
    claimant = suggestion_accept(suggestion=minister, by=analyst).claimant
    assert (claimant.name, claimant.kind, claimant.role) == (
        "Laura Beck",
        "person",
        "Finance Minister",
    )


def test_a_suggestion_without_a_guess_is_accepted_without_a_claimant(analyst):
    # The sentence names a speaker, but the suggestion shown had none: none is guessed now.
    suggestion = _suggestion(MINISTER, claimant_name="")
    appearance = suggestion_accept(suggestion=suggestion, by=analyst)
    assert appearance.claimant is None
    assert not Claimant.objects.exists()


def test_the_analyst_may_replace_or_clear_the_guess_when_accepting(analyst):
    cleared = suggestion_accept(
        suggestion=_suggestion(MINISTER, claimant_name="Laura Beck"), by=analyst, claimant_name=""
    )
    assert cleared.claimant is None and not Claimant.objects.exists()
    replaced = suggestion_accept(
        suggestion=_suggestion(AGENCY, claimant_name="Decade"),
        by=analyst,
        claimant_name="World Meteorological Organization",
    )
    # The replacement is the span's guess, so it takes the guess's kind.
    assert replaced.claimant.name == "World Meteorological Organization"
    assert replaced.claimant.kind == Claimant.Kind.ORGANIZATION


def test_a_claim_made_without_naming_a_claimant_has_none_unless_a_guess_is_asked_for(analyst):
    article = ArticleFactory(text=MINISTER)
    claim = services.claim_create(
        article=article, start=0, end=len(MINISTER), quote=MINISTER, by=analyst
    )
    assert claim.appearances.get().claimant is None
    guessed = services.claim_create(
        article=ArticleFactory(text=MINISTER),
        start=0,
        end=len(MINISTER),
        quote=MINISTER,
        by=analyst,
        guess_claimant=True,
    )
    claimant = guessed.appearances.get().claimant
    assert (claimant.name, claimant.role) == ("Laura Beck", "Finance Minister")


def test_a_name_picked_from_the_guess_takes_the_guess_kind(analyst):
    article = ArticleFactory(text=AGENCY)
    claim = services.claim_create(
        article=article,
        start=0,
        end=len(AGENCY),
        quote=AGENCY,
        by=analyst,
        claimant_name="World Meteorological Organization",
    )
    assert claim.appearances.get().claimant.kind == Claimant.Kind.ORGANIZATION
    # Another name than the guess: the kind is unknown, a person until corrected.
    other = services.claim_create(
        article=article,
        start=0,
        end=len(AGENCY),
        quote=AGENCY,
        by=analyst,
        claimant_name="Tomas Varga",
    )
    assert other.appearances.get().claimant.kind == Claimant.Kind.PERSON


# --- finding the claimant before making one --------------------------------------------


def test_an_alias_with_another_surname_finds_the_claimant():
    joanna = _claimant("Joanna Whitfield", aliases=["Joanna Marsh"])
    assert services.claimant_resolve(name="Joanna Marsh") == joanna
    assert services.claimant_resolve(name="Ms. Joanna Marsh") == joanna
    assert Claimant.objects.count() == 1


def test_an_acronym_finds_the_organisation_and_the_organisation_its_acronym():
    faa = _claimant("Federal Aviation Administration", kind="organization")
    assert services.claimant_resolve(name="FAA") == faa
    assert "FAA" in Claimant.objects.get(pk=faa.pk).aliases
    ilo = _claimant("ILO", kind="organization")
    assert services.claimant_resolve(name="International Labour Organization") == ilo
    assert Claimant.objects.count() == 2


def test_a_spelling_variant_is_kept_as_an_alias():
    mahlangu = _claimant("Thandiwe Mahlangu")
    assert services.claimant_resolve(name="Thandiwe Mahlango") == mahlangu
    assert Claimant.objects.get(pk=mahlangu.pk).aliases == ["Thandiwe Mahlango"]


def test_a_surname_shared_by_two_claimants_takes_the_one_tagged_in_the_article(analyst):
    _claimant("Ana Lopez")
    carlos = _claimant("Carlos Lopez")
    text = "Carlos Lopez said the port would reopen. Lopez said the ships were already waiting."
    article = ArticleFactory(text=text)
    first = "Carlos Lopez said the port would reopen."
    services.claim_create(
        article=article,
        start=0,
        end=len(first),
        quote=first,
        by=analyst,
        claimant_name="Carlos Lopez",
    )
    assert services.claimant_resolve(name="Lopez", article=article) == carlos
    # Elsewhere "Lopez" could be either: a record of its own, not a wrong one.
    elsewhere = services.claimant_resolve(name="Lopez", article=ArticleFactory(text="Lopez spoke."))
    assert elsewhere.name == "Lopez" and elsewhere != carlos
    assert services.claimant_match(name="Lopez") is not carlos


def test_different_people_with_one_surname_stay_apart():
    _claimant("Lee Min Ho")
    assert services.claimant_resolve(name="Lee Sun Ho").name == "Lee Sun Ho"
    assert Claimant.objects.count() == 2


def test_a_found_claimant_keeps_its_corrected_kind_and_gets_a_missing_role():
    beck = _claimant("Laura Beck", kind="organization")
    found = services.claimant_resolve(name="Laura Beck", kind="person", role="Finance Minister")
    assert found == beck and found.kind == "organization" and found.role == "Finance Minister"
    again = services.claimant_resolve(name="Laura Beck", role="Prime Minister")
    assert again.role == "Finance Minister"


# --- correcting kind and role ----------------------------------------------------------


def test_analyst_corrects_a_claimants_kind_and_role_on_the_claim_page(analyst, analyst_client):
    article = ArticleFactory(text=AGENCY)
    claim = services.claim_create(
        article=article,
        start=0,
        end=len(AGENCY),
        quote=AGENCY,
        by=analyst,
        claimant_name="Nordic Weather Council",
    )
    claimant = claim.appearances.get().claimant
    page = analyst_client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    url = reverse("claims:claimant_edit", args=[claim.pk, claimant.pk])
    assert f'action="{url}"' in page and "Nordic Weather Council" in page
    response = analyst_client.post(url, {"kind": "organization", "role": "  regional  body "})
    assert response.status_code == 302
    claimant.refresh_from_db()
    assert (claimant.kind, claimant.role) == ("organization", "regional body")
    page = analyst_client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "Organization · regional body" in page
    bad = analyst_client.post(url, {"kind": "robot", "role": ""}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400
    # Only a claimant of this claim is edited from its page.
    stranger = _claimant("Someone Else")
    other = analyst_client.post(
        reverse("claims:claimant_edit", args=[claim.pk, stranger.pk]), {"kind": "organization"}
    )
    assert other.status_code == 404


def test_only_analysts_correct_claimants(django_user_model):
    claimant = _claimant("Laura Beck")
    reader = django_user_model.objects.create_user(username="reader", password="x")
    with pytest.raises(NotAllowed):
        services.claimant_update(claimant=claimant, by=reader, kind="organization", role="")
    assert Claimant.objects.get(pk=claimant.pk).kind == "person"
    editor = user_with_role("editor")
    services.claimant_update(claimant=claimant, by=editor, kind="organization", role="")
    assert Claimant.objects.get(pk=claimant.pk).kind == "organization"
