"""The messages the evidence services send to their workers, by task name.

tasks.py imports the services (each task is one service call), so the services never import
tasks.py: they send through here, which names the task instead of importing it. tasks.py
declares each task under the same constant, and tests/test_enqueue.py checks every name is
a registered task in a fresh process. Delivery policy (after commit, broker down) stays in
apps/core/enqueue.py.
"""

from __future__ import annotations

from celery import current_app

SOURCE_FETCH_DETAILS = "apps.evidence.tasks.source_fetch_details"
SOURCES_SWEEP = "apps.evidence.tasks.sources_sweep"


def source_fetch_details(source_id: int) -> None:
    """Fetch a source's title and publisher in the background (or at once when tasks run
    in-process)."""
    current_app.signature(SOURCE_FETCH_DETAILS, args=(source_id,)).delay()
