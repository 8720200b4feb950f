"""Large fact-check files import as a Celery task in chunks: progress on a run row,
resumable after a kill, each review imported once, followed on the upload page."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.claims import factcheck_runs
from apps.claims.factcheck_matching import reset_factcheck_index
from apps.claims.factcheck_runs import factcheck_import_continue, factcheck_import_start
from apps.claims.factchecks import FactCheckImportError
from apps.claims.models import ExternalFactCheck, FactCheckImportRun
from apps.core.errors import NotAllowed
from tests.polling import wait_for


@pytest.fixture(autouse=True)
def _fresh_index():
    reset_factcheck_index()
    yield
    reset_factcheck_index()


def feed(n: int, *, bad_at: int | None = None) -> bytes:
    reviews = [
        {
            "@type": "ClaimReview",
            "url": f"https://checker.example/r/{i}",
            "claimReviewed": f"Claim number {i} about the harbour budget of town {i}",
            "author": {"name": "Checker Desk"},
            "reviewRating": {"alternateName": "False"},
        }
        for i in range(n)
    ]
    if bad_at is not None:
        reviews.insert(bad_at, {"@type": "ClaimReview", "url": "https://checker.example/x"})
    return json.dumps(reviews).encode()


@pytest.mark.django_db
def test_a_run_imports_every_chunk_and_records_progress_and_skips(editor):
    run = factcheck_import_start(
        content=feed(25, bad_at=12), filename="f.json", by=editor, chunk=10
    )
    assert (run.state, run.reviews, run.chunks_total, run.skipped_count) == ("queued", 25, 3, 1)
    assert "element 13" in run.skipped[0]["where"]
    assert not ExternalFactCheck.objects.exists()  # nothing until the task runs

    run = factcheck_import_continue(run_id=run.pk)
    assert (run.state, run.chunks_done, run.created, run.updated) == ("done", 3, 25, 0)
    assert run.percent == 100 and bytes(run.content) == b""
    assert ExternalFactCheck.objects.count() == 25


@pytest.mark.django_db
def test_a_killed_run_resumes_at_the_undone_chunk_and_imports_each_review_once(editor, monkeypatch):
    run = factcheck_import_start(content=feed(25), filename="f.json", by=editor, chunk=10)
    real_upsert = factcheck_runs._upsert
    calls = []

    def dies_on_second_chunk(rows):
        calls.append(len(rows))
        if len(calls) == 2:
            real_upsert(rows)  # written, then the worker dies before the commit
            raise SystemExit("worker killed")
        return real_upsert(rows)

    monkeypatch.setattr(factcheck_runs, "_upsert", dies_on_second_chunk)
    with pytest.raises(SystemExit):
        factcheck_import_continue(run_id=run.pk)
    run.refresh_from_db()
    assert (run.state, run.chunks_done) == ("running", 1)
    assert ExternalFactCheck.objects.count() == 10  # the second chunk was rolled back

    monkeypatch.setattr(factcheck_runs, "_upsert", real_upsert)
    run = factcheck_import_continue(run_id=run.pk)
    assert (run.state, run.chunks_done, run.created, run.updated) == ("done", 3, 25, 0)
    assert ExternalFactCheck.objects.count() == 25

    # A duplicate delivery of the finished task changes nothing.
    again = factcheck_import_continue(run_id=run.pk)
    assert (again.created, again.updated) == (25, 0)


@pytest.mark.django_db
def test_a_file_that_is_not_json_makes_no_run(editor):
    with pytest.raises(FactCheckImportError):
        factcheck_import_start(content=b"{not json at all", filename="x.json", by=editor)
    assert not FactCheckImportRun.objects.exists()


@pytest.mark.django_db
def test_only_editors_start_a_run(analyst):
    with pytest.raises(NotAllowed):
        factcheck_import_start(content=feed(3), filename="f.json", by=analyst)
    assert not FactCheckImportRun.objects.exists()


@pytest.mark.django_db
def test_the_upload_page_follows_a_large_import_to_the_end(
    editor_client, settings, django_capture_on_commit_callbacks
):
    settings.FACTCHECK_IMPORT_BACKGROUND_BYTES = 100
    upload = SimpleUploadedFile("big.json", feed(30), content_type="application/json")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = editor_client.post(
            reverse("claims:factcheck_import"),
            {"file": upload},
            HTTP_X_REQUESTED_WITH="XMLHttpRequest",
        )
    run = FactCheckImportRun.objects.get()
    page = response.content.decode()
    assert response.status_code == 200
    status_url = reverse("claims:factcheck_import_run", args=[run.pk])
    assert f'hx-get="{status_url}"' in page and 'data-state="queued"' in page

    for callback in callbacks:  # the task, run eagerly as the test settings do
        callback()
    done = editor_client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-state="done"' in done and "hx-get" not in done
    assert "imported 30, updated 0" in done
    assert ExternalFactCheck.objects.count() == 30


@pytest.mark.django_db
def test_a_small_upload_still_imports_in_the_request(editor_client):
    upload = SimpleUploadedFile("small.json", feed(3), content_type="application/json")
    response = editor_client.post(reverse("claims:factcheck_import"), {"file": upload})
    assert response.status_code == 200
    assert not FactCheckImportRun.objects.exists()
    assert ExternalFactCheck.objects.count() == 3


@pytest.mark.django_db
def test_an_analyst_cannot_see_a_run(analyst_client, editor):
    run = factcheck_import_start(content=feed(3), filename="f.json", by=editor)
    response = analyst_client.get(reverse("claims:factcheck_import_run", args=[run.pk]))
    assert response.status_code == 403


@pytest.mark.broker
def test_a_run_through_a_real_worker(real_worker, editor, settings):
    run = factcheck_import_start(content=feed(12), filename="f.json", by=editor, chunk=5)

    def finished():
        run.refresh_from_db()
        return run.finished

    wait_for(finished, 60, interval=0.2)
    assert (run.state, run.chunks_done, run.created) == ("done", 3, 12)
    assert ExternalFactCheck.objects.count() == 12


@pytest.mark.django_db
def test_a_task_past_its_budget_sends_itself_again_for_the_rest(editor, monkeypatch):
    from apps.claims.tasks import import_factchecks_run

    run = factcheck_import_start(content=feed(25), filename="f.json", by=editor, chunk=10)
    monkeypatch.setattr(factcheck_runs, "TASK_BUDGET", 0.0)  # one chunk a delivery
    deliveries = []
    real_continue = factcheck_runs.factcheck_import_continue

    def counted(**kwargs):
        deliveries.append(kwargs["budget"])
        return real_continue(**kwargs)

    monkeypatch.setattr(factcheck_runs, "factcheck_import_continue", counted)
    import_factchecks_run.delay(run.pk)  # in-process: each send runs at once
    run.refresh_from_db()
    assert deliveries == [0.0, 0.0, 0.0]
    assert (run.state, run.chunks_done, run.created) == ("done", 3, 25)


def _age(run, seconds):
    from datetime import timedelta

    from django.utils import timezone

    FactCheckImportRun.objects.filter(pk=run.pk).update(
        updated_at=timezone.now() - timedelta(seconds=seconds)
    )


@pytest.mark.django_db
def test_the_sweeper_resumes_a_run_whose_worker_died_and_leaves_live_ones(
    editor, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from apps.claims.factcheck_runs import factcheck_runs_sweep

    settings.FACTCHECK_IMPORT_STALL_SECONDS = 60
    dead = factcheck_import_start(content=feed(25), filename="f.json", by=editor, chunk=10)
    live = factcheck_import_start(content=feed(3), filename="g.json", by=editor)
    never_sent = factcheck_import_start(content=feed(2), filename="h.json", by=editor)
    real_upsert = factcheck_runs._upsert
    calls = []

    def dies_on_second_chunk(rows):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit("worker killed")
        return real_upsert(rows)

    monkeypatch.setattr(factcheck_runs, "_upsert", dies_on_second_chunk)
    with pytest.raises(SystemExit):
        factcheck_import_continue(run_id=dead.pk)
    monkeypatch.setattr(factcheck_runs, "_upsert", real_upsert)
    _age(dead, 61)
    _age(never_sent, 61)
    _age(live, 30)  # progress within the stall time: a worker still has it

    with django_capture_on_commit_callbacks(execute=True):
        assert factcheck_runs_sweep() == 2
    dead.refresh_from_db()
    live.refresh_from_db()
    never_sent.refresh_from_db()
    assert (dead.state, dead.chunks_done, dead.created, dead.lost_runs) == ("done", 3, 25, 1)
    assert (never_sent.state, never_sent.lost_runs) == ("done", 0)  # queued: not a lost worker
    assert (live.state, live.chunks_done) == ("queued", 0)
    assert (never_sent.created, never_sent.updated) == (0, 2)  # the same URLs as `dead`'s
    assert ExternalFactCheck.objects.count() == 25


@pytest.mark.django_db
def test_a_run_lost_again_and_again_is_failed_with_the_reason(editor, settings):
    from apps.claims.factcheck_runs import MAX_LOST_RUNS, factcheck_runs_sweep

    settings.FACTCHECK_IMPORT_STALL_SECONDS = 60
    run = factcheck_import_start(content=feed(25), filename="f.json", by=editor, chunk=10)
    FactCheckImportRun.objects.filter(pk=run.pk).update(
        state="running", chunks_done=1, lost_runs=MAX_LOST_RUNS - 1
    )
    _age(run, 61)
    assert factcheck_runs_sweep() == 1
    run.refresh_from_db()
    assert (run.state, run.lost_runs) == ("failed", MAX_LOST_RUNS)
    assert f"stopped {MAX_LOST_RUNS} times without progress" in run.error
    assert "1 of 3 chunks were imported" in run.error
    assert run.finished_at is not None
    assert factcheck_runs_sweep() == 0  # failed runs are left alone


@pytest.mark.django_db
def test_the_periodic_task_sweeps(editor, settings, django_capture_on_commit_callbacks):
    from apps.claims.tasks import factcheck_runs_sweep

    # The name CELERY_BEAT_SCHEDULE gives ("claims-sweep-factcheck-imports").
    assert factcheck_runs_sweep.name == "apps.claims.tasks.factcheck_runs_sweep"
    settings.FACTCHECK_IMPORT_STALL_SECONDS = 60
    run = factcheck_import_start(content=feed(3), filename="f.json", by=editor)
    _age(run, 61)
    with django_capture_on_commit_callbacks(execute=True):
        factcheck_runs_sweep.delay()
    run.refresh_from_db()
    assert (run.state, run.created) == ("done", 3)


def test_the_stall_time_outlasts_the_task_time_limit():
    from apps.claims.factcheck_runs import TASK_BUDGET, stall_after
    from apps.claims.tasks import import_factchecks_run

    assert import_factchecks_run.soft_time_limit > TASK_BUDGET
    assert stall_after().total_seconds() > import_factchecks_run.time_limit
