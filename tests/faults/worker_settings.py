"""Settings for the Celery worker processes the fault tests start: the test settings on a
real broker, on the test's own queue and database (both from the environment).

The broker's visibility timeout is cut to seconds so that a message whose worker was
killed is handed to another worker within the test; in production it stays at its
default (an hour), and the sweeper re-enqueues the job once its lease runs out
(INGEST_LEASE_SECONDS: no live worker renews it).
"""

import os

from config.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
CELERY_TASK_DEFAULT_QUEUE = os.environ["CLAIMTRACK_TEST_QUEUE"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CLAIMTRACK_TEST_VISIBILITY_TIMEOUT", "4")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

# The recovery test (test_worker_killed.py) shortens the lease so that a killed worker's
# jobs are taken back in seconds; unset, the production defaults apply.
if os.environ.get("CLAIMTRACK_TEST_LEASE_SECONDS"):
    INGEST_LEASE_SECONDS = float(os.environ["CLAIMTRACK_TEST_LEASE_SECONDS"])
    INGEST_LEASE_RENEW_SECONDS = float(os.environ["CLAIMTRACK_TEST_LEASE_RENEW_SECONDS"])

# The tests that measure memory (test_hostile_feeds.py) run the worker with one task per
# pool process and read each task's peak here: the pool process's maximum resident set.
if os.environ.get("CLAIMTRACK_TEST_MEMORY_LOG"):
    import json
    import resource
    import time

    from celery.signals import task_postrun, task_prerun

    _started = {}

    def _start_clock(task_id=None, **kwargs):
        _started[task_id] = time.monotonic()

    def _record_peak_memory(sender=None, task_id=None, args=None, **kwargs):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
        seconds = round(time.monotonic() - _started.pop(task_id, time.monotonic()), 3)
        record = {"task": sender.name, "args": args, "peak": peak, "seconds": seconds}
        with open(os.environ["CLAIMTRACK_TEST_MEMORY_LOG"], "a") as out:
            out.write(json.dumps(record) + "\n")

    task_prerun.connect(_start_clock, weak=False)
    task_postrun.connect(_record_peak_memory, weak=False)
