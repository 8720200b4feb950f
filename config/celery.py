"""Celery application. Tasks live in each app's tasks.py and are found by autodiscovery."""

import os

from billiard.process import current_process
from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("claimtrack")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _in_worker(task) -> bool:
    # A task run in-process (eager) runs inside its caller's transaction: leave it alone.
    return task is not None and not getattr(task.request, "is_eager", False)


@task_prerun.connect
def close_old_db_connections(sender=None, **kwargs) -> None:
    """Before a task in a worker, drop a connection that is broken or older than
    CONN_MAX_AGE and arm CONN_HEALTH_CHECKS, as Django does at each request. Needed because
    pool processes keep their connection between tasks (CELERY_DB_REUSE_MAX)."""
    if _in_worker(sender):
        from django.db import close_old_connections

        close_old_connections()


@task_postrun.connect
def close_db_connections_outside_pool_processes(sender=None, **kwargs) -> None:
    """Only a prefork pool process keeps its connection (it lives as long as the process).
    Elsewhere (a solo or threads pool, a worker started in a test's thread) the connection
    is closed after each task, as before CELERY_DB_REUSE_MAX: the thread may end, and its
    connection would stay open with nobody to close it."""
    if _in_worker(sender) and current_process().name == "MainProcess":
        from django.db import connections

        connections.close_all()
