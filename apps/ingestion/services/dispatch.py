"""Sending ingestion's tasks, by their registered name.

The tasks (apps/ingestion/tasks.py) call the services; the services never import the
tasks module, so `services -> tasks -> services` is no cycle. A task is looked up in the
Celery app's registry when it is sent (IngestionConfig.ready imports the tasks module, so
every process has them registered). Everything sent here is recorded in the database
first, and sent through apps.core.enqueue: a broker that is down loses nothing, the
sweepers send it later.
"""

from __future__ import annotations

from celery import current_app
from celery.app.task import Task

from apps.core.enqueue import send_after_commit

from .common import chunks

TASKS_MODULE = "apps.ingestion.tasks"


def task(name: str) -> Task:
    """The registered task `apps.ingestion.tasks.<name>`."""
    return current_app.tasks[f"{TASKS_MODULE}.{name}"]


def jobs_enqueue(job_ids: list[int]) -> None:
    """After commit: one `ingest` task for a single job, one `ingest_chunk` task per chunk
    of jobs (see chunks())."""

    def send() -> None:
        if len(job_ids) == 1:
            task("ingest").delay(job_ids[0])
            return
        for chunk in chunks(job_ids):
            task("ingest_chunk").delay(chunk)

    # A broker that is down must not break or hold the request; the sweeper re-enqueues.
    if job_ids:
        send_after_commit(send, what=f"ingest job(s) {job_ids[:5]}")


def suggestions_enqueue(article_ids: list[int]) -> None:
    """Ask claims for suggestions in a task of its own (one for a chunk's articles), after
    commit: a slow or failing suggester never holds or fails the ingest. The
    near-duplicate link is set before, so claims can skip a near-duplicate (its claims
    are the original's)."""
    if len(article_ids) == 1:
        send_after_commit(lambda: task("article_suggest").delay(article_ids[0]), what="suggestions")
    elif article_ids:
        send_after_commit(lambda: task("articles_suggest").delay(article_ids), what="suggestions")
