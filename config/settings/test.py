"""Test settings: the real PostgreSQL (DATABASE_URL or the embedded server), eager Celery
unless a test starts a real worker (tests/conftest.py), fast password hashing."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The broker the real-worker tests use; the eager default above does not touch it.
TEST_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")  # noqa: F405
