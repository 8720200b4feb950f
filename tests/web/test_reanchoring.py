"""Re-anchoring appearances when an article's text changes: by position, then the exact
quote, then the quote with its prefix and suffix (fuzzy); otherwise orphaned, never
deleted, and shown to editors."""

import pytest
from django.urls import reverse

from apps.claims import services
from apps.claims.anchoring import appearances_reanchor
from apps.claims.models import Appearance, Claim
from tests import factories

pytestmark = pytest.mark.django_db

QUOTE = "Russia is running out of munitions used in the war in Ukraine"
TEXT = (
    "Moscow, Monday.\n\n"
    f"{QUOTE}, officials said on Monday.\n\n"
    "The economy grew by 5 percent in 2023, according to the ministry."
)


def tag(article, user, quote, claim=None):
    start = article.text.index(quote)
    if claim is None:
        return services.claim_create(
            article=article, start=start, end=start + len(quote), quote=quote, by=user
        ).appearances.get()
    return services.appearance_create(
        claim=claim, article=article, start=start, end=start + len(quote), quote=quote, by=user
    )


def retext(article, new_text):
    old = article.text
    article.text = new_text
    article.save(update_fields=["text"])
    return appearances_reanchor(article=article, old_text=old)


def anchored(appearance):
    appearance.refresh_from_db()
    article_text = appearance.article.text
    assert article_text[appearance.start : appearance.end] == appearance.quote
    return appearance


def test_unchanged_position_is_kept_without_a_write(analyst):
    article = factories.ArticleFactory(text=TEXT)
    appearance = tag(article, analyst, QUOTE)
    before = appearance.updated_at
    report = retext(article, TEXT + "\n\nA paragraph added at the end.")
    assert report.kept == [appearance.pk] and report.total == 1
    appearance.refresh_from_db()
    assert appearance.updated_at == before


def test_exact_quote_moved_by_an_edit_above_is_found(analyst):
    article = factories.ArticleFactory(text=TEXT)
    appearance = tag(article, analyst, QUOTE)
    report = retext(article, "UPDATE: a new first paragraph was added.\n\n" + TEXT)
    assert report.moved == [appearance.pk]
    moved = anchored(appearance)
    assert moved.start == article.text.index(QUOTE) and not moved.orphaned
    assert moved.prefix.endswith("Moscow, Monday.\n\n")


def test_a_repeated_quote_goes_to_the_occurrence_with_the_same_surroundings(analyst):
    text = "Intro.\n\nShells ran low, he said.\n\nLater: shells ran low, she wrote."
    article = factories.ArticleFactory(text=text)
    appearance = tag(article, analyst, "shells ran low")  # the second, lower-case one
    Appearance.objects.filter(pk=appearance.pk).update(quote="ran low")  # make it ambiguous
    appearance.refresh_from_db()
    new_text = "New lead.\n\n" + text
    report = retext(article, new_text)
    assert report.moved == [appearance.pk]
    appearance.refresh_from_db()
    # "ran low" occurs twice; the stored prefix ("...Later: shells ") picks the second.
    assert appearance.start == new_text.index("ran low, she wrote")


def test_a_reflowed_quote_is_found_and_its_quote_updated(analyst):
    article = factories.ArticleFactory(text=TEXT)
    appearance = tag(article, analyst, QUOTE)
    reflowed = TEXT.replace("munitions used in", "munitions\nused  in")
    report = retext(article, reflowed)
    assert report.fuzzy == [appearance.pk]
    fixed = anchored(appearance)
    assert fixed.quote == "Russia is running out of munitions\nused  in the war in Ukraine"


def test_a_word_changed_inside_the_quote_is_found_by_its_context(analyst):
    article = factories.ArticleFactory(text=TEXT)
    appearance = tag(article, analyst, QUOTE)
    edited = TEXT.replace("munitions used in the war", "ammunition used in the war")
    report = retext(article, edited)
    assert report.fuzzy == [appearance.pk]
    fixed = anchored(appearance)
    assert fixed.quote == "Russia is running out of ammunition used in the war in Ukraine"


def test_a_quote_that_is_gone_is_orphaned_not_deleted_and_listed(client, editor, analyst):
    article = factories.ArticleFactory(text=TEXT)
    appearance = tag(article, analyst, QUOTE)
    kept = tag(article, analyst, "The economy grew by 5 percent in 2023")
    report = retext(article, "Moscow, Monday.\n\nThe economy grew by 5 percent in 2023.")
    assert report.orphaned == [appearance.pk] and report.moved == [kept.pk]
    appearance.refresh_from_db()
    assert appearance.orphaned and appearance.quote == QUOTE  # the record is kept whole
    assert Claim.objects.filter(pk=appearance.claim_id).exists()
    client.force_login(editor)
    page = client.get(reverse("claims:orphaned")).content.decode()
    assert QUOTE in page and f'id="orphan-{appearance.pk}"' in page
    reading = client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert "Not found in the current text" in reading


def test_an_orphan_found_again_later_is_restored(analyst):
    article = factories.ArticleFactory(text=TEXT)
    appearance = tag(article, analyst, QUOTE)
    retext(article, "Nothing left.")
    appearance.refresh_from_db()
    assert appearance.orphaned
    report = retext(article, "Back again.\n\n" + TEXT)
    assert report.moved == [appearance.pk]
    assert not anchored(appearance).orphaned


def test_two_appearances_of_one_claim_landing_on_one_span_keep_one(analyst):
    text = f"{QUOTE}.\n\nAnd again: {QUOTE}."
    article = factories.ArticleFactory(text=text)
    first = tag(article, analyst, QUOTE)
    second_start = text.rindex(QUOTE)
    second = services.appearance_create(
        claim=first.claim,
        article=article,
        start=second_start,
        end=second_start + len(QUOTE),
        quote=QUOTE,
        by=analyst,
    )
    report = retext(article, f"Only once now: {QUOTE}.")
    assert sorted([*report.moved, *report.orphaned]) == sorted([first.pk, second.pk])
    assert len(report.orphaned) == 1
    assert Appearance.objects.filter(claim=first.claim).count() == 2  # nothing deleted


def test_appearances_may_trade_places(analyst):
    a_text, b_text = "Alpha claim is here", "Bravo claim is here"
    article = factories.ArticleFactory(text=f"{a_text}.\n\n{b_text}.")
    claim = Claim.objects.create(statement="Either", created_by=analyst)
    first = tag(article, analyst, a_text, claim=claim)
    # Same length, so each new span is exactly the other's old span (same claim).
    second = tag(article, analyst, b_text, claim=claim)
    report = retext(article, f"{b_text}.\n\n{a_text}.")
    assert sorted(report.moved) == sorted([first.pk, second.pk])
    assert anchored(first).start == article.text.index(a_text)
    assert anchored(second).start == 0


def test_offsets_stay_code_points_with_emoji(analyst):
    text = "😀 Intro with cafe\u0301.\n\n" + QUOTE + "."
    article = factories.ArticleFactory(text=text)
    appearance = tag(article, analyst, QUOTE)
    old_start = appearance.start
    report = retext(article, "👍🏽🇫🇮 " + text)
    assert report.moved == [appearance.pk]
    assert anchored(appearance).start == old_start + 5  # code points: 👍 🏽 🇫 🇮 and a space
