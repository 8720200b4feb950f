from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "apps.claims"
    label = "claims"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # differences connects the signals that refresh ClaimDifferences; tasks registers the
        # tasks in every process (the services send them by name: enqueue.py).
        from . import differences, tasks  # noqa: F401
