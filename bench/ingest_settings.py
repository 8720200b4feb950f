"""Settings for bench/ingest_throughput.py and the workers it starts: the base settings on
a database of its own (embedded 'claimtrack_bench_ingest' unless DATABASE_URL is set) and
the local Redis, with the page server allow-listed (FETCH_ALLOWED_HOSTS from the
environment). Claim suggestions go to a queue no bench worker reads: the benchmark
measures feed -> fetch -> extract -> dedupe -> store (see --with-suggestions)."""

import os

os.environ.setdefault("CLAIMTRACK_EMBEDDED_DB", "claimtrack_bench_ingest")

from config.settings.base import *  # noqa: E402, F403
from config.settings.base import DATABASE_URL, embedded_database  # noqa: E402

if not DATABASE_URL:  # the base settings start no server; a bench may, as dev does
    DATABASES = {"default": embedded_database()}

DEBUG = False
SECRET_KEY = "bench-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1"]
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("BENCH_QUEUE", "bench-ingest")
if os.environ.get("BENCH_WITH_SUGGESTIONS") != "1":
    CELERY_TASK_ROUTES = {
        "apps.ingestion.tasks.article_suggest": {"queue": "bench-unread"},
        "apps.ingestion.tasks.articles_suggest": {"queue": "bench-unread"},
    }
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# --chunk: jobs per ingest task.
if os.environ.get("INGEST_CHUNK_SIZE"):
    INGEST_CHUNK_SIZE = int(os.environ["INGEST_CHUNK_SIZE"])
