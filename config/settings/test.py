"""Test settings: the real PostgreSQL (DATABASE_URL or the embedded server), eager Celery
unless a test starts a real worker (tests/conftest.py), fast password hashing."""

import os

from .base import *  # noqa: F403
from .base import DATABASE_URL, embedded_database, env

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
# An ingest retry run in-process (eager) waits its backoff in the caller: tests do not wait
# (those that check the backoff, tests/ingestion/test_job_outcomes.py, set their own).
INGEST_EAGER_MAX_BACKOFF = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The broker the real-worker tests use; the eager default above does not touch it.
TEST_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")

if not DATABASE_URL:
    DATABASES = {"default": embedded_database()}
# A test database per test process, so parallel runs (developers, helpers, CI) never collide.
DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}

# Serve static files straight from static/ (no collectstatic needed outside production).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing
