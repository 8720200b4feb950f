"""The browser pages through Django's test client: access, forms, errors, escaping, queries."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from apps.claims import services
from apps.claims.models import Appearance, Claim, Review, Suggestion
from apps.evidence.models import EvidenceLink
from apps.evidence.services import evidence_add
from tests import factories
from tests.hostile import IMG, JS_URL, SCRIPT, assert_inert

pytestmark = pytest.mark.django_db
QUOTE = "Russia is running out of munitions used in the war in Ukraine"
SECOND = "The economy grew by 5 percent in 2023"


def make_claim(article, user, quote=QUOTE):
    start = article.text.index(quote)
    return services.claim_create(
        article=article, start=start, end=start + len(quote), quote=quote, by=user
    )


def span_post(article, quote, **extra):
    start = article.text.index(quote)
    return {
        "article": article.pk,
        "start": start,
        "end": start + len(quote),
        "quote": quote,
        **extra,
    }


# --- Access ------------------------------------------------------------------------------


@pytest.fixture
def some_claim(article, analyst):
    return make_claim(article, analyst)


@pytest.mark.parametrize(
    "name",
    ["articles:list", "articles:detail", "claims:list", "claims:detail", "claims:search"],
)
def test_anonymous_user_is_sent_to_log_in_from_every_page(client, some_claim, article, name):
    args = {"articles:detail": [article.pk], "claims:detail": [some_claim.pk]}.get(name, [])
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize(
    "name",
    [
        "claims:attach",
        "evidence:add",
        "claims:propose",
        "claims:submit",
        "claims:approve",
        "claims:send_back",
        "claims:reopen",
    ],
)
def test_anonymous_post_is_sent_to_log_in_and_changes_nothing(client, some_claim, name):
    response = client.post(reverse(name, args=[some_claim.pk]), {"version": 1, "note": "x"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    some_claim.refresh_from_db()
    assert some_claim.version == 1 and some_claim.status == "new"


def test_anonymous_cannot_create_a_claim(client, article):
    response = client.post(reverse("claims:create"), span_post(article, QUOTE))
    assert response.status_code == 302 and Claim.objects.count() == 0


def test_login_page_logs_in_and_lands_on_articles(client, analyst):
    analyst.set_password("pw-for-test-1")
    analyst.save()
    page = client.get(reverse("login"))
    assert page.status_code == 200 and b'name="password"' in page.content
    response = client.post(
        reverse("login"), {"username": analyst.username, "password": "pw-for-test-1"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("articles:list")


def test_nav_shows_user_and_role(analyst_client, analyst):
    page = analyst_client.get(reverse("articles:list")).content.decode()
    assert analyst.username in page and 'class="role role-analyst"' in page


def test_account_menu_holds_tokens_and_log_out(analyst_client):
    page = analyst_client.get(reverse("articles:list")).content.decode()
    menu = page[page.index('<details class="account-menu">') : page.index("</details>")]
    assert f'href="{reverse("accounts:tokens")}"' in menu
    assert f'action="{reverse("logout")}"' in menu and "Log out" in menu


# --- Article list and reading page ----------------------------------------------------


def test_article_list_filters_by_outlet_and_full_text(analyst_client, analyst):
    bbc = factories.OutletFactory(name="BBC")
    yle = factories.OutletFactory(name="Yle")
    shells = factories.ArticleFactory(title="Artillery shells", outlet=bbc, text="Shells ran low.")
    grain = factories.ArticleFactory(title="Grain exports", outlet=yle, text="Wheat harvests.")
    make_claim(factories.ArticleFactory(outlet=yle), analyst)  # an article with one claim, newest
    page = analyst_client.get(reverse("articles:list"))
    assert page.status_code == 200
    assert [a.pk for a in page.context["page"].object_list][-2:] == [grain.pk, shells.pk]

    by_outlet = analyst_client.get(reverse("articles:list"), {"outlet": bbc.pk})
    assert [a.pk for a in by_outlet.context["page"].object_list] == [shells.pk]

    # websearch syntax and English stemming ("harvest" finds "harvests")
    found = analyst_client.get(reverse("articles:list"), {"q": "harvest -shells"})
    assert [a.pk for a in found.context["page"].object_list] == [grain.pk]
    assert "Grain exports" in found.content.decode()

    claims = {a.pk: a.claim_count for a in page.context["page"].object_list}
    assert sorted(claims.values()) == [0, 0, 1]


def test_reading_page_marks_appearances_with_code_point_offsets(analyst_client, analyst):
    text = "😀 Intro é.\n\n" + QUOTE + ", officials said."
    article = factories.ArticleFactory(text=text)
    claim = make_claim(article, analyst)
    appearance = claim.appearances.get()
    page = analyst_client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    start = text.index(QUOTE)
    assert start == 12  # code points: the emoji counts once (UTF-16 would say 13)
    assert (
        f'data-claim="{claim.pk}" data-claims="{claim.pk}" data-start="{start}" '
        f'data-end="{start + len(QUOTE)}" data-offset="{start}"'
    ) in page
    assert f'id="appearance-{appearance.pk}"' in page
    assert 'class="hl status-new"' in page
    # paragraphs keep their offsets
    assert '<p dir="auto" data-start="0" data-end="10">' in page
    assert f'<p dir="auto" data-start="{start}" data-end="{len(text)}">' in page
    # the analyst gets the selection tools and the raw text for the offset mapping
    assert 'id="selection-menu"' in page and 'id="article-text"' in page


def test_reader_without_a_role_sees_no_tagging_tools(client, article):
    reader = factories.User.objects.create_user("reader", password="x")
    client.force_login(reader)
    page = client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert 'id="selection-menu"' not in page and 'id="create-form"' not in page


def test_original_link_only_for_web_urls(analyst_client):
    web = factories.ArticleFactory(url="https://news.example/story")
    page = analyst_client.get(reverse("articles:detail", args=[web.pk])).content.decode()
    assert 'href="https://news.example/story" rel="noopener noreferrer nofollow"' in page

    sneaky = factories.ArticleFactory(url=JS_URL)
    page = analyst_client.get(reverse("articles:detail", args=[sneaky.pk])).content.decode()
    assert "javascript:" not in page


# --- Creating claims and attaching spans ----------------------------------------------


def test_analyst_creates_a_claim_from_a_span(analyst_client, article, analyst):
    response = analyst_client.post(
        reverse("claims:create"),
        span_post(article, QUOTE, statement="Russia  is short\nof munitions", claimant_name=""),
    )
    claim = Claim.objects.get()
    appearance = claim.appearances.get()
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("articles:detail", args=[article.pk]) + f"#appearance-{appearance.pk}"
    )
    assert claim.statement == "Russia is short of munitions" and claim.created_by == analyst
    assert appearance.quote == QUOTE == article.text[appearance.start : appearance.end]
    page = analyst_client.get(response["Location"]).content.decode()
    assert f"Claim #{claim.pk} created." in page and f'data-claim="{claim.pk}"' in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start": 0, "end": 100_000}, "outside the article text"),
        ({"quote": "Russia is running out of bullets"}, "does not match the article text"),
        ({"start": "", "end": ""}, "Start"),
    ],
)
def test_bad_span_shows_a_clear_error_keeps_input_and_writes_nothing(
    analyst_client, article, change, message
):
    data = span_post(article, QUOTE, statement="My careful wording", claimant_name="Moshes")
    data.update(change)
    response = analyst_client.post(reverse("claims:create"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert (
        "My careful wording" in page and 'value="Moshes"' in page
    )  # nothing the user typed is lost
    assert 'data-mode="create"' in page
    assert Claim.objects.count() == 0 and Appearance.objects.count() == 0


def test_bad_span_as_json_gets_status_and_message(analyst_client, article):
    data = {**span_post(article, QUOTE), "quote": "not the text"}
    response = analyst_client.post(reverse("claims:create"), data, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "quote_mismatch"


def test_analyst_attaches_a_span_of_another_article_to_a_claim(analyst_client, analyst):
    first = factories.ArticleFactory()
    claim = make_claim(first, analyst)
    second = factories.ArticleFactory(text="Intro.\n\nWith Russia running out of ammunition, X.")
    quote = "With Russia running out of ammunition"
    response = analyst_client.post(
        reverse("claims:attach", args=[claim.pk]),
        span_post(second, quote, claimant_name="Putin aide"),
    )
    appearance = claim.appearances.get(article=second)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#appearance-{appearance.pk}")
    assert appearance.quote == quote and appearance.claimant.name == "Putin aide"

    again = analyst_client.post(reverse("claims:attach", args=[claim.pk]), span_post(second, quote))
    assert again.status_code == 400 and "already attached" in again.content.decode()
    assert claim.appearances.count() == 2


def test_attach_search_finds_claims_by_words(analyst_client, analyst, article):
    claim = make_claim(article, analyst)
    other = make_claim(article, analyst, quote=SECOND)
    found = analyst_client.get(reverse("claims:search"), {"q": "munitions russia"})
    assert [c.claim for c in found.context["choices"]][:1] == [claim]
    assert other not in [c.claim for c in found.context["choices"]]
    assert f'formaction="{reverse("claims:attach", args=[claim.pk])}"' in found.content.decode()
    everything = analyst_client.get(reverse("claims:search"))
    assert {c.claim.pk for c in everything.context["choices"]} == {claim.pk, other.pk}
    nothing = analyst_client.get(reverse("claims:search"), {"q": "zeppelin"})
    assert "No claim is like “zeppelin”" in nothing.content.decode()


# --- The claim page and the workflow ----------------------------------------------------


def test_claim_list_filters_and_counts(analyst_client, analyst, article):
    claim = make_claim(article, analyst)
    other = make_claim(article, analyst, quote=SECOND)
    evidence_add(claim=claim, by=analyst, stance="refutes", url="https://example.org/a")
    services.claim_propose_verdict(claim=claim, verdict="false", rationale="r", by=analyst)
    page = analyst_client.get(reverse("claims:list"))
    rows = {c.pk: c for c in page.context["page"].object_list}
    assert list(rows) == [claim.pk, other.pk]  # newest updated first
    assert rows[claim.pk].appearance_count == 1 and rows[claim.pk].evidence_count == 1
    assert rows[other.pk].evidence_count == 0
    only_false = analyst_client.get(reverse("claims:list"), {"verdict": "false"})
    assert [c.pk for c in only_false.context["page"].object_list] == [claim.pk]
    only_new = analyst_client.get(reverse("claims:list"), {"status": "new"})
    assert [c.pk for c in only_new.context["page"].object_list] == [other.pk]
    by_text = analyst_client.get(reverse("claims:list"), {"q": "economy"})
    assert [c.pk for c in by_text.context["page"].object_list] == [other.pk]


def test_analyst_adds_evidence(analyst_client, analyst, article):
    claim = make_claim(article, analyst)
    response = analyst_client.post(
        reverse("evidence:add", args=[claim.pk]),
        {
            "version": claim.version,
            "url": "https://www.example.org/report",
            "title": "Munitions report",
            "publisher": "Example Institute",
            "kind": "report",
            "stance": "refutes",
            "quote": "Stocks are stable",
            "note": "Contradicts the claim",
        },
    )
    assert response.status_code == 302
    link = EvidenceLink.objects.get(claim=claim)
    assert link.stance == "refutes" and link.source.title == "Munitions report"
    assert link.source.kind == "report" and link.linked_by == analyst
    page = analyst_client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "Evidence added." in page
    assert 'href="https://www.example.org/report" rel="noopener noreferrer nofollow"' in page
    assert "Contradicts the claim" in page and "Stocks are stable" in page


def test_evidence_error_over_htmx_keeps_input_and_says_why(analyst_client, analyst, article):
    claim = make_claim(article, analyst)
    response = analyst_client.post(
        reverse("evidence:add", args=[claim.pk]),
        {
            "version": 1,
            "url": JS_URL,
            "title": "My title",
            "kind": "report",
            "stance": "supports",
            "note": "my note",
        },
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "<html" not in page  # a fragment for htmx
    assert "is not a web address" in page
    assert 'value="My title"' in page and "my note" in page
    assert not EvidenceLink.objects.exists()


def test_analyst_proposes_and_submits_over_htmx(analyst_client, analyst, article):
    claim = make_claim(article, analyst)
    response = analyst_client.post(
        reverse("claims:propose", args=[claim.pk]),
        {"version": claim.version, "verdict": "misleading", "rationale": "Stocks are stable."},
        HTTP_HX_REQUEST="true",
    )
    claim.refresh_from_db()
    assert response.status_code == 200 and "Verdict proposed." in response.content.decode()
    assert (claim.verdict, claim.rationale, claim.status) == (
        "misleading",
        "Stocks are stable.",
        "researching",
    )
    # the fragment carries the new version for the next form
    assert f'name="version" value="{claim.version}"' in response.content.decode()

    response = analyst_client.post(
        reverse("claims:submit", args=[claim.pk]), {"version": claim.version}
    )
    claim.refresh_from_db()
    assert response.status_code == 302 and claim.status == "in_review"
    page = analyst_client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "Submitted for review." in page and 'id="approve-form"' not in page


def test_stale_version_is_a_conflict_and_keeps_the_typed_rationale(
    analyst_client, analyst, article
):
    claim = make_claim(article, analyst)
    # Someone else proposed a verdict meanwhile (a change to other fields would merge:
    # tests/claims/test_edit_merge.py).
    services.claim_propose_verdict(claim=claim, by=analyst, verdict="true", rationale="Theirs.")
    response = analyst_client.post(
        reverse("claims:propose", args=[claim.pk]),
        {"version": 1, "verdict": "false", "rationale": "My long rationale"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this claim" in page and "My long rationale" in page
    claim.refresh_from_db()
    assert claim.verdict == "true" and claim.version == 2


def test_propose_without_rationale_is_refused_with_the_verdict_kept(
    analyst_client, analyst, article
):
    claim = make_claim(article, analyst)
    response = analyst_client.post(
        reverse("claims:propose", args=[claim.pk]), {"version": 1, "verdict": "false"}
    )
    assert response.status_code == 400
    assert "Write a rationale" in response.content.decode()
    assert response.context["forms"]["propose"]["verdict"].value() == "false"


def in_review_claim(article, analyst):
    claim = make_claim(article, analyst)
    evidence_add(claim=claim, by=analyst, stance="refutes", url="https://example.org/evidence")
    claim = services.claim_propose_verdict(claim=claim, verdict="false", rationale="r", by=analyst)
    return services.claim_submit_for_review(claim=claim, by=analyst)


def test_analyst_cannot_approve_or_publish(analyst_client, analyst, article):
    claim = in_review_claim(article, analyst)
    page = analyst_client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert 'id="approve-form"' not in page and 'id="send-back-form"' not in page
    response = analyst_client.post(
        reverse("claims:approve", args=[claim.pk]), {"version": claim.version, "note": "ok"}
    )
    assert response.status_code == 403
    assert "Only editors can approve and publish" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == "in_review" and not Review.objects.exists()


def test_editor_approves_and_publishes(client, editor, analyst, article):
    claim = in_review_claim(article, analyst)
    client.force_login(editor)
    page = client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert 'id="approve-form"' in page and 'id="send-back-form"' in page
    asked = client.post(
        reverse("claims:approve", args=[claim.pk]),
        {"version": claim.version, "note": "Well sourced"},
        HTTP_HX_REQUEST="true",
    )
    question = asked.content.decode()
    assert asked.status_code == 200 and "Publish this claim?" in question
    assert 'name="confirm" value="1"' in question and 'value="Well sourced"' in question
    claim.refresh_from_db()
    assert claim.status == "in_review" and not Review.objects.exists()
    response = client.post(
        reverse("claims:approve", args=[claim.pk]),
        {"version": claim.version, "note": "Well sourced", "confirm": "1"},
        HTTP_HX_REQUEST="true",
    )
    claim.refresh_from_db()
    assert response.status_code == 200 and claim.status == "published"
    body = response.content.decode()
    assert "Approved and published." in body and 'id="reopen-form"' in body
    assert Review.objects.get(claim=claim).note == "Well sourced"


def test_editor_publishes_without_evidence_only_with_a_reason(client, editor, analyst, article):
    claim = make_claim(article, analyst)
    claim = services.claim_propose_verdict(claim=claim, verdict="false", rationale="r", by=analyst)
    claim = services.claim_submit_for_review(claim=claim, by=analyst)
    client.force_login(editor)
    refused = client.post(reverse("claims:approve", args=[claim.pk]), {"version": claim.version})
    assert refused.status_code == 400 and "Link at least one piece of evidence" in (
        refused.content.decode()
    )
    asked = client.post(
        reverse("claims:approve", args=[claim.pk]),
        {"version": claim.version, "override_reason": "Official denial is the evidence"},
    )
    assert asked.status_code == 200 and "Publish this claim?" in asked.content.decode()
    published = client.post(
        reverse("claims:approve", args=[claim.pk]),
        {
            "version": claim.version,
            "override_reason": "Official denial is the evidence",
            "confirm": "1",
        },
    )
    claim.refresh_from_db()
    assert published.status_code == 302 and claim.status == "published"


def test_editor_sends_back_and_reopens_with_notes(client, editor, analyst, article):
    claim = in_review_claim(article, analyst)
    client.force_login(editor)
    no_note = client.post(reverse("claims:send_back", args=[claim.pk]), {"version": claim.version})
    assert no_note.status_code == 400
    client.post(
        reverse("claims:send_back", args=[claim.pk]),
        {"version": claim.version, "note": "Find the ministry data"},
    )
    claim.refresh_from_db()
    assert claim.status == "researching"
    claim = services.claim_submit_for_review(claim=claim, by=analyst)
    claim = services.review_approve(claim=claim, by=editor)
    client.post(
        reverse("claims:reopen", args=[claim.pk]), {"version": claim.version, "note": "New data"}
    )
    claim.refresh_from_db()
    assert claim.status == "researching"
    page = client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert "Find the ministry data" in page and "New data" in page


def test_claim_page_shows_history_with_who_and_what_changed(analyst_client, analyst, article):
    claim = make_claim(article, analyst)
    analyst_client.post(
        reverse("claims:propose", args=[claim.pk]),
        {"version": 1, "verdict": "false", "rationale": "Because."},
    )
    response = analyst_client.get(reverse("claims:detail", args=[claim.pk]))
    history = response.context["history"]
    proposal = next(e for e in history if e.action == "propose")
    assert proposal.user == analyst
    assert ("Verdict", "—", "False") in proposal.changes
    assert ("Status", "New", "Researching") in proposal.changes
    assert ("Verdict proposed by", "—", analyst.username) in proposal.changes
    assert any(e.what == "Tagged it in an article" and e.user == analyst for e in history)
    page = response.content.decode()
    assert "Proposed a verdict" in page and "Researching" in page


# --- Escaping, CSRF, queries ----------------------------------------------------------


def test_article_claimant_and_evidence_strings_render_as_escaped_text(analyst_client, analyst):
    text = f"Before {SCRIPT} after.\n\n{QUOTE} {IMG}."
    article = factories.ArticleFactory(title=f"Title {SCRIPT}", text=text, authors=[SCRIPT])
    start = text.index(QUOTE)
    claim = services.claim_create(
        article=article,
        start=start,
        end=start + len(QUOTE),
        quote=QUOTE,
        by=analyst,
        statement=f"Statement {SCRIPT}",
        claimant_name=f"Claimant {SCRIPT}",
    )
    evidence_add(
        claim=claim,
        by=analyst,
        stance="context",
        url="https://example.org/x",
        title=f"Evidence {SCRIPT}",
        note=f"Note {SCRIPT}",
        quote=f"Quote {SCRIPT}",
    )
    article_page = analyst_client.get(reverse("articles:detail", args=[article.pk]))
    claim_page = analyst_client.get(reverse("claims:detail", args=[claim.pk]))
    for response in (article_page, claim_page):
        page = response.content.decode()
        assert_inert(page)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Title &lt;script&gt;" in article_page.content.decode()
    assert "Claimant &lt;script&gt;" in claim_page.content.decode()
    assert "Evidence &lt;script&gt;" in claim_page.content.decode()
    assert "Note &lt;script&gt;" in claim_page.content.decode()
    # the raw text for the selection script is JSON inside a script element, with < escaped
    assert "\\u003Cscript\\u003E" in article_page.content.decode()


def test_post_without_csrf_token_is_refused(analyst, article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    response = client.post(reverse("claims:create"), span_post(article, QUOTE))
    assert response.status_code == 403
    assert Claim.objects.count() == 0


def test_htmx_forms_carry_the_csrf_token(analyst_client, analyst, article):
    claim = make_claim(article, analyst)
    page = analyst_client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in page


def article_with_appearances(count, user):
    words = [f"w{i:03d}" for i in range(count)]
    article = factories.ArticleFactory(text=" ".join(words))
    claims = Claim.objects.bulk_create(
        Claim(statement=f"Claim {i}", created_by=user) for i in range(count)
    )
    appearances = []
    position = 0
    for i, claim in enumerate(claims):
        # every span covers two words, so neighbours overlap
        end = position + len(words[i]) + (1 + len(words[i + 1]) if i + 1 < count else 0)
        appearances.append(
            Appearance(
                claim=claim,
                article=article,
                start=position,
                end=end,
                quote=article.text[position:end],
                tagged_by=user,
            )
        )
        position += len(words[i]) + 1
    Appearance.objects.bulk_create(appearances)
    # and one open suggestion per ten words (on cuts that exist): the second layer
    Suggestion.objects.bulk_create(
        Suggestion(
            article=article,
            start=article.text.index(words[i]),
            end=article.text.index(words[i]) + len(words[i]),
            sentence=words[i],
            score=0.5,
        )
        for i in range(1, count, 10)
    )
    return article


READING_PAGE_QUERIES = 8  # session, user, groups, article, appearances, suggestions,
# near-duplicates, unread notifications


def test_reading_page_queries_stay_constant_as_appearances_grow(
    analyst_client, analyst, django_assert_max_num_queries
):
    counts = {}
    for count in (3, 300):
        article = article_with_appearances(count, analyst)
        url = reverse("articles:detail", args=[article.pk])
        with django_assert_max_num_queries(READING_PAGE_QUERIES) as queries:
            response = analyst_client.get(url)
        counts[count] = len(queries)
        assert response.status_code == 200
        # each span covers two words and overlaps the next: 2n - 2 runs of text, all marked
        page = response.content.decode()
        assert len(re.findall(r"<mark [^>]*data-offset=", page)) == 2 * count - 2
        assert len(set(re.findall(r'data-suggestion="(\d+)"', page))) == len(range(1, count, 10))
    assert counts[3] == counts[300]


def test_claim_page_queries_do_not_grow_with_appearances_and_evidence(
    analyst_client, analyst, django_assert_max_num_queries
):
    article = article_with_appearances(1, analyst)
    claim = Claim.objects.get()
    for i in range(20):
        other = factories.ArticleFactory(text=QUOTE)
        services.appearance_create(
            claim=claim,
            article=other,
            start=0,
            end=len(QUOTE),
            quote=QUOTE,
            by=analyst,
            claimant_name="Moshes",
        )
        evidence_add(claim=claim, by=analyst, stance="supports", url=f"https://e.org/{i}")
    # 11: one is the "Checked by …" lookup's freshness check of the fact-check index.
    with django_assert_max_num_queries(11):
        response = analyst_client.get(reverse("claims:detail", args=[claim.pk]))
    assert response.status_code == 200
    # The budget holds for a page that shows them all: every appearance and evidence link.
    page = response.content.decode()
    appearances = list(Appearance.objects.filter(claim=claim))
    assert len(appearances) == 21
    assert f"{reverse('articles:detail', args=[article.pk])}#appearance-" in page
    for appearance in appearances:
        assert f"#appearance-{appearance.pk}" in page
    for i in range(20):
        assert f'href="https://e.org/{i}"' in page


def test_claim_list_filters_claims_whose_reports_disagree(client, django_user_model):
    from apps.claims import services
    from apps.claims.models import ClaimDifferences
    from tests.factories import ArticleFactory, user_with_role

    analyst = user_with_role("analyst")
    client.force_login(analyst)
    article = ArticleFactory(text="Kim and Putin will meet in Vladivostok on Tuesday. Other text.")
    quote = "Kim and Putin will meet in Vladivostok on Tuesday."
    agreeing = services.claim_create(
        article=article, start=0, end=len(quote), quote=quote, by=analyst
    )
    disputed = services.claim_create(
        article=article, start=0, end=13, quote="Kim and Putin", by=analyst
    )
    ClaimDifferences.objects.update_or_create(
        claim=disputed,
        defaults={"disagrees": True, "kinds": ["place"], "summary": "", "appearance_count": 2},
    )
    page = client.get("/claims/?disagree=1").content.decode()
    assert f"/claims/{disputed.pk}/" in page and f"/claims/{agreeing.pk}/" not in page
    assert "reports disagree" in page
