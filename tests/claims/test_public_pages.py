"""Public fact-check pages: published claims only, no log-in; JSON-LD that parses and that
no field can break out of; conditional GET; index, Atom feed and sitemap."""

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from apps.claims import services
from apps.claims.public import claim_slug
from apps.evidence.services import evidence_add
from tests import factories
from tests.hostile import IN_SCRIPT as HOSTILE

pytestmark = pytest.mark.django_db

QUOTE = "Russia is running out of munitions used in the war in Ukraine"


def make_published(
    analyst,
    editor,
    *,
    statement="",
    claimant="Sergei Shoigu",
    verdict="false",
    rationale="The record says otherwise.",
    article=None,
    evidence=None,
):
    article = article or factories.ArticleFactory(published_at="2026-01-10T08:00:00Z")
    start = article.text.index(QUOTE)
    claim = services.claim_create(
        article=article,
        start=start,
        end=start + len(QUOTE),
        quote=QUOTE,
        statement=statement,
        claimant_name=claimant,
        by=analyst,
    )
    for stance, url, title in evidence or [
        ("refutes", "https://stats.example/report", "Munitions report"),
        ("supports", "https://other.example/a", "Supporting piece"),
    ]:
        evidence_add(claim=claim, by=analyst, stance=stance, url=url, title=title)
    claim = services.claim_propose_verdict(
        claim=claim, verdict=verdict, rationale=rationale, by=analyst
    )
    claim = services.claim_submit_for_review(claim=claim, by=analyst)
    return services.review_approve(claim=claim, by=editor, note="ok")


def page_url(claim):
    return f"/fact-checks/{claim.pk}-{claim_slug(claim)}/"


class Scripts(HTMLParser):
    """Every <script> element, its attributes and its text, as a browser would split them."""

    def __init__(self):
        super().__init__()
        self.scripts: list[dict] = []
        self._open = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open = {"attrs": dict(attrs), "text": ""}
            self.scripts.append(self._open)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data


def scripts_of(html: str) -> list[dict]:
    parser = Scripts()
    parser.feed(html)
    parser.close()
    return parser.scripts


def claimreview_of(response) -> dict:
    scripts = scripts_of(response.content.decode())
    assert len(scripts) == 1, scripts
    assert scripts[0]["attrs"] == {"type": "application/ld+json"}
    return json.loads(scripts[0]["text"])


@pytest.fixture
def published(analyst, editor):
    return make_published(analyst, editor, statement="Russia is running out of munitions")


def test_published_fact_check_page_shows_every_part_without_log_in(client, published, settings):
    response = client.get(page_url(published))
    assert response.status_code == 200
    html = response.content.decode()
    appearance = published.appearances.get()
    for part in (
        "Russia is running out of munitions",  # the claim
        "Sergei Shoigu",  # who
        f'href="{appearance.article.url}"',  # where, linked
        appearance.article.title,
        'Our verdict: <span class="verdict-label">False</span>',
        "Our rating scale",
        "Mostly true (4)",
        "The record says otherwise.",  # rationale
        "Refutes",
        "Supports",
        'href="https://stats.example/report"',
        "Published <time",
        settings.CLAIMTRACK_ORGANIZATION,
    ):
        assert part in html, part
    assert html.index("Refutes") < html.index("Munitions report") < html.index("Supports")
    assert "/accounts/login/" not in html and "Review queue" not in html


@pytest.mark.parametrize("status", ["new", "researching", "in_review"])
def test_unpublished_claims_are_not_public(client, analyst, status):
    article = factories.ArticleFactory()
    start = article.text.index(QUOTE)
    claim = services.claim_create(
        article=article, start=start, end=start + len(QUOTE), quote=QUOTE, by=analyst
    )
    claim = factories.advance_claim(claim, "researching", analyst) if status != "new" else claim
    if status == "researching":
        claim = services.claim_start_research(claim=claim, by=analyst)
    if status == "in_review":
        evidence_add(claim=claim, by=analyst, stance="refutes", url="https://e.example/1")
        claim = factories.advance_claim(claim, "in_review", analyst)
    claim.refresh_from_db()
    assert claim.status == status
    assert client.get(page_url(claim)).status_code == 404
    assert client.get(f"/fact-checks/{claim.pk}/").status_code == 404


def test_withdrawn_fact_check_answers_404(client, published, editor):
    url = page_url(published)
    assert client.get(url).status_code == 200
    services.claim_reopen(claim=published, by=editor, note="Withdrawn pending new data.")
    assert client.get(url).status_code == 404
    assert client.get("/fact-checks/").content.decode().count(url) == 0


def test_a_wrong_or_missing_slug_redirects_permanently(client, published):
    right = page_url(published)
    for wrong in (f"/fact-checks/{published.pk}-old-title/", f"/fact-checks/{published.pk}/"):
        response = client.get(wrong)
        assert response.status_code == 301
        assert response["Location"] == right
    # A cached validator for the right page never turns a wrong address into a 304.
    etag = client.get(right)["ETag"]
    response = client.get(f"/fact-checks/{published.pk}-old/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 301


def test_jsonld_parses_and_carries_the_claimreview_fields(client, published, settings):
    settings.CLAIMTRACK_LOGO_URL = "https://newsroom.example/logo.png"
    response = client.get(page_url(published))
    review = claimreview_of(response)
    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == published.statement
    assert review["url"] == f"http://testserver{page_url(published)}"
    assert review["datePublished"] == published.published_at.date().isoformat()
    assert review["author"]["@type"] == "Organization"
    assert review["author"]["name"] == settings.CLAIMTRACK_ORGANIZATION
    assert review["author"]["logo"]["url"] == "https://newsroom.example/logo.png"
    rating = review["reviewRating"]
    assert rating == {
        "@type": "Rating",
        "alternateName": "False",
        "name": "False",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
    }
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["author"] == {"@type": "Person", "name": "Sergei Shoigu"}
    article = published.appearances.get().article
    assert item["appearance"][0]["url"] == article.url
    assert item["appearance"][0]["publisher"]["@type"] == "Organization"


def test_the_rating_scale_is_a_setting_shown_on_the_page_and_in_the_jsonld(
    client, published, settings
):
    settings.CLAIMTRACK_RATING_SCALE = {"true": 10, "false": 0, "mixed": 5}
    response = client.get(page_url(published))
    rating = claimreview_of(response)["reviewRating"]
    assert (rating["ratingValue"], rating["bestRating"], rating["worstRating"]) == (0, 10, 0)
    assert "True (10)" in response.content.decode()
    assert "Misleading (no rating)" in response.content.decode()


def test_hostile_text_in_every_field_stays_inside_the_jsonld_script(
    client, analyst, editor, settings
):
    settings.CLAIMTRACK_ORGANIZATION = f"Org {HOSTILE}"
    outlet = factories.OutletFactory(name=f"Outlet {HOSTILE}")
    article = factories.ArticleFactory(
        title=f"Title {HOSTILE}",
        url=f"https://news.example/x?{HOSTILE}",
        outlet=outlet,
        published_at="2026-01-10T08:00:00Z",
    )
    claim = make_published(
        analyst,
        editor,
        article=article,
        statement=f"Statement {HOSTILE}",
        claimant=f"Claimant {HOSTILE}",
        rationale=f"Rationale {HOSTILE}",
        evidence=[("refutes", f"https://e.example/?{HOSTILE}", f"Evidence {HOSTILE}")],
    )
    claimant = claim.appearances.get().claimant
    claimant.role = f"Role {HOSTILE}"
    claimant.affiliation = f"Party {HOSTILE}"
    claimant.save()

    response = client.get(page_url(claim))
    html = response.content.decode()
    # The only script element is the JSON-LD; its text is the whole JSON, and parses back to
    # the hostile strings exactly.
    review = claimreview_of(response)
    assert review["claimReviewed"] == f"Statement {HOSTILE}"
    assert review["author"]["name"] == f"Org {HOSTILE}"
    item = review["itemReviewed"]
    assert item["author"]["name"] == f"Claimant {HOSTILE}"
    assert item["author"]["jobTitle"] == f"Role {HOSTILE}"
    assert item["author"]["affiliation"]["name"] == f"Party {HOSTILE}"
    assert item["appearance"][0]["headline"] == f"Title {HOSTILE}"
    assert item["appearance"][0]["publisher"]["name"] == f"Outlet {HOSTILE}"
    assert item["appearance"][0]["url"] == article.url
    raw = scripts_of(html)[0]["text"]
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert "\\u003C/script\\u003E" in raw and "\\u003C!--" in raw
    # Outside the script, every field is escaped text.
    assert "<script>alert(1)" not in html and "<!--" not in html
    assert html.count("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!--") >= 6


def test_conditional_get_answers_304_until_the_claim_changes(client, published, editor):
    url = page_url(published)
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag and modified
    assert "public" in first["Cache-Control"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304

    claim = services.claim_reopen(claim=published, by=editor, note="new data")
    claim = services.claim_propose_verdict(
        claim=claim, verdict="misleading", rationale="Newer data.", by=editor
    )
    claim = services.claim_submit_for_review(claim=claim, by=editor)
    services.review_approve(claim=claim, by=editor)
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_a_changed_published_verdict_shows_a_correction_note(client, published, editor):
    assert "Correction" not in client.get(page_url(published)).content.decode()
    claim = services.claim_reopen(claim=published, by=editor, note="new data")
    claim = services.claim_propose_verdict(
        claim=claim, verdict="misleading", rationale="Newer data.", by=editor
    )
    claim = services.claim_submit_for_review(claim=claim, by=editor)
    services.review_approve(claim=claim, by=editor)
    html = client.get(page_url(published)).content.decode()
    assert "Correction," in html
    assert "changed from <em>False</em> to <em>Misleading</em>" in html


def test_index_lists_published_newest_first_paginated_and_searchable(
    client, analyst, editor, settings
):
    settings.CLAIMTRACK_PUBLIC_PAGE_SIZE = 2
    claims = [
        make_published(analyst, editor, statement=f"Statement {word} number {i}")
        for i, word in enumerate(["alpha", "beta", "gamma"])
    ]
    draft_article = factories.ArticleFactory()
    start = draft_article.text.index(QUOTE)
    draft = services.claim_create(
        article=draft_article,
        start=start,
        end=start + len(QUOTE),
        quote=QUOTE,
        statement="Statement alpha draft",
        by=analyst,
    )
    first = client.get("/fact-checks/").content.decode()
    assert page_url(claims[2]) in first and page_url(claims[1]) in first
    assert page_url(claims[0]) not in first
    assert first.index(page_url(claims[2])) < first.index(page_url(claims[1]))
    # Newer / older links, no total ("Page 1 of 2" would need a count of every claim).
    assert 'rel="next" href="?page=2"' in first and 'rel="prev"' not in first
    assert "Page 1</span>" in first and " of " not in first
    second = client.get("/fact-checks/?page=2").content.decode()
    assert page_url(claims[0]) in second and page_url(claims[2]) not in second
    # The last page: page size + 1 rows were asked for and only one came, so no "Older".
    assert 'rel="prev" href="?page=1"' in second and 'rel="next"' not in second
    # Exactly a page size of claims (2 of 4 after one more): still no "Older" past them.
    fourth = make_published(analyst, editor, statement="Statement delta number 3")
    assert page_url(fourth) in client.get("/fact-checks/").content.decode()
    second = client.get("/fact-checks/?page=2").content.decode()
    assert page_url(claims[0]) in second and 'rel="next"' not in second
    # Past the end: an empty page that links back to the newest, not an error.
    past = client.get("/fact-checks/?page=9")
    assert past.status_code == 200
    assert "No older fact-checks" in past.content.decode()
    assert 'href="?page=1"' in past.content.decode()
    # Not a number, zero, negative: the first page.
    for bad in ("abc", "0", "-3", ""):
        assert page_url(fourth) in client.get(f"/fact-checks/?page={bad}").content.decode()
    # The search keeps its words in the links.
    found = client.get("/fact-checks/", {"q": "statement"}).content.decode()
    assert 'rel="next" href="?q=statement&amp;page=2"' in found

    found = client.get("/fact-checks/", {"q": "alpha"}).content.decode()
    assert page_url(claims[0]) in found
    assert page_url(claims[1]) not in found and f"/fact-checks/{draft.pk}-" not in found
    assert "No fact-check matches" in client.get("/fact-checks/?q=zzz").content.decode()


def test_atom_feed_lists_published_claims_only(client, published, analyst):
    article = factories.ArticleFactory()
    start = article.text.index(QUOTE)
    draft = services.claim_create(
        article=article,
        start=start,
        end=start + len(QUOTE),
        quote=QUOTE,
        statement="A draft nobody may see",
        by=analyst,
    )
    response = client.get("/fact-checks/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(response.content).findall("a:entry", ns)
    links = [e.find("a:link", ns).get("href") for e in entries]
    assert links == [f"http://testserver{page_url(published)}"]
    assert entries[0].find("a:title", ns).text == f"False: {published.statement}"
    assert draft.statement not in response.content.decode()


SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_locations(client) -> list[str]:
    """Every address in the sitemap, following the index to each section's pages."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    sections = [
        loc.text for loc in ET.fromstring(index.content).findall("s:sitemap/s:loc", SITEMAP_NS)
    ]
    locations = []
    assert sections, "the sitemap index lists no section"
    for section in sections:
        response = client.get(section.removeprefix("http://testserver"))
        assert response.status_code == 200
        root = ET.fromstring(response.content)
        locations += [loc.text for loc in root.findall("s:url/s:loc", SITEMAP_NS)]
    return locations


def test_sitemap_lists_published_claims_only(client, published, analyst):
    article = factories.ArticleFactory()
    start = article.text.index(QUOTE)
    draft = services.claim_create(
        article=article, start=start, end=start + len(QUOTE), quote=QUOTE, by=analyst
    )
    locations = sitemap_locations(client)
    assert f"http://testserver{page_url(published)}" in locations
    assert "http://testserver/fact-checks/" in locations
    assert not any(f"/fact-checks/{draft.pk}-" in loc for loc in locations)
    assert len(locations) == 2


def test_sitemap_is_an_index_of_pages_that_together_list_every_fact_check(
    client, analyst, editor, monkeypatch
):
    from apps.claims.public_feeds import FactCheckSitemap

    monkeypatch.setattr(FactCheckSitemap, "limit", 2)
    claims = [
        make_published(analyst, editor, statement=f"Statement {word}")
        for word in ("one", "two", "three")
    ]
    index = ET.fromstring(client.get("/sitemap.xml").content)
    entries = index.findall("s:sitemap", SITEMAP_NS)
    addresses = [e.find("s:loc", SITEMAP_NS).text for e in entries]
    assert addresses == [
        "http://testserver/sitemap-index.xml",
        "http://testserver/sitemap-fact-checks.xml",
        "http://testserver/sitemap-fact-checks.xml?p=2",
    ]
    # The fact-check pages carry the latest change of any published claim.
    lastmod = entries[1].find("s:lastmod", SITEMAP_NS).text
    assert lastmod.startswith(str(max(c.updated_at for c in claims).date()))
    locations = sitemap_locations(client)
    assert sorted(locations) == sorted(
        ["http://testserver/fact-checks/", *(f"http://testserver{page_url(c)}" for c in claims)]
    )
    # By id: the first page keeps its addresses when another claim is published.
    first = client.get("/sitemap-fact-checks.xml").content.decode()
    assert page_url(claims[0]) in first and page_url(claims[1]) in first


def test_index_search_finds_word_starts_stems_and_the_rationale(client, analyst, editor):
    munitions = make_published(
        analyst, editor, statement="Russia is running out of munitions", rationale="Stocks."
    )
    budget = make_published(
        analyst, editor, statement="The budget doubled", rationale="Treasury figures say no."
    )

    def found(q):
        page = client.get("/fact-checks/", {"q": q}).content.decode()
        return {c.pk for c in (munitions, budget) if page_url(c) in page}

    assert found("munition") == {munitions.pk}  # a stem
    assert found("muni") == {munitions.pk}  # the start of a word
    assert found("RUSSIA Munitions") == {munitions.pk}  # every word, any case
    assert found("treasury") == {budget.pk}  # the rationale
    assert found("russia treasury") == set()  # every word must appear
    # tsquery syntax is only text: no error, and punctuation alone lists everything.
    assert found("russia & | ! :* ( '") == {munitions.pk}
    assert found("&|!") == {munitions.pk, budget.pk}
    assert client.get("/fact-checks/", {"q": "'):*\\"}).status_code == 200


def test_index_search_uses_the_public_full_text_index():
    """The search reads the stored tsvector (migration 0015) through its partial GIN index,
    and orders so that the planner asks that index: walking the newest claims instead took
    7 s for a word no claim has (on a few rows the planner rightly prefers other plans;
    bench/public_pages.py shows the index in use at 100,000)."""
    from django.db import connection

    from apps.claims.public import published_claims

    sql, params = published_claims(q="munitions russia").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_indexdef('claim_public_search_vector'::regclass)")
        definition = cursor.fetchone()[0]
        cursor.execute(
            "SELECT generation_expression FROM information_schema.columns "
            "WHERE table_name = 'claims_claim' AND column_name = 'search_vector'"
        )
        generated = cursor.fetchone()[0]
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "USING gin (search_vector)" in definition
    assert definition.endswith("WHERE ((status)::text = 'published'::text)")
    assert generated == "to_tsvector('english'::regconfig, ((statement || ' '::text) || rationale))"
    assert "(search_vector @@ '''munit'':* & ''russia'':*'::tsquery)" in plan
    assert "(published_at + '00:00:00'::interval)) DESC" in plan


def test_page_queries_do_not_grow_with_appearances_and_evidence(
    client, analyst, editor, django_assert_max_num_queries
):
    claim = make_published(
        analyst,
        editor,
        evidence=[("refutes", f"https://stats.example/{i}", f"Report {i}") for i in range(6)],
    )
    from apps.claims.models import Appearance, Claimant

    for i in range(4):
        article = factories.ArticleFactory(published_at="2026-01-11T08:00:00Z")
        start = article.text.index(QUOTE)
        Appearance.objects.create(
            claim=claim,
            article=article,
            start=start,
            end=start + len(QUOTE),
            quote=QUOTE,
            claimant=Claimant.objects.create(name=f"Someone {i}", key=f"someone {i}"),
        )
    with django_assert_max_num_queries(6):
        response = client.get(page_url(claim))
    assert response.status_code == 200
    assert response.content.decode().count("Someone ") >= 4
    # The index: the validators' one aggregate and the page's rows; no count. (A search
    # with fewer matches than a page among the newest claims asks twice: published_page.)
    for url in ("/fact-checks/", "/fact-checks/?q=russia", "/fact-checks/?page=3"):
        with django_assert_max_num_queries(3 if "q=" in url else 2) as captured:
            assert client.get(url).status_code == 200
        assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)
    with django_assert_max_num_queries(2):
        assert client.get("/fact-checks/feed/").status_code == 200


def test_index_reads_one_row_past_the_page_and_no_count(
    client, analyst, editor, settings, django_assert_max_num_queries
):
    settings.CLAIMTRACK_PUBLIC_PAGE_SIZE = 2
    for i in range(3):
        make_published(analyst, editor, statement=f"Statement {i}")
    with django_assert_max_num_queries(2) as captured:
        client.get("/fact-checks/?page=2")
    listing = [q["sql"] for q in captured.captured_queries if "LIMIT" in q["sql"]]
    assert len(listing) == 1
    assert listing[0].endswith("LIMIT 3 OFFSET 2")


def test_sitemap_section_queries_do_not_grow_with_addresses(
    client, analyst, editor, django_assert_max_num_queries
):
    claims = [make_published(analyst, editor, statement=f"Statement {i}") for i in range(4)]
    with django_assert_max_num_queries(3):
        response = client.get("/sitemap-fact-checks.xml")
    root = ET.fromstring(response.content)
    assert sorted(loc.text for loc in root.findall("s:url/s:loc", SITEMAP_NS)) == sorted(
        f"http://testserver{page_url(c)}" for c in claims
    )


def test_the_path_builder_gives_what_reverse_gives(published, analyst, editor):
    from apps.claims.public import public_path, public_paths

    other = make_published(analyst, editor, statement="Ünïcode — “quotes” & 50% <b>")
    path = public_paths()
    for claim in (published, other):
        assert path(claim) == public_path(claim)


@pytest.mark.parametrize("url", ["/fact-checks/", "/fact-checks/feed/", "/sitemap.xml"])
def test_lists_answer_304_until_a_published_claim_changes(
    client, published, analyst, editor, url, django_assert_max_num_queries
):
    first = client.get(url)
    assert first.status_code == 200
    etag, modified = first["ETag"], first["Last-Modified"]
    with django_assert_max_num_queries(1):
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304

    newer = make_published(analyst, editor, statement="A newer fact-check")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert f"{newer.pk}-" in changed.content.decode() or url == "/sitemap.xml"

    # Withdrawing the latest published claim is a change too, though it leaves the list.
    etag = changed["ETag"]
    services.claim_reopen(claim=newer, by=editor, note="Withdrawn.")
    after = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after["ETag"] != etag


def test_list_last_modified_never_goes_back_when_the_latest_is_withdrawn(
    published, analyst, editor
):
    """If-Modified-Since alone must not answer 304 for a list the withdrawn claim left."""
    from apps.claims.public import listing_last_modified

    newer = make_published(analyst, editor, statement="A newer fact-check")
    before = listing_last_modified()
    services.claim_reopen(claim=newer, by=editor, note="Withdrawn.")
    assert listing_last_modified() > before


def test_sitemap_section_answers_304(client, published):
    first = client.get("/sitemap-fact-checks.xml")
    assert first.status_code == 200
    assert (
        client.get("/sitemap-fact-checks.xml", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    )


def test_the_search_window_gives_the_rows_a_search_of_everything_gives(
    monkeypatch, django_assert_max_num_queries
):
    from datetime import UTC, datetime, timedelta

    from apps.claims import public
    from apps.claims.models import Claim

    monkeypatch.setattr(public, "SEARCH_WINDOW", 8)
    monkeypatch.setattr(public, "SEARCH_WINDOW_MAX", 30)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(40):
        words = ["harbour"]  # every claim
        if i % 2 == 0:
            words.append("budget")  # half of them
        if i < 5:
            words.append("lighthouse")  # only old ones
        rows.append(
            Claim(
                statement=f"The {' '.join(words)} claim {i}",
                rationale="Figures.",
                status="published",
                verdict="false",
                published_at=base + timedelta(hours=i // 2),  # two claims an hour: ties
            )
        )
    rows.append(  # published without a time: sorts first, so it is in the window
        Claim(statement="harbour budget", rationale="-", status="published", verdict="false")
    )
    rows.append(Claim(statement="harbour budget new", rationale="-", status="new"))
    Claim.objects.bulk_create(rows)

    for q in ("harbour", "budget", "lighthouse", "harbour lighthouse", "nothing", ""):
        for start, stop in ((0, 3), (0, 6), (2, 5), (0, 7), (3, 8), (3, 9), (0, 50)):
            expected = list(public.published_claims(q=q)[start:stop])
            got = public.published_page(q=q, start=start, stop=stop)
            assert got == expected, (q, start, stop)

    # A word in many recent claims: one walk of the newest claims.
    with django_assert_max_num_queries(1) as captured:
        assert len(public.published_page(q="harbour", start=0, stop=3)) == 3
    assert "LIMIT 8" in captured.captured_queries[0]["sql"]
    # Sparser: the walk goes on as far as the rate found says (4 in 8: 2 * (8 * 7 // 4)).
    with django_assert_max_num_queries(2) as captured:
        assert len(public.published_page(q="budget", start=0, stop=7)) == 7
    assert "LIMIT 28" in captured.captured_queries[1]["sql"]
    # A word only old claims have: none in the walk, so the full-text index.
    with django_assert_max_num_queries(2) as captured:
        assert len(public.published_page(q="lighthouse", start=0, stop=3)) == 3
    assert 'ORDER BY ("claims_claim"."published_at" + ' in captured.captured_queries[1]["sql"]
    # A page past the window: the full-text index at once.
    with django_assert_max_num_queries(1):
        public.published_page(q="harbour", start=6, stop=9)
