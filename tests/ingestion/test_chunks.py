"""Jobs run in chunks (one task for several jobs of a feed poll, a batch or the sweeper):
each job is still claimed, run and recorded on its own."""

import importlib
import random

import pytest
from django.apps import apps as django_apps
from django.db import connection

from apps.articles.models import Article
from apps.ingestion import dedupe, services, tasks
from apps.ingestion.models import ArticleSignature, Feed, IngestJob
from tests.core.httpserver import Reply
from tests.ingestion.helpers import HTML_TYPE, article_page, rss, story

pytestmark = pytest.mark.django_db


def page(n: int) -> Reply:
    return Reply(200, HTML_TYPE, article_page(f"Headline {n}", story(n)).encode())


VOCABULARY = (
    "minister council budget harbour river school hospital court election party vote "
    "plan water energy price market bank rate company union strike talks border army "
    "village bridge road airport storm flood harvest farmers export trade tax debt study "
    "climate survey analysts shares oil grid mayor governor senate reform protest crowd"
).split()


def unrelated_page(n: int) -> Reply:
    """A story sharing almost no word 3-shingles with any other (not a near-duplicate)."""
    rnd = random.Random(n)
    paragraphs = [
        " ".join(rnd.choice(VOCABULARY) for _ in range(40)).capitalize() + "." for _ in range(5)
    ]
    body = article_page(f"Unrelated {n}", "\n\n".join(paragraphs)).encode()
    return Reply(200, HTML_TYPE, body)


def url_job(url: str, **fields) -> IngestJob:
    return IngestJob.objects.create(
        channel="url", url=url, url_hash=services.hash_of(url), **fields
    )


def fetched(server, path: str) -> int:
    return len([r for r in server.requests if r.path == path])


def test_chunks_are_even_and_keep_every_id_once():
    ids = list(range(100))
    parts = services.chunks(ids, 16)
    assert len(parts) == 7
    assert {len(part) for part in parts} == {14, 15}
    assert sorted(i for part in parts for i in part) == ids
    assert services.chunks([5], 16) == [[5]]
    assert services.chunks([], 16) == []


def test_a_feed_poll_sends_one_task_per_chunk_and_a_single_url_one_task(
    allowed, on_commit, monkeypatch, settings
):
    settings.INGEST_CHUNK_SIZE = 16
    server = allowed
    links = [(f"Story {n}", server.url(f"/a/{n}")) for n in range(40)]
    server.route("/rss.xml", Reply(200, {"Content-Type": "application/rss+xml"}, rss(links)))
    chunk_tasks, single_tasks = [], []
    monkeypatch.setattr(tasks.ingest_chunk, "delay", lambda ids: chunk_tasks.append(ids))
    monkeypatch.setattr(tasks.ingest, "delay", lambda job_id: single_tasks.append(job_id))
    feed = Feed.objects.create(url=server.url("/rss.xml"))

    services.feeds_lease(feed_ids=[feed.pk], due_only=False)
    lease = Feed.objects.get(pk=feed.pk).next_poll_at.isoformat()
    on_commit(services.feed_poll_run, feed.pk, lease)

    jobs = set(IngestJob.objects.values_list("id", flat=True))
    assert len(jobs) == 40
    assert [len(ids) for ids in chunk_tasks] == [14, 13, 13]
    assert {i for ids in chunk_tasks for i in ids} == jobs
    assert single_tasks == []

    job = on_commit(services.job_submit_url, url=server.url("/single"))
    assert single_tasks == [job.pk] and len(chunk_tasks) == 3


def test_each_job_of_a_chunk_gets_its_own_outcome_and_a_failure_spares_the_others(allowed):
    server = allowed
    good = [url_job(server.route(f"/a/{n}", page(n))) for n in range(3)]
    missing = url_job(server.route("/gone", Reply(404, {}, b"")))
    empty = url_job(server.route("/empty", Reply(200, HTML_TYPE, b"")))
    pdf = url_job(server.route("/doc.pdf", Reply(200, {"Content-Type": "application/pdf"}, b"%")))
    jobs = [good[0], missing, good[1], empty, pdf, good[2]]

    assert services.jobs_run([j.pk for j in jobs], task_id="chunk-1") == []

    for job in jobs:
        job.refresh_from_db()
    assert [j.status for j in good] == ["done"] * 3
    assert len({j.article_id for j in good}) == 3
    for job in good:
        assert set(job.timings) >= {"fetch", "extract", "store", "dedupe"}
        assert job.timings["chunk"] == 6 and job.attempts == 1 and job.finished_at
    assert missing.status == "failed" and "404" in missing.failure_reason
    assert empty.status == "failed" and "empty" in empty.failure_reason
    assert pdf.status == "failed" and pdf.failure_reason
    assert Article.objects.count() == 3 and ArticleSignature.objects.count() == 3


def test_a_transient_failure_in_a_chunk_retries_that_job_alone(allowed):
    server = allowed
    answers = iter([Reply(503, {}, b"")])
    flaky = url_job(server.route("/flaky", lambda r: next(answers, page(4))))
    others = [url_job(server.route(f"/a/{n}", page(n))) for n in range(2)]

    # Eager in the tests: the retry (an `ingest` task of its own) runs at once.
    tasks.ingest_chunk.apply(args=([others[0].pk, flaky.pk, others[1].pk],))

    for job in (flaky, *others):
        job.refresh_from_db()
    assert flaky.status == "done" and flaky.attempts == 2
    assert [(j.status, j.attempts) for j in others] == [("done", 1), ("done", 1)]
    assert fetched(server, "/flaky") == 2
    assert fetched(server, "/a/0") == 1 and fetched(server, "/a/1") == 1


def test_a_transient_failure_is_queued_again_with_its_reason(allowed):
    server = allowed
    flaky = url_job(server.route("/flaky", Reply(503, {}, b"")))
    fine = url_job(server.route("/a/1", page(1)))

    retries = services.jobs_run([flaky.pk, fine.pk], task_id="chunk-1")

    assert [(job_id, attempts) for job_id, _, attempts in retries] == [(flaky.pk, 1)]
    flaky.refresh_from_db()
    assert flaky.status == "queued" and "will try again" in flaky.failure_reason
    assert flaky.finished_at is None
    fine.refresh_from_db()
    assert fine.status == "done"


def test_a_redelivered_chunk_skips_final_jobs_and_hands_over_only_its_own(allowed, on_commit):
    """A job the chunk's own message held (its worker died) runs in a task of its own,
    with the lost run counted; a job another message holds is left alone."""
    server = allowed
    done = url_job(server.route("/a/0", page(0)), status="done", attempts=1)
    mine = url_job(server.route("/a/1", page(1)))
    queued = url_job(server.route("/a/2", page(2)))
    held = url_job(server.route("/a/3", page(3)))
    IngestJob.objects.filter(pk=mine.pk).update(status="fetching", task_id="chunk-1", attempts=1)
    IngestJob.objects.filter(pk=held.pk).update(status="fetching", task_id="other", attempts=1)

    on_commit(services.jobs_run, [done.pk, mine.pk, queued.pk, held.pk], task_id="chunk-1")

    statuses = dict(IngestJob.objects.values_list("id", "status"))
    assert statuses == {done.pk: "done", mine.pk: "done", queued.pk: "done", held.pk: "fetching"}
    mine.refresh_from_db()
    assert mine.attempts == 2 and mine.lost_runs == 1 and mine.task_id != "chunk-1"
    assert [fetched(server, f"/a/{n}") for n in range(4)] == [0, 1, 1, 0]

    on_commit(services.jobs_run, [done.pk, mine.pk, queued.pk, held.pk], task_id="chunk-1")
    assert [fetched(server, f"/a/{n}") for n in range(4)] == [0, 1, 1, 0]
    assert Article.objects.count() == 2


def test_a_chunk_finishes_jobs_whose_article_was_stored_without_fetching(allowed, on_commit):
    server = allowed
    url = server.route("/a/1", page(1))
    article = Article.objects.create(
        title="Stored", text=story(1), url_hash=services.hash_of(url), content_hash="c" * 64
    )
    resumed = url_job(url, status="extracting", task_id="chunk-1", article=article, attempts=1)
    fresh = url_job(server.route("/a/2", page(2)))

    on_commit(services.jobs_run, [resumed.pk, fresh.pk], task_id="chunk-1")

    resumed.refresh_from_db()
    assert resumed.status == "done" and resumed.article_id == article.pk
    assert fetched(server, "/a/1") == 0
    assert ArticleSignature.objects.filter(article=article).exists()
    assert IngestJob.objects.get(pk=fresh.pk).status == "done"


def test_the_same_story_twice_in_one_chunk_makes_one_article(allowed):
    server = allowed
    body = article_page("Twice", story(2)).encode()
    first = url_job(server.route("/one", Reply(200, HTML_TYPE, body)))
    second = url_job(server.route("/two", Reply(200, HTML_TYPE, body)))
    canonical = server.url("/story")
    tagged = article_page("Tagged", story(3), canonical=canonical).encode()
    retold = article_page("Retold", story(4), canonical=canonical).encode()  # same address
    third = url_job(server.route("/three", Reply(200, HTML_TYPE, tagged)))
    fourth = url_job(server.route("/four", Reply(200, HTML_TYPE, retold)))

    services.jobs_run([first.pk, second.pk, third.pk, fourth.pk], task_id="chunk-1")

    jobs = {j.pk: j for j in IngestJob.objects.all()}
    assert jobs[first.pk].status == "done" and jobs[second.pk].status == "duplicate"
    assert jobs[second.pk].article_id == jobs[first.pk].article_id
    assert jobs[third.pk].status == "done" and jobs[fourth.pk].status == "duplicate"
    assert jobs[fourth.pk].article_id == jobs[third.pk].article_id
    assert Article.objects.count() == 2


def test_statements_per_job_fall_as_the_chunk_grows(allowed, django_assert_max_num_queries):
    server = allowed
    small = [url_job(server.route(f"/s/{n}", unrelated_page(n))) for n in range(2)]
    large = [url_job(server.route(f"/l/{n}", unrelated_page(n + 2))) for n in range(8)]
    with django_assert_max_num_queries(20) as small_run:
        services.jobs_run([j.pk for j in small], task_id="small")
    with django_assert_max_num_queries(24) as large_run:
        services.jobs_run([j.pk for j in large], task_id="large")
    assert IngestJob.objects.filter(status="done").count() == 10
    assert not Article.objects.filter(duplicate_of__isnull=False).exists()
    # Before chunks a job took about 20 statements; a chunk's cost hardly grows with it.
    assert len(large_run.captured_queries) / 8 < 3
    assert len(large_run.captured_queries) / 8 < len(small_run.captured_queries) / 2 / 2


@pytest.mark.django_db(transaction=True)
def test_a_chunk_stored_in_the_store_thread_commits_and_leaves_no_connection_open(allowed):
    server = allowed
    jobs = [url_job(server.route(f"/a/{n}", page(n))) for n in range(6)]
    jobs.append(url_job(server.route("/dup", page(0))))  # the same text as /a/0

    services.jobs_run([j.pk for j in jobs], task_id="chunk-1")  # not in a worker

    statuses = list(IngestJob.objects.order_by("id").values_list("status", flat=True))
    assert statuses == ["done"] * 6 + ["duplicate"]
    assert ArticleSignature.objects.count() == 6
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        assert cursor.fetchone()[0] == 1  # only this thread's connection


def test_shingle_hashes_count_the_distinct_shingles_and_estimate_similarity():
    from tests.ingestion.helpers import seed_texts
    from tests.ingestion.test_near_duplicates import spin

    text = seed_texts()[1]
    assert len(dedupe.shingle_hashes(text)) == len(dedupe.shingles(text))
    assert len(dedupe.shingle_hashes("a b")) == 1 and len(dedupe.shingle_hashes("")) == 0
    assert not set(dedupe.shingle_hashes("one two three")) & set(
        dedupe.shingle_hashes("three two one")
    )
    for rate in (0.1, 0.3, 0.5):
        copy = spin(text, rate=rate)
        exact = dedupe.jaccard(dedupe.shingles(text), dedupe.shingles(copy))
        a, b = dedupe.compute(text), dedupe.compute(copy)
        estimate = dedupe.estimated_similarity(a.minhash.tobytes(), b.minhash.tobytes())
        assert abs(estimate - exact) < 0.15, (rate, exact, estimate)


def test_the_migration_recomputes_signatures_made_another_way():
    article = Article.objects.create(
        title="Old", text=story(1), url_hash="a" * 64, content_hash="b" * 64
    )
    short = Article.objects.create(title="Short", text="Too short.", content_hash="c" * 64)
    ArticleSignature.objects.create(article=article, minhash=b"\0" * 512, bands=[1] * 64)
    ArticleSignature.objects.create(article=short, minhash=b"\0" * 512, bands=[2] * 64)
    migration = importlib.import_module("apps.ingestion.migrations.0003_recompute_signatures")

    migration.recompute(django_apps, None)

    expected = dedupe.compute(article.text)
    stored = ArticleSignature.objects.get(article=article)
    assert bytes(stored.minhash) == expected.minhash.tobytes()
    assert stored.bands == expected.bands and stored.shingle_count == expected.shingle_count
    assert not ArticleSignature.objects.filter(article=short).exists()


def test_at_the_time_limit_a_chunk_keeps_what_it_stored_and_requeues_what_it_did_not_start(
    allowed, monkeypatch
):
    from celery.exceptions import SoftTimeLimitExceeded

    server = allowed
    jobs = [url_job(server.route(f"/a/{n}", page(n))) for n in range(3)]
    real_extract = services.runner.extract_html
    calls = []

    def extract(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise SoftTimeLimitExceeded()
        return real_extract(*args, **kwargs)

    monkeypatch.setattr(services.runner, "extract_html", extract)

    retries = services.jobs_run([j.pk for j in jobs], task_id="chunk-1")

    first, second, third = (IngestJob.objects.get(pk=j.pk) for j in jobs)
    assert first.status == "done" and first.article_id
    assert second.status == "failed" and "took too long" in second.failure_reason
    assert third.status == "queued" and "time limit" in third.failure_reason
    assert [job_id for job_id, _, _ in retries] == [third.pk]


def test_the_bands_index_has_no_pending_list_to_scan():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE relname = 'articlesignature_bands_gin'"
        )
        assert "fastupdate=off" in cursor.fetchone()[0]
