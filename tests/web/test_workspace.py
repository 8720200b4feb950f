"""The analyst's workspace through Django's test client: the top bar, the claim side panel,
claimant picking, the attach list, suggestions and metadata on the reading page, line
breaks and right-to-left text, orphaned appearances, escaping."""

import ast
import re
from pathlib import Path

import pytest
from django.urls import reverse

from apps.claims import services
from apps.claims.models import Appearance, Claim, Claimant, Notification, Suggestion
from apps.evidence.services import evidence_add
from tests import factories
from tests.hostile import ATTRIBUTE, IMG, SCRIPT, TEXTAREA, assert_inert

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]
QUOTE = "Russia is running out of munitions used in the war in Ukraine"


def make_claim(article, user, quote=QUOTE, **extra):
    start = article.text.index(quote)
    return services.claim_create(
        article=article, start=start, end=start + len(quote), quote=quote, by=user, **extra
    )


# --- Dependencies -------------------------------------------------------------------------


def test_claims_app_never_imports_evidence():
    """core, accounts, articles, claims, evidence, ...: a lower app imports no higher one."""
    offenders = []
    for path in (REPO / "apps" / "claims").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.startswith("apps.evidence") for n in names):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


# --- The top bar --------------------------------------------------------------------------


def test_analyst_nav_links_to_their_work_lists_and_unread_notifications(analyst_client, analyst):
    Notification.objects.create(user=analyst, kind="assigned", message="one")
    Notification.objects.create(user=analyst, kind="assigned", message="two")
    Notification.objects.create(
        user=analyst, kind="assigned", message="read", read_at="2024-01-01T00:00Z"
    )
    page = analyst_client.get(reverse("articles:list")).content.decode()
    assert f'href="{reverse("desk:mine")}"' in page
    assert f'href="{reverse("desk:unassigned")}"' in page
    assert f'href="{reverse("desk:review_queue")}"' not in page  # editors only
    assert f'href="{reverse("desk:dashboard")}"' not in page
    assert re.search(r'class="count-badge" aria-label="2 unread">2<', page)


def test_editor_nav_has_review_queue_and_dashboard(editor_client):
    page = editor_client.get(reverse("claims:list")).content.decode()
    for name in ("desk:review_queue", "desk:dashboard", "desk:mine", "desk:notifications"):
        assert f'href="{reverse(name)}"' in page
    assert "count-badge" not in page  # nothing unread


def test_claim_page_links_to_its_history_and_edit_pages(analyst_client, analyst, article):
    claim = make_claim(article, analyst)
    page = analyst_client.get(reverse("claims:detail", args=[claim.pk])).content.decode()
    assert f'href="{reverse("desk:history", args=[claim.pk])}"' in page
    assert f'href="{reverse("desk:claim_edit", args=[claim.pk])}"' in page


# --- Reading page: metadata, suggestions, text --------------------------------------------


def test_reading_page_shows_metadata_and_near_duplicates(analyst_client):
    outlet = factories.OutletFactory(name="Yle", country="FI")
    original = factories.ArticleFactory(
        outlet=outlet, title="Original story", authors=["Jani Parkkari"], language="fi"
    )
    copy = factories.ArticleFactory(
        title="Spun copy", duplicate_of=original, duplicate_similarity=0.93
    )
    page = analyst_client.get(reverse("articles:detail", args=[original.pk])).content.decode()
    assert "Yle · FI" in page and "Jani Parkkari" in page and "<dd>fi</dd>" in page
    assert 'id="duplicates"' in page and "Spun copy" in page and "0.93 similar" in page
    page = analyst_client.get(reverse("articles:detail", args=[copy.pk])).content.decode()
    assert 'id="duplicate-of"' in page and "Original story" in page


def test_reading_page_loads_the_suggestions_margin_and_marks_open_suggestions(
    analyst_client, analyst
):
    text = "Intro line here.\n\nThe economy grew by 5 percent in 2023, the minister said."
    article = factories.ArticleFactory(text=text)
    sentence = "The economy grew by 5 percent in 2023, the minister said."
    start = text.index(sentence)
    open_one = Suggestion.objects.create(
        article=article,
        start=start,
        end=start + len(sentence),
        sentence=sentence,
        score=0.91,
        claimant_name="Minister",
    )
    Suggestion.objects.create(
        article=article, start=0, end=16, sentence=text[:16], score=0.5, state="dismissed"
    )
    page = analyst_client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert f'hx-get="{reverse("suggestions:article", args=[article.pk])}"' in page
    marked = re.findall(r'data-suggestion="(\d+)"', page)
    assert marked and set(marked) == {str(open_one.pk)}  # dismissed ones are not marked
    fragment = analyst_client.get(reverse("suggestions:article", args=[article.pk]))
    body = fragment.content.decode()
    assert f'id="suggestion-{open_one.pk}"' in body and "score 0.91" in body and "Minister" in body


def test_a_suggested_quotation_is_shown_with_its_own_quote_marks_only(analyst_client):
    # The card marks the sentence as a quotation by its style; quote marks added around a
    # sentence that opens with its own would read ““It’s … Al Jazeera.”
    sentence = "“It’s a brand new world,” In-bum Chun, a retired general, told Al Jazeera."
    article = factories.ArticleFactory(text=sentence)
    Suggestion.objects.create(
        article=article, start=0, end=len(sentence), sentence=sentence, score=0.8
    )
    body = analyst_client.get(reverse("suggestions:article", args=[article.pk])).content.decode()
    shown = re.search(r'<blockquote class="suggestion-sentence">(.*?)</blockquote>', body, re.S)
    assert (
        shown
        and shown.group(1).strip()
        == "“It’s a brand new world,” In-bum Chun, a retired general, told Al Jazeera."
    )


def test_carriage_returns_reach_the_browser_as_character_references(analyst_client):
    # Text stored with CRLF (not through normalize_text): the HTML parser would turn a raw
    # CR LF into one LF and shift every offset after it, so it is written as &#13;.
    text = "First line\r\nsecond line.\r\n\r\nRussia is running out of munitions used in the war."
    article = factories.ArticleFactory(text=text)
    page = analyst_client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert "First line&#13;\nsecond line." in page
    assert "\r" not in page.split('id="article-body"')[1].split("</div>")[0]


@pytest.mark.parametrize(
    "text",
    [
        "Intro.\r\n\r\nRussia is running out\r\nof munitions, he said.",  # CRLF kept in the text
        "Intro.\n\nRussia is running out\nof munitions, he said.",  # normalised LF text
    ],
)
def test_quote_across_line_breaks_is_checked_whatever_the_browser_sends(analyst_client, text):
    article = factories.ArticleFactory(text=text)
    quote = "Russia is running out" + text.split("Russia is running out")[1].split(",")[0]
    start = text.index(quote)
    browser_form_quote = re.sub(r"\r\n|\r|\n", "\r\n", quote)  # what form encoding sends
    response = analyst_client.post(
        reverse("claims:create"),
        {
            "article": article.pk,
            "start": start,
            "end": start + len(quote),
            "quote": browser_form_quote,
        },
    )
    assert response.status_code == 302
    appearance = Appearance.objects.get()
    assert appearance.quote == quote == text[appearance.start : appearance.end]


def test_only_line_breaks_are_forgiven_in_the_quote(analyst_client):
    text = "Intro.\n\nRussia is running out\nof munitions, he said."
    article = factories.ArticleFactory(text=text)
    quote = "Russia is running out\nof munitions"
    start = text.index(quote)
    response = analyst_client.post(
        reverse("claims:create"),
        {
            "article": article.pk,
            "start": start,
            "end": start + len(quote),
            "quote": "Russia is running out of munitions",  # a space where the text breaks
        },
    )
    assert response.status_code == 400 and not Claim.objects.exists()


def test_right_to_left_text_gets_direction_and_code_point_offsets(analyst_client, analyst):
    claim_text = "الاقتصاد نما بنسبة 5 في المئة"
    text = f"مقدمة 😀 قصيرة.\n\nقال الوزير إن {claim_text} في عام 2023."
    article = factories.ArticleFactory(text=text, language="ar")
    start = text.index(claim_text)
    response = analyst_client.post(
        reverse("claims:create"),
        {
            "article": article.pk,
            "start": start,
            "end": start + len(claim_text),
            "quote": claim_text,
        },
    )
    assert response.status_code == 302
    appearance = Appearance.objects.get()
    assert (appearance.start, appearance.quote) == (start, claim_text)
    page = analyst_client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert page.count('<p dir="auto"') == 2
    assert re.search(rf'<mark [^>]*data-offset="{start}"[^>]*>{claim_text}</mark>', page)


# --- Claimant picking ---------------------------------------------------------------------


def test_claimant_candidates_put_the_likely_speaker_first(analyst_client, analyst):
    text = (
        "Arkady Moshes, Program Director of the Institute, was interviewed.\n\n"
        "– Russia has few allies left, Moshes says.\n\n"
        "Sergei Shoigu said production would double next year."
    )
    article = factories.ArticleFactory(text=text)
    quote = "Russia has few allies left"
    start = text.index(quote)
    response = analyst_client.get(
        reverse("claims:claimant_candidates"),
        {"article": article.pk, "start": start, "end": start + len(quote)},
    )
    candidates = response.context["candidates"]
    assert candidates[0].name == "Arkady Moshes" and candidates[0].likely
    assert "Sergei Shoigu" in [c.name for c in candidates]
    assert 'data-claimant-name="Arkady Moshes" data-likely="true"' in response.content.decode()
    # The create form is offered the statement without who says it.
    quote = "Russia has few allies left, Moshes says."
    start = text.index(quote)
    response = analyst_client.get(
        reverse("claims:claimant_candidates"),
        {"article": article.pk, "start": start, "end": start + len(quote)},
    )
    assert 'data-suggested-statement="Russia has few allies left."' in response.content.decode()


def test_claimant_autocomplete_finds_names_and_aliases_escaped(analyst_client):
    Claimant.objects.create(name="Sergei Shoigu", key="sergei shoigu", aliases=["Shoigun"])
    Claimant.objects.create(name=f"Evil {SCRIPT}", key="evil", aliases=[])
    merged_into = Claimant.objects.create(name="Kim Jong-un", key="kim jong un")
    Claimant.objects.create(name="Kim Jong Un", key="kim jong un 2", merged_into=merged_into)
    by_alias = analyst_client.get(reverse("claims:claimant_autocomplete"), {"q": "shoigun"})
    assert by_alias.context["names"] == [("Sergei Shoigu", "Shoigun")]
    assert (
        '<option value="Sergei Shoigu">also written “Shoigun”</option>' in by_alias.content.decode()
    )
    kims = analyst_client.get(reverse("claims:claimant_autocomplete"), {"claimant_name": "kim"})
    assert [name for name, _ in kims.context["names"]] == ["Kim Jong-un"]  # merged ones hidden
    evil = analyst_client.get(reverse("claims:claimant_autocomplete"), {"q": "evil"})
    assert "&lt;script&gt;" in evil.content.decode()
    assert_inert(evil.content.decode())


def test_a_typed_new_claimant_is_created(analyst_client, article):
    response = analyst_client.post(
        reverse("claims:create"),
        {
            "article": article.pk,
            "start": 0,
            "end": len(QUOTE),
            "quote": QUOTE,
            "claimant_name": "Anna  Virtanen",
        },
    )
    assert response.status_code == 302
    assert Appearance.objects.get().claimant == Claimant.objects.get(name="Anna Virtanen")


# --- Attach list --------------------------------------------------------------------------


def test_attach_list_shows_the_most_similar_claims_first(analyst_client, analyst):
    source = factories.ArticleFactory(
        text=(
            "Russia is running out of munitions used in the war in Ukraine, he said.\n\n"
            "The economy grew by 5 percent in 2023.\n\n"
            "North Korea sells artillery shells to Russia."
        )
    )
    munitions = make_claim(source, analyst)
    make_claim(source, analyst, quote="The economy grew by 5 percent in 2023")
    make_claim(source, analyst, quote="North Korea sells artillery shells to Russia")
    target = factories.ArticleFactory(text="With Russia running out of ammunition, X follows.")
    response = analyst_client.get(
        reverse("claims:search"),
        {"quote": "With Russia running out of ammunition", "article": target.pk},
    )
    choices = response.context["choices"]
    assert choices[0].claim == munitions and choices[0].score is not None
    scores = [c.score for c in choices if c.score is not None]
    assert scores == sorted(scores, reverse=True)
    page = response.content.decode()
    assert "Most similar to the selection" in page and "Likely the same" in page
    here = analyst_client.get(reverse("claims:search"), {"quote": QUOTE, "article": source.pk})
    assert here.context["choices"][0].here  # already tagged in that article


def test_attach_list_compares_the_selection_as_the_claim_it_states(analyst_client, analyst):
    source = factories.ArticleFactory(text="Russia has few allies left in the world today.")
    allies = make_claim(source, analyst, quote="Russia has few allies left in the world today.")
    text = "– Russia has few allies left in the world today, Arkady Moshes says."
    target = factories.ArticleFactory(text=text)
    start = text.index("Russia")
    params = {"quote": text[start:], "article": target.pk}
    # Without the span only the words are known; with it, "…, Arkady Moshes says" is left out.
    by_words = analyst_client.get(reverse("claims:search"), params).context["choices"][0]
    by_span = analyst_client.get(
        reverse("claims:search"), {**params, "start": start, "end": len(text)}
    ).context["choices"][0]
    assert by_words.claim == by_span.claim == allies
    assert by_words.score < by_span.score, (by_words.score, by_span.score)
    # A quote that is not the span's text is compared as sent.
    stale = analyst_client.get(
        reverse("claims:search"), {**params, "start": 0, "end": len(text)}
    ).context["choices"][0]
    assert stale.score == by_words.score


# --- Side panel ---------------------------------------------------------------------------


def test_claim_panel_shows_claim_appearances_in_context_and_evidence(analyst_client, analyst):
    first = factories.ArticleFactory(title="First report")
    claim = make_claim(first, analyst, claimant_name="Arkady Moshes")
    second = factories.ArticleFactory(title="Second report", text=f"Intro. {QUOTE}, he said.")
    services.appearance_create(
        claim=claim, article=second, start=7, end=7 + len(QUOTE), quote=QUOTE, by=analyst
    )
    evidence_add(claim=claim, by=analyst, stance="refutes", url="https://e.org/r", title="Report R")
    evidence_add(claim=claim, by=analyst, stance="supports", note="A supporting note")
    response = analyst_client.get(reverse("claims:panel", args=[claim.pk]), {"article": second.pk})
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert claim.statement in page and "data-panel-status>New<" in page
    appearances = response.context["appearances"]
    assert [a.article_id for a in appearances] == [second.pk, first.pk]  # this article first
    assert "this article" in page and "First report" in page and "Arkady Moshes" in page
    assert '<span class="ctx">, officials said.' in page  # quote in context
    assert f'href="{reverse("articles:detail", args=[first.pk])}#appearance-' in page
    assert "Report R" in page and "A supporting note" in page
    assert page.index('data-stance="supports"') < page.index('data-stance="refutes"')
    assert f'href="{reverse("desk:history", args=[claim.pk])}"' in page


def test_claim_panel_queries_do_not_grow(analyst_client, analyst, django_assert_max_num_queries):
    claim = None
    for i in range(12):
        article = factories.ArticleFactory()
        if claim is None:
            claim = make_claim(article, analyst)
        else:
            services.appearance_create(
                claim=claim, article=article, start=0, end=len(QUOTE), quote=QUOTE, by=analyst
            )
        evidence_add(claim=claim, by=analyst, stance="context", url=f"https://e.org/{i}")
    with django_assert_max_num_queries(7):
        response = analyst_client.get(reverse("claims:panel", args=[claim.pk]))
    assert len(response.context["appearances"]) == 12


def test_missing_claim_panel_is_404(analyst_client):
    assert analyst_client.get(reverse("claims:panel", args=[999999])).status_code == 404


# --- Orphaned appearances -----------------------------------------------------------------


def test_editors_see_orphaned_appearances_analysts_do_not(client, editor, analyst, article):
    claim = make_claim(article, analyst)
    Appearance.objects.filter(claim=claim).update(orphaned=True)
    client.force_login(analyst)
    refused = client.get(reverse("claims:orphaned"))
    assert refused.status_code == 403
    client.force_login(editor)
    page = client.get(reverse("claims:orphaned")).content.decode()
    assert QUOTE in page and f'href="{reverse("claims:detail", args=[claim.pk])}"' in page


# --- Escaping everywhere ------------------------------------------------------------------


def test_hostile_strings_stay_text_on_every_new_surface(analyst_client, analyst):
    text = f"Before {SCRIPT} {TEXTAREA}.\n\n{QUOTE} {IMG}."
    article = factories.ArticleFactory(
        title=f"Title {TEXTAREA}", text=text, authors=[IMG], language="<b>x</b>"
    )
    factories.ArticleFactory(title=f"Copy {SCRIPT}", duplicate_of=article, duplicate_similarity=0.9)
    claim = make_claim(
        article, analyst, statement=f"Statement {TEXTAREA}", claimant_name=f"C {SCRIPT}"
    )
    evidence_add(
        claim=claim,
        by=analyst,
        stance="context",
        url="https://example.org/x",
        title=f"Evidence {TEXTAREA}",
        publisher=f"Pub {IMG}",
        note=f"Note {SCRIPT}",
    )
    sentence = f"{QUOTE} {IMG}."
    Suggestion.objects.create(
        article=article,
        start=text.index(sentence),
        end=text.index(sentence) + len(sentence),
        sentence=sentence,
        score=0.8,
        claimant_name=SCRIPT,
    )
    pages = [
        analyst_client.get(reverse("articles:detail", args=[article.pk])),
        analyst_client.get(reverse("claims:panel", args=[claim.pk])),
        analyst_client.get(reverse("claims:search"), {"quote": QUOTE}),
        analyst_client.get(reverse("claims:claimant_autocomplete"), {"q": "C <"}),
        analyst_client.get(
            reverse("claims:claimant_candidates"), {"article": article.pk, "start": 0, "end": 5}
        ),
        analyst_client.get(reverse("suggestions:article", args=[article.pk])),
        analyst_client.get(reverse("claims:detail", args=[claim.pk])),
        # The create form re-shown after an error, with the statement in a <textarea>.
        analyst_client.post(
            reverse("claims:create"),
            {
                "article": article.pk,
                "start": 0,
                "end": 3,
                "quote": "nope",
                "statement": f"Typed {TEXTAREA}{SCRIPT}",
                "claimant_name": ATTRIBUTE,
            },
        ),
    ]
    for response in pages:
        assert response.status_code in (200, 400)
        assert_inert(response.content.decode())
        assert "<b>x" not in response.content.decode()  # the article's language
    error_page = pages[-1].content.decode()
    assert "Typed &lt;/textarea&gt;&lt;img src=y onerror=alert(2)&gt;&lt;script&gt;" in error_page
    assert 'value="x&quot; onfocus=&quot;alert(1)"' in error_page


@pytest.mark.parametrize("name", ["evidence:add", "claims:attach"])
def test_posts_without_the_csrf_token_are_refused(analyst, article, name):
    from django.test import Client

    claim = make_claim(article, analyst)
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    data = {"stance": "refutes", "kind": "other", "note": "n", "article": article.pk}
    response = client.post(reverse(name, args=[claim.pk]), data)
    assert response.status_code == 403
    assert not claim.evidence.exists() and claim.appearances.count() == 1
