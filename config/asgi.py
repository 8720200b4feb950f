import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_asgi_application()

from apps.core.startup import require_collected_static  # noqa: E402 - needs the app registry

require_collected_static()
