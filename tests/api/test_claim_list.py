"""Claim list: filters, full-text q, orderings, constant queries per page, ETag/304, CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.claims import services as claims
from apps.claims.models import Claim
from tests import factories

from .conftest import SECOND_QUOTE, make_claim, publish

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return [c["id"] for c in response.json()["results"]]


@pytest.fixture
def corpus(article, other_article, analyst, editor):
    munitions = make_claim(article, analyst, claimant="Sergei Shoigu")
    economy = make_claim(other_article, analyst, quote=SECOND_QUOTE, claimant="Ministry")
    economy = claims.claim_update(
        claim=economy, by=analyst, tags=["economy"], assignee=analyst, version=economy.version
    )
    published = publish(
        make_claim(other_article, analyst, quote=SECOND_QUOTE, statement="Grain exports doubled"),
        analyst,
        editor,
    )
    return {"munitions": munitions, "economy": economy, "published": published}


def test_filters_by_claimant_outlet_article_tag_assignee(analyst, analyst_api, corpus, article):
    munitions, economy = corpus["munitions"], corpus["economy"]
    shoigu = munitions.appearances.get().claimant
    assert ids(analyst_api.get("/api/claims/", {"claimant": shoigu.id})) == [munitions.id]
    assert ids(analyst_api.get("/api/claims/", {"outlet": article.outlet_id})) == [munitions.id]
    assert ids(analyst_api.get("/api/claims/", {"article": article.id})) == [munitions.id]
    assert ids(analyst_api.get("/api/claims/", {"tag": "Economy"})) == [economy.id]
    assert ids(analyst_api.get("/api/claims/", {"assignee": analyst.id})) == [economy.id]


def test_filters_by_status_verdict_and_time(analyst_api, corpus):
    published = corpus["published"]
    assert ids(analyst_api.get("/api/claims/", {"status": "published"})) == [published.id]
    assert ids(analyst_api.get("/api/claims/", {"verdict": ["false", "true"]})) == [published.id]
    hour_ago = (timezone.now() - timedelta(hours=1)).isoformat()
    assert ids(analyst_api.get("/api/claims/", {"published_since": hour_ago})) == [published.id]
    assert len(ids(analyst_api.get("/api/claims/", {"updated_since": hour_ago}))) == 3
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    assert ids(analyst_api.get("/api/claims/", {"updated_since": future})) == []


def test_q_searches_statements_and_quotes_with_web_search_syntax(analyst_api, corpus):
    munitions, economy, published = corpus["munitions"], corpus["economy"], corpus["published"]
    # "grain" is only in a statement; "economy" in one claim's statement and another's quote;
    # stemming: "munition" finds "munitions".
    assert ids(analyst_api.get("/api/claims/", {"q": "grain"})) == [published.id]
    assert set(ids(analyst_api.get("/api/claims/", {"q": "economy"}))) == {
        economy.id,
        published.id,  # its appearance quotes the economy sentence
    }
    assert ids(analyst_api.get("/api/claims/", {"q": "munition"})) == [munitions.id]
    # The statement and each quote are matched one by one: a claim matches when one does.
    assert ids(analyst_api.get("/api/claims/", {"q": '"grain exports" -doubled'})) == []
    assert ids(analyst_api.get("/api/claims/", {"q": '"exports doubled"'})) == [published.id]
    assert ids(analyst_api.get("/api/claims/", {"q": "grain or munitions"})) == [
        published.id,
        munitions.id,
    ]


def test_orderings_and_bad_parameters(analyst_api, corpus):
    all_ids = sorted(c.id for c in corpus.values())
    assert ids(analyst_api.get("/api/claims/", {"ordering": "id"})) == all_ids
    assert ids(analyst_api.get("/api/claims/")) == all_ids[::-1]
    by_update = list(Claim.objects.order_by("-updated_at", "-id").values_list("id", flat=True))
    assert ids(analyst_api.get("/api/claims/", {"ordering": "-updated_at"})) == by_update
    for params in ({"ordering": "statement"}, {"cursor": "garbage"}, {"page_size": 0}):
        response = analyst_api.get("/api/claims/", params)
        assert response.status_code == 400, params
        assert response.json()["error"]["code"] == "invalid"


def test_cursor_from_another_ordering_is_rejected(analyst_api, corpus):
    page = analyst_api.get("/api/claims/", {"page_size": 1, "ordering": "id"}).json()
    cursor = page["next"].split("cursor=")[1].split("&")[0]
    response = analyst_api.get("/api/claims/", {"ordering": "-id", "cursor": cursor})
    assert response.status_code == 400
    assert "ordering" in response.json()["error"]["message"]


def _claims_with_children(article, analyst, count):
    from apps.evidence.services import evidence_add

    made = []
    for n in range(count):
        claim = Claim.objects.create(statement=f"Claim {n}")
        claims.appearance_create(
            claim=claim, article=article, start=0, end=6, quote="Russia", by=analyst,
            claimant_name=f"Person {n}",
        )  # fmt: skip
        evidence_add(claim=claim, by=analyst, stance="context", url=f"https://e.example/{n}")
        made.append(claim)
    return made


def test_queries_per_page_do_not_grow_with_the_page(
    analyst_api, article, analyst, django_assert_max_num_queries
):
    _claims_with_children(article, analyst, 3)
    analyst_api.get("/api/claims/")  # token last-used stamp, once a minute
    with django_assert_max_num_queries(5) as small:
        assert len(ids(analyst_api.get("/api/claims/", {"tag": "", "status": "new"}))) == 3
    _claims_with_children(article, analyst, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(ids(analyst_api.get("/api/claims/", {"tag": "", "status": "new"}))) == 33
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(ids(analyst_api.get("/api/claims/", {"ordering": "updated_at"}))) == 33


def test_list_and_detail_answer_304_to_a_current_etag(analyst, analyst_api, claim):
    page = analyst_api.get("/api/claims/")
    etag = page["ETag"]
    again = analyst_api.get("/api/claims/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    detail = analyst_api.get(f"/api/claims/{claim.id}/")
    assert detail["ETag"].startswith(f'"{claim.version}-')
    assert (
        analyst_api.get(f"/api/claims/{claim.id}/", HTTP_IF_NONE_MATCH=detail["ETag"]).status_code
        == 304
    )
    claims.claim_update(claim=claim, by=analyst, tags=["new"], version=claim.version)
    assert analyst_api.get("/api/claims/", HTTP_IF_NONE_MATCH=etag).status_code == 200
    changed = analyst_api.get(f"/api/claims/{claim.id}/", HTTP_IF_NONE_MATCH=detail["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != detail["ETag"]


def test_adding_evidence_changes_the_detail_etag_without_a_new_version(analyst, analyst_api, claim):
    from apps.evidence.services import evidence_add

    before = analyst_api.get(f"/api/claims/{claim.id}/")["ETag"]
    evidence_add(claim=claim, by=analyst, stance="context", url="https://e.example/x")
    after = analyst_api.get(f"/api/claims/{claim.id}/", HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200
    assert after["ETag"].startswith(f'"{claim.version}-') and after["ETag"] != before


def test_csv_streams_every_filtered_claim(analyst_api, corpus):
    response = analyst_api.get("/api/claims/", {"format": "csv", "ordering": "id"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [int(r["id"]) for r in rows] == sorted(c.id for c in corpus.values())
    published = next(r for r in rows if int(r["id"]) == corpus["published"].id)
    assert (published["verdict"], published["rating"]) == ("false", "1")
    filtered = analyst_api.get("/api/claims/", {"tag": "economy"}, HTTP_ACCEPT="text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(filtered.streaming_content).decode())))
    assert [int(r["id"]) for r in rows] == [corpus["economy"].id]
    assert rows[0]["claimants"] == "Ministry"


def test_csv_errors_are_json(analyst_api):
    response = analyst_api.get("/api/claims/", {"format": "csv", "status": "bogus"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "invalid"


def test_csv_cells_cannot_become_spreadsheet_formulas(analyst_api):
    factories.ClaimFactory(statement='=HYPERLINK("http://evil.example")')
    response = analyst_api.get("/api/claims/", {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["statement"].startswith("'=")


def test_csv_memory_stays_flat_as_rows_grow(analyst_api, settings):
    """Rows leave in chunks from a server-side cursor: peak Python memory for 4,000 rows is
    not much above that for 400."""
    import tracemalloc

    settings.API_CSV_CHUNK_SIZE = 200

    def peak_for(total):
        Claim.objects.bulk_create(
            Claim(statement=f"Statement {n} " + "x" * 300)
            for n in range(total - Claim.objects.count())
        )
        tracemalloc.start()
        response = analyst_api.get("/api/claims/", {"format": "csv"})
        size = sum(len(chunk) for chunk in response.streaming_content)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return size, peak

    small_size, small_peak = peak_for(400)
    big_size, big_peak = peak_for(4000)
    assert big_size > 9 * small_size
    assert big_peak < 3 * small_peak


def test_fast_representations_equal_drf_field_by_field_serialization(analyst, article, rf, corpus):
    """The hot-path serializers build their output by hand; it must be what DRF's own
    field-by-field serialization of the declared fields gives."""
    from rest_framework import serializers as drf

    from apps.api import serializers as api

    request = rf.get("/api/claims/")
    claims = list(
        Claim.objects.prefetch_related(
            "appearances__claimant", "appearances__article", "evidence__source"
        )
    )
    assert claims and len(claims) == len(corpus)
    for claim in claims:
        pairs = [(api.ClaimSerializer(context={"request": request}), claim)]
        for appearance in claim.appearances.all():
            pairs.append((api.AppearanceSerializer(), appearance))
            if appearance.claimant:
                pairs.append((api.ClaimantSerializer(), appearance.claimant))
        pairs += [(api.EvidenceSerializer(), link) for link in claim.evidence.all()]
        for serializer, instance in pairs:
            generic = drf.ModelSerializer.to_representation(serializer, instance)
            assert serializer.to_representation(instance) == generic


def test_list_items_equal_the_claim_detail_representation(analyst, analyst_api, corpus, article):
    """The list builds claims from rows (apps.api.selectors), the detail from instances
    (ClaimSerializer): every list item must be exactly the claim's detail body, including
    the awkward cases: no claimant, aliases and a merge, times with and without
    microseconds, a verdict without a rating, line separators and emoji."""
    from datetime import UTC, datetime

    from apps.claims.models import Appearance, Claimant

    munitions, economy = corpus["munitions"], corpus["economy"]
    Claim.objects.filter(pk=economy.pk).update(
        statement='Line\u2028separator \u2029and emoji 🦆 "quoted" \\ back',
        verdict="unproven",
        submitted_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    shoigu = munitions.appearances.get().claimant
    Claimant.objects.filter(pk=shoigu.pk).update(
        aliases=["Shoigun", "Сергей Шойгу"], role="Minister"
    )
    other = Claimant.objects.create(name="Other", key="other")
    Claimant.objects.filter(pk=shoigu.pk).update(merged_into=other)
    Appearance.objects.filter(claim=economy).update(
        claimant=None, created_at=datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    )
    start = article.text.index("The economy")
    claims.appearance_create(
        claim=munitions, article=article, start=start, end=start + 11, quote="The economy",
        by=analyst,
    )  # fmt: skip

    listed = analyst_api.get("/api/claims/", {"page_size": 2}).json()
    listed = listed["results"] + analyst_api.get(listed["next"]).json()["results"]
    assert {c["id"] for c in listed} == {c.id for c in corpus.values()}
    assert any(a["claimant"] is None for c in listed for a in c["appearances"])
    assert any(c["evidence"] for c in listed)
    for item in listed:
        assert item == analyst_api.get(f"/api/claims/{item['id']}/").json()


def test_list_json_matches_drf_json_renderer_byte_for_byte(analyst, analyst_api, corpus):
    """The list's JSON is written by orjson; it must be what DRF's JSONRenderer writes,
    byte for byte (U+2028/2029 escaped, no spaces, UTF-8)."""
    from rest_framework.renderers import JSONRenderer

    Claim.objects.filter(pk=corpus["economy"].pk).update(statement="a\u2028b\u2029c 🦆 é \x07")
    response = analyst_api.get("/api/claims/")
    assert response.content == JSONRenderer().render(response.json())
    assert b"\\u2028" in response.content
