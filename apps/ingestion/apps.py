from django.apps import AppConfig


class IngestionConfig(AppConfig):
    name = "apps.ingestion"
    label = "ingestion"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.urls import reverse

        from apps.claims.article_actions import provide_reextract_url

        from . import (
            checks,  # noqa: F401  (registers the sweeper's time checks)
            tasks,  # noqa: F401  (registered: services send them by name)
        )

        # The reading page (claims) offers editors "re-extract", which is ours.
        provide_reextract_url(lambda pk: reverse("ingestion:article_reextract", args=[pk]))
