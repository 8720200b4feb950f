from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "apps.evidence"
    label = "evidence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the tasks in every process: the services send them by name (enqueue.py).
        from . import tasks  # noqa: F401
