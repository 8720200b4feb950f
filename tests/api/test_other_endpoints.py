"""Articles (push starts an ingest job), jobs, feeds (admins), claimants, outlets, search."""

import pytest

from apps.ingestion.models import Feed, IngestJob
from tests import factories

from .conftest import client_for, make_claim

pytestmark = pytest.mark.django_db

PUSHED_TEXT = (
    "Grain exports doubled\n\n"
    "The minister said that grain exports doubled last year, a claim analysts dispute."
)


def test_pushing_text_starts_an_ingest_job_that_stores_the_article(
    analyst_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = analyst_api.post(
            "/api/articles/",
            {
                "content": PUSHED_TEXT,
                "format": "text",
                "title": "Grain exports",
                "url": "https://farm.example/grain",
                "published_at": "2026-02-01T10:00:00Z",
            },
            format="json",
        )
    assert response.status_code == 202, response.content
    job = response.json()
    assert (job["channel"], job["status"]) == ("push", "queued")
    assert response["Location"].endswith(f"/api/jobs/{job['id']}/")
    status = analyst_api.get(f"/api/jobs/{job['id']}/").json()
    assert status["status"] == "done" and status["is_final"]
    article = analyst_api.get(f"/api/articles/{status['article']}/").json()
    assert article["title"] == "Grain exports"
    assert "grain exports doubled last year" in article["text"]
    assert article["origin"] == "push"


def test_pushing_a_url_queues_a_fetch(analyst_api):
    response = analyst_api.post("/api/articles/", {"url": "https://news.example/a"}, format="json")
    assert response.status_code == 202
    assert IngestJob.objects.get(pk=response.json()["id"]).url == "https://news.example/a"


def test_push_needs_a_url_or_content_and_a_write_token(analyst, analyst_api):
    assert analyst_api.post("/api/articles/", {}, format="json").status_code == 400
    bad = analyst_api.post("/api/articles/", {"url": "ftp://x.example/a"}, format="json")
    assert bad.status_code == 400
    read_only = client_for(analyst, scope="read")
    response = read_only.post("/api/articles/", {"url": "https://news.example/a"}, format="json")
    assert response.status_code == 403


def test_jobs_are_scoped_to_their_submitter_unless_editor(analyst, editor):
    mine = IngestJob.objects.create(channel="url", url="https://a.example/1", created_by=analyst)
    theirs = IngestJob.objects.create(channel="url", url="https://a.example/2", created_by=editor)
    listed = client_for(analyst).get("/api/jobs/").json()["results"]
    assert [j["id"] for j in listed] == [mine.id]
    assert client_for(analyst).get(f"/api/jobs/{theirs.id}/").status_code == 404
    assert len(client_for(editor).get("/api/jobs/").json()["results"]) == 2


def test_feeds_are_for_admins_only(analyst, admin_user):
    feed = Feed.objects.create(url="https://news.example/rss", title="News")
    assert client_for(analyst).get("/api/feeds/").status_code == 403
    listed = client_for(admin_user).get("/api/feeds/").json()["results"]
    assert [f["id"] for f in listed] == [feed.id]


def test_claimants_outlets_and_articles_are_listed(analyst_api, article, analyst):
    make_claim(article, analyst, claimant="Sergei Shoigu")
    claimants = analyst_api.get("/api/claimants/", {"q": "shoigu"}).json()["results"]
    assert [c["name"] for c in claimants] == ["Sergei Shoigu"]
    outlets = analyst_api.get("/api/outlets/", {"q": article.outlet.domain}).json()["results"]
    assert [o["id"] for o in outlets] == [article.outlet_id]
    articles = analyst_api.get("/api/articles/", {"outlet": article.outlet_id}).json()
    assert [a["id"] for a in articles["results"]] == [article.id]
    assert "text" not in articles["results"][0]


def test_search_ranks_similar_claims_with_a_score_tier_and_status(analyst_api):
    close = factories.ClaimFactory(statement="The ferry company cancelled all winter crossings")
    factories.ClaimFactory(statement="The economy grew by five percent")
    response = analyst_api.get(
        "/api/claims/search", {"query": "ferry company cancelled every crossing this winter"}
    )
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert results[0]["claim"]["id"] == close.id
    assert results[0]["claim"]["status"] == "new"
    assert results[0]["tier"] == "likely_same"
    assert results[0]["difference"] is None
    assert 0 < results[0]["score"] <= 1
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    assert analyst_api.get("/api/claims/search/", {"query": " "}).status_code == 400
    assert analyst_api.get("/api/claims/search/", {"query": "x", "limit": 99}).status_code == 400


def test_search_says_why_an_opposite_claim_is_only_related(analyst_api):
    factories.ClaimFactory(statement="The regional parliament approved the new mining law in May")
    results = analyst_api.get(
        "/api/claims/search",
        {"query": "The regional parliament rejected the new mining law in May"},
    ).json()["results"]
    assert results[0]["tier"] == "related"
    assert results[0]["difference"]["kind"] == "antonym"
    assert "approve" in results[0]["difference"]["detail"]


def test_search_takes_the_list_filters(analyst_api):
    draft = factories.ClaimFactory(statement="The ferry company cancelled all winter crossings")
    published = factories.ClaimFactory(
        statement="All winter crossings were cancelled by the ferry company",
        status="published",
        verdict="true",
    )
    query = {"query": "ferry company cancelled winter crossings"}
    both = {
        r["claim"]["id"] for r in analyst_api.get("/api/claims/search", query).json()["results"]
    }
    assert {draft.id, published.id} <= both
    only = analyst_api.get("/api/claims/search", {**query, "status": "published"}).json()
    assert [r["claim"]["id"] for r in only["results"]] == [published.id]
    assert only["results"][0]["claim"]["status"] == "published"
    bad = analyst_api.get("/api/claims/search", {**query, "status": "nonsense"})
    assert bad.status_code == 400
    assert "status" in bad.content.decode()


def test_unknown_ids_are_json_404s(analyst_api):
    for url in ("/api/claims/999999/", "/api/articles/999999/", "/api/claimants/999999/"):
        response = analyst_api.get(url)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
