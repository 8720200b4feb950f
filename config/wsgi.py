import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()

from apps.core.startup import require_collected_static  # noqa: E402 - needs the app registry

require_collected_static()
