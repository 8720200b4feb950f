from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "apps.evidence"
    label = "evidence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the tasks in every process: the services send them by name (enqueue.py).
        from apps.claims.evidence import provide

        from . import tasks  # noqa: F401
        from .claim_evidence import LinkedEvidence

        # What the claims app needs to know about a claim's evidence (apps/claims/evidence.py).
        provide(LinkedEvidence())
