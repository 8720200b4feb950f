"""Settings for the Celery worker processes the fault tests start: the test settings on a
real broker, on the test's own queue and database (both from the environment).

The broker's visibility timeout is cut to seconds so that a message whose worker was
killed is handed to another worker within the test; in production it stays at its
default (an hour), and the sweeper re-enqueues the job after INGEST_STUCK_AFTER_SECONDS.
"""

import os

from config.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
CELERY_TASK_DEFAULT_QUEUE = os.environ["CLAIMTRACK_TEST_QUEUE"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 4,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
