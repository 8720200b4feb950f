from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "apps.claims"
    label = "claims"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import differences  # noqa: F401 - connects the signals that refresh ClaimDifferences
