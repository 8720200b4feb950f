"""Workers keep their database connection between tasks, but never a stale one."""

import time
from types import SimpleNamespace

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection

from config.celery import (
    app,
    close_db_connections_outside_pool_processes,
    close_old_db_connections,
)


def task(*, eager: bool):
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


def test_the_worker_fixup_keeps_the_connection_between_tasks():
    fixup = DjangoWorkerFixup(app)
    assert fixup.db_reuse_max and fixup.db_reuse_max >= 10
    closed = []
    fixup._close_database = lambda: closed.append(True)
    for _ in range(5):  # five tasks: before and after each
        fixup.close_database()
        fixup.close_database()
    assert closed == []


@pytest.mark.django_db(transaction=True)
def test_an_obsolete_connection_is_replaced_before_a_worker_task():
    connection.ensure_connection()
    connection.close_at = time.monotonic() - 1  # older than CONN_MAX_AGE

    close_old_db_connections(sender=task(eager=False))

    assert connection.connection is None


@pytest.mark.django_db(transaction=True)
def test_a_usable_connection_is_kept_and_health_checked_before_a_worker_task():
    connection.ensure_connection()
    raw = connection.connection
    connection.close_at = time.monotonic() + 60

    close_old_db_connections(sender=task(eager=False))

    assert connection.connection is raw
    assert connection.health_check_done is False  # checked again at the first query


@pytest.mark.django_db
def test_an_eager_task_leaves_its_callers_transaction_alone():
    connection.ensure_connection()
    raw = connection.connection
    connection.close_at = time.monotonic() - 1

    close_old_db_connections(sender=task(eager=True))

    assert connection.connection is raw
    assert not connection.needs_rollback


@pytest.mark.django_db(transaction=True)
def test_a_worker_outside_a_pool_process_closes_its_connection_after_each_task():
    # A solo worker, or one started in a test's thread: its thread may end, and a
    # connection kept there would stay open (this test process is a "MainProcess").
    connection.ensure_connection()

    close_db_connections_outside_pool_processes(sender=task(eager=False))

    assert connection.connection is None


@pytest.mark.django_db(transaction=True)
def test_a_pool_process_keeps_its_connection_after_a_task(monkeypatch):
    import config.celery

    monkeypatch.setattr(
        config.celery, "current_process", lambda: SimpleNamespace(name="ForkPoolWorker-1")
    )
    connection.ensure_connection()
    raw = connection.connection

    close_db_connections_outside_pool_processes(sender=task(eager=False))

    assert connection.connection is raw
