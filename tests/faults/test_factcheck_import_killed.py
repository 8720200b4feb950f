"""A worker killed with SIGKILL in the middle of a fact-check import (issue 17): the chunk it
was writing is rolled back, the run shows no more progress, the sweeper sends it again once
it has stalled for FACTCHECK_IMPORT_STALL_SECONDS, and a second worker imports the chunks
left, from the first undone one: every review once, the loss recorded on the run.

The broker does not hand the killed worker's message back (a visibility timeout of an hour,
as in production), so only the sweep can resume the run."""

import json
import signal
import time
from collections import Counter
from types import SimpleNamespace

import pytest

from apps.claims.factcheck_runs import factcheck_import_start, factcheck_runs_sweep
from apps.claims.models import ExternalFactCheck, FactCheckImportRun
from tests.faults.workers import Worker, worker_env
from tests.polling import wait_for

REVIEWS = 60
CHUNK = 10  # 6 chunks
CHUNK_SECONDS = 0.5  # each held this long in the workers (import_worker_settings.py)
STALL_SECONDS = 3  # FACTCHECK_IMPORT_STALL_SECONDS of the sweeps this test runs
SWEEP_EVERY = 0.5  # as beat would, often enough


def review_url(i: int) -> str:
    return f"https://checker.example/reviews/{i}"


def claim_reviews(n: int) -> bytes:
    return json.dumps(
        [
            {
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "url": review_url(i),
                "claimReviewed": f"The harbour of town {i} cost {i + 3} million to dredge",
                "author": {"@type": "Organization", "name": "Checker Desk"},
                "datePublished": "2024-03-01",
                "itemReviewed": {"@type": "Claim", "author": {"name": f"Mayor {i}"}},
                "reviewRating": {"@type": "Rating", "alternateName": "False"},
            }
            for i in range(n)
        ]
    ).encode()


def the_run(pk: int) -> FactCheckImportRun:
    return FactCheckImportRun.objects.defer("content").get(pk=pk)


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_is_resumed_by_the_sweep_and_imports_each_review_once(
    broker_queue, editor, settings, tmp_path
):
    settings.FACTCHECK_IMPORT_STALL_SECONDS = STALL_SECONDS  # the sweeps run in this process
    no_pages = SimpleNamespace(host_port="127.0.0.1:9")  # this test fetches nothing
    env = worker_env(settings, broker_queue, no_pages) | {
        "DJANGO_SETTINGS_MODULE": "tests.faults.import_worker_settings",
        "CLAIMTRACK_TEST_CHUNK_SECONDS": str(CHUNK_SECONDS),
        "CLAIMTRACK_TEST_VISIBILITY_TIMEOUT": "3600",
    }
    log = tmp_path / "workers.log"
    first = Worker("first", env, log)
    second = None
    try:
        assert first.ready.wait(60), log.read_text()
        run = factcheck_import_start(
            content=claim_reviews(REVIEWS), filename="big.json", by=editor, chunk=CHUNK
        )
        assert run.chunks_total == REVIEWS // CHUNK

        # Progress, but not done: chunks written and committed, more to come.
        assert wait_for(lambda: the_run(run.pk).chunks_done >= 2, 60, interval=0.05), (
            log.read_text()
        )
        assert factcheck_runs_sweep() == 0  # live: progress within the stall time
        first.kill(signal.SIGKILL)  # main process and pool child, mid-chunk
        killed_at = time.monotonic()
        killed = the_run(run.pk)
        assert killed.state == FactCheckImportRun.State.RUNNING
        assert 2 <= killed.chunks_done < killed.chunks_total, killed.chunks_done
        # Only the committed chunks are stored: the chunk being written was rolled back.
        assert ExternalFactCheck.objects.count() == killed.chunks_done * CHUNK

        second = Worker("second", env, log)
        assert second.ready.wait(60), log.read_text()
        next_sweep = time.monotonic()

        def done_with_sweeps() -> bool:  # the beat's sweep, every SWEEP_EVERY seconds
            nonlocal next_sweep
            if the_run(run.pk).finished:
                return True
            if time.monotonic() >= next_sweep:
                factcheck_runs_sweep()
                next_sweep += SWEEP_EVERY
            return False

        limit = STALL_SECONDS + REVIEWS / CHUNK * CHUNK_SECONDS + 60
        assert wait_for(done_with_sweeps, limit, interval=0.05), log.read_text()
        resumed = time.monotonic() - killed_at
    finally:
        first.kill()
        if second is not None:
            second.kill(signal.SIGTERM)

    print(f"\nrun done {resumed:.1f} s after the worker was killed")
    run = the_run(run.pk)
    assert run.state == FactCheckImportRun.State.DONE, run.error
    assert run.chunks_done == run.chunks_total
    assert run.lost_runs == 1  # the sweep found it running without a worker, once
    # Resumed at the first undone chunk: no chunk was written twice.
    assert (run.created, run.updated) == (REVIEWS, 0)
    urls = Counter(ExternalFactCheck.objects.values_list("url", flat=True))
    assert urls == Counter(review_url(i) for i in range(REVIEWS))
