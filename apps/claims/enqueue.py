"""The messages the claims services send to their workers, by task name.

tasks.py imports the services (each task is one service call), so the services never import
tasks.py: they send through here, which names the task instead of importing it. tasks.py
declares each task under the same constant, and tests/test_enqueue.py checks every name is
a registered task in a fresh process. Delivery policy (after commit, broker down) stays in
apps/core/enqueue.py.
"""

from __future__ import annotations

from celery import current_app

DELIVER_WEBHOOK = "apps.claims.tasks.deliver_webhook"
IMPORT_FACTCHECKS_RUN = "apps.claims.tasks.import_factchecks_run"
EMBED_MISSING_CLAIMS = "apps.claims.tasks.embed_missing_claims"
WEBHOOKS_SWEEP = "apps.claims.tasks.webhooks_sweep"
FACTCHECK_RUNS_SWEEP = "apps.claims.tasks.factcheck_runs_sweep"


def deliver_webhook(delivery_id: int) -> None:
    current_app.signature(DELIVER_WEBHOOK, args=(delivery_id,)).delay()


def import_factchecks_run(run_id: int) -> None:
    current_app.signature(IMPORT_FACTCHECKS_RUN, args=(run_id,)).delay()
