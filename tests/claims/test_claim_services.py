import pytest
from django.apps import apps as django_apps

from apps.claims import services
from apps.claims.models import Appearance, Claim, Review
from apps.core.errors import Conflict, DomainError, NotAllowed
from apps.evidence.services import evidence_add

pytestmark = pytest.mark.django_db
QUOTE = "Russia is running out of munitions used in the war in Ukraine"


def make_claim(article, analyst):
    return services.claim_create(article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst)


def test_claim_from_span_stores_quote_and_context(article, analyst):
    claim = make_claim(article, analyst)
    appearance = claim.appearances.get()
    assert claim.statement == QUOTE and claim.status == "new"
    assert article.text[appearance.start : appearance.end] == appearance.quote == QUOTE
    assert (
        appearance.prefix == "" and appearance.suffix == article.text[len(QUOTE) : len(QUOTE) + 32]
    )


def test_without_a_statement_the_claim_says_what_is_claimed_not_who_claims_it(analyst):
    from tests import factories

    text = "– Russia has few allies left, Moshes says.\n\nIt will not last, Moshes says."
    article = factories.ArticleFactory(text=text)
    quote = "– Russia has few allies left, Moshes says."
    claim = services.claim_create(article=article, start=0, end=len(quote), quote=quote, by=analyst)
    assert claim.statement == "Russia has few allies left."
    appearance = claim.appearances.get()
    # No claimant was named: the guess is offered in the form, never stored unseen.
    assert appearance.quote == quote and appearance.claimant is None
    # A statement given is kept as given (whitespace collapsed).
    start = text.index("It will")
    kept = services.claim_create(
        article=article,
        start=start,
        end=len(text),
        quote=text[start:],
        statement="  It will not last,\n Moshes says. ",
        by=analyst,
    )
    assert kept.statement == "It will not last, Moshes says."


@pytest.mark.parametrize(
    ("start", "end", "quote", "code"),
    [
        (-1, 10, "x", "span_out_of_range"),
        (5, 5, "", "span_out_of_range"),
        (0, 100_000, "x", "span_out_of_range"),
        (0, len(QUOTE), "Russia is running out of bullets", "quote_mismatch"),
        ("a", "b", "x", "invalid"),
    ],
)
def test_bad_span_is_refused_with_a_clear_error_and_writes_nothing(
    article, analyst, start, end, quote, code
):
    with pytest.raises(DomainError) as error:
        services.claim_create(article=article, start=start, end=end, quote=quote, by=analyst)
    assert error.value.code == code
    assert error.value.message
    assert Claim.objects.count() == 0 and Appearance.objects.count() == 0


def test_offsets_are_code_points_not_utf16_units(analyst):
    from tests.factories import ArticleFactory

    text = "🇫🇮 Lead 😀 line.\nThe café served 3 million meals in 2023."
    article = ArticleFactory(text=text)
    quote = "The café served 3 million meals in 2023."
    start = text.index(quote)
    claim = services.claim_create(
        article=article, start=start, end=start + len(quote), quote=quote, by=analyst
    )
    assert claim.appearances.get().start == start  # code points: emoji count as one
    with pytest.raises(DomainError):  # the UTF-16 position (one more per astral char) is refused
        services.claim_create(
            article=article, start=start + 3, end=start + 3 + len(quote), quote=quote, by=analyst
        )


def test_same_span_cannot_be_attached_twice(article, analyst):
    claim = make_claim(article, analyst)
    with pytest.raises(DomainError, match="already attached"):
        services.appearance_create(
            claim=claim, article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst
        )


def test_reader_without_role_cannot_create_claims(article, django_user_model):
    reader = django_user_model.objects.create_user("reader", password="x")
    with pytest.raises(NotAllowed):
        make_claim(article, reader)


def test_full_workflow_with_review_and_history(article, analyst, editor):
    claim = make_claim(article, analyst)
    with pytest.raises(DomainError, match="Propose a verdict"):
        services.claim_submit_for_review(claim=claim, by=analyst)
    claim = services.claim_propose_verdict(
        claim=claim, verdict="false", rationale="Stocks are rising.", by=analyst
    )
    claim = services.claim_submit_for_review(claim=claim, by=analyst)
    assert claim.status == "in_review"
    with pytest.raises(NotAllowed, match="Only editors"):
        services.review_approve(claim=claim, by=analyst)
    with pytest.raises(DomainError, match="evidence"):
        services.review_approve(claim=claim, by=editor)
    claim = services.review_send_back(claim=claim, by=editor, note="Find a source.")
    assert claim.status == "researching"
    evidence_add(
        claim=claim, by=analyst, stance="refutes", url="https://example.org/stocks", title="Stocks"
    )
    claim = services.claim_submit_for_review(claim=claim, by=analyst)
    claim = services.review_approve(claim=claim, by=editor, note="Good.")
    assert claim.status == "published" and claim.published_at is not None
    assert list(Review.objects.filter(claim=claim).values_list("decision", flat=True)) == [
        "approve",
        "send_back",
    ]
    statuses = list(claim.events.order_by("pgh_id").values_list("status", flat=True))
    assert statuses[0] == "new" and statuses[-1] == "published" and "in_review" in statuses


def test_editor_may_publish_without_evidence_only_with_a_reason(article, analyst, editor):
    claim = make_claim(article, analyst)
    claim = services.claim_propose_verdict(
        claim=claim, verdict="unproven", rationale="No data.", by=analyst
    )
    claim = services.claim_submit_for_review(claim=claim, by=analyst)
    claim = services.review_approve(
        claim=claim, by=editor, override_reason="Official data withheld."
    )
    assert claim.status == "published"
    assert "Official data withheld." in claim.reviews.get().note


def test_transition_not_allowed_says_what_is(article, analyst, editor):
    claim = make_claim(article, analyst)
    with pytest.raises(NotAllowed) as error:
        services.claim_reopen(claim=claim, by=editor, note="why")
    assert "Cannot reopen a claim that is new" in error.value.message
    assert "submit for review" not in error.value.message or "Allowed now" in error.value.message


def test_stale_version_is_a_conflict_and_changes_nothing(article, analyst):
    claim = make_claim(article, analyst)
    stale = Claim.objects.get(pk=claim.pk)
    services.claim_propose_verdict(claim=claim, verdict="true", rationale="A", by=analyst)
    with pytest.raises(Conflict):
        services.claim_propose_verdict(claim=stale, verdict="false", rationale="B", by=analyst)
    claim.refresh_from_db()
    assert claim.verdict == "true" and claim.rationale == "A"


def test_unknown_verdict_is_refused(article, analyst):
    claim = make_claim(article, analyst)
    with pytest.raises(DomainError, match="Unknown verdict"):
        services.claim_propose_verdict(
            claim=claim, verdict="pants_on_fire", rationale="x", by=analyst
        )


def test_edit_with_stale_version_reports_the_other_persons_change(article, analyst, editor):
    claim = make_claim(article, analyst)
    mine = Claim.objects.get(pk=claim.pk)
    services.claim_update(claim=claim, by=editor, statement="Russia lacks artillery shells.")
    with pytest.raises(Conflict) as error:
        services.claim_update(claim=mine, by=analyst, tags=["ukraine"])
    assert error.value.details["their_changes"] == {"statement": "Russia lacks artillery shells."}
    claim.refresh_from_db()
    assert claim.tags == [] and claim.version == 2


def test_edit_cleans_tags_and_assigns_only_researchers(article, analyst, django_user_model):
    claim = make_claim(article, analyst)
    claim = services.claim_update(
        claim=claim, by=analyst, tags="Ukraine, ammo ,ukraine", assignee=analyst
    )
    assert claim.tags == ["ukraine", "ammo"] and claim.assignee == analyst
    reader = django_user_model.objects.create_user("reader2")
    with pytest.raises(DomainError, match="not an analyst"):
        services.claim_update(claim=claim, by=analyst, assignee=reader)


def test_only_editors_delete_and_the_delete_is_in_the_history(article, analyst, editor):
    claim = make_claim(article, analyst)
    with pytest.raises(NotAllowed):
        services.claim_delete(claim=claim, by=analyst)
    claim_id = claim.pk
    services.claim_delete(claim=claim, by=editor)
    assert not Claim.objects.filter(pk=claim_id).exists()
    events = django_apps.get_model("claims", "ClaimEvent").objects
    assert events.filter(pgh_obj_id=claim_id, pgh_label="delete").exists()


def test_bulk_action_reports_each_claim_on_its_own(article, analyst, editor):
    ready = make_claim(article, analyst)
    ready = services.claim_propose_verdict(claim=ready, verdict="true", rationale="ok", by=analyst)
    no_verdict = services.claim_create(article=article, start=0, end=6, quote="Russia", by=analyst)
    results = services.claims_bulk(
        claim_ids=[ready.pk, no_verdict.pk, 999999], action="submit", by=analyst
    )
    assert [(r.claim_id, r.ok) for r in results] == [
        (ready.pk, True),
        (no_verdict.pk, False),
        (999999, False),
    ]
    assert "Propose a verdict" in results[1].message
    ready.refresh_from_db()
    no_verdict.refresh_from_db()
    assert ready.status == "in_review" and no_verdict.status == "new"


def test_bulk_tag_and_assign(article, analyst, editor):
    claim = make_claim(article, analyst)
    results = services.claims_bulk(
        claim_ids=[claim.pk], action="add_tag", tag=" Ukraine ", by=analyst
    )
    assert results[0].ok and results[0].message == "Tagged “ukraine”."
    services.claims_bulk(claim_ids=[claim.pk], action="assign", assignee=analyst, by=editor)
    claim.refresh_from_db()
    assert claim.tags == ["ukraine"] and claim.assignee == analyst


def test_bulk_approve_by_analyst_fails_per_item(article, analyst):
    claim = make_claim(article, analyst)
    results = services.claims_bulk(claim_ids=[claim.pk], action="approve", by=analyst)
    assert not results[0].ok and "Only editors" in results[0].message


def test_a_quote_sent_with_crlf_line_breaks_matches_the_stored_text(analyst):
    from tests.factories import ArticleFactory

    article = ArticleFactory(text="First paragraph ends.\n\nSecond one starts here.")
    quote = "ends.\r\n\r\nSecond"
    start = article.text.index("ends.")
    claim = services.claim_create(
        article=article, start=start, end=start + len("ends.\n\nSecond"), quote=quote, by=analyst
    )
    assert claim.appearances.get().quote == "ends.\n\nSecond"
