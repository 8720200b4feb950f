"""Settings for the worker processes of test_factcheck_import_killed.py: the fault tests'
worker settings, and every chunk of a fact-check import held for
CLAIMTRACK_TEST_CHUNK_SECONDS after its rows are written and before its transaction
commits, so that the test can kill the worker in the middle of a chunk, with chunks done
before it and chunks left after it."""

import os
import time

from celery.signals import worker_process_init

from tests.faults.worker_settings import *  # noqa: F403

_CHUNK_SECONDS = float(os.environ["CLAIMTRACK_TEST_CHUNK_SECONDS"])


def _slow_chunks(**kwargs):
    from apps.claims import factcheck_runs

    write = factcheck_runs._upsert

    def written_then_held(rows):
        counts = write(rows)
        time.sleep(_CHUNK_SECONDS)  # inside the chunk's transaction: a kill rolls it back
        return counts

    factcheck_runs._upsert = written_then_held


worker_process_init.connect(_slow_chunks, weak=False)
