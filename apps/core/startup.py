"""Checks a web server makes once, as it loads the application (config/wsgi.py, asgi.py).

They are not system checks: `manage.py collectstatic` runs the system checks too, and
could then never create what this one asks for."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.exceptions import ImproperlyConfigured


def require_collected_static() -> None:
    """With a manifest storage (production), every page's `{% static %}` needs the
    manifest `collectstatic` writes: without it each page is a 500. Refuse to start, naming
    the command, instead."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return
    manifest = Path(settings.STATIC_ROOT) / staticfiles_storage.manifest_name
    if not manifest.is_file():
        raise ImproperlyConfigured(
            f"Static files have not been collected: {manifest} is missing, so every page "
            "would fail. Run `python manage.py collectstatic --noinput` (with the production "
            "settings) before starting the server; the Docker image does it when it is built."
        )
