"""Local development (make run): DEBUG on by default, a per-checkout secret key in var/, and
the embedded PostgreSQL when DATABASE_URL is unset."""

import secrets

from .base import *  # noqa: F403
from .base import DATABASE_URL, VAR_DIR, embedded_database, env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
if not SECRET_KEY:  # type: ignore[used-before-def]  # noqa: F405
    key_file = VAR_DIR / "secret-key"
    if not key_file.exists():
        VAR_DIR.mkdir(exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()
if not ALLOWED_HOSTS:  # type: ignore[used-before-def]  # noqa: F405
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

if not DATABASE_URL:
    DATABASES = {"default": embedded_database()}

STORAGES = {  # no manifest needed while developing
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from static/ (no collectstatic needed outside production).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise warns when it is missing
