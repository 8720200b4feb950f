"""The services send their tasks by name (apps/<app>/enqueue.py), so that they never import
tasks.py, which imports them. These tests hold the names to the registered tasks."""

import subprocess
import sys

import pytest

from apps.claims import enqueue as claims_enqueue
from apps.evidence import enqueue as evidence_enqueue

NAMES = {
    claims_enqueue.DELIVER_WEBHOOK,
    claims_enqueue.IMPORT_FACTCHECKS_RUN,
    claims_enqueue.EMBED_MISSING_CLAIMS,
    claims_enqueue.WEBHOOKS_SWEEP,
    claims_enqueue.FACTCHECK_RUNS_SWEEP,
    evidence_enqueue.SOURCE_FETCH_DETAILS,
    evidence_enqueue.SOURCES_SWEEP,
}


def test_every_name_is_a_task_registered_at_django_setup_in_a_fresh_process():
    """A web process imports no tasks module by itself; AppConfig.ready must register them,
    or the first message fails with NotRegistered."""
    code = (
        "import django, os, sys\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.test'\n"
        "django.setup()\n"
        "from config.celery import app\n"
        "print('\\n'.join(sorted(app.tasks)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    registered = set(out.stdout.split())
    assert registered >= NAMES, NAMES - registered


def test_beat_schedule_names_registered_tasks():
    from django.conf import settings

    from config.celery import app

    names = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert names
    for name in names:
        assert name in app.tasks, name


@pytest.mark.django_db
def test_a_message_sent_by_name_runs_the_task(monkeypatch):
    """In-process (eager, as config.settings.test) runs go through the named task, with its
    arguments."""
    from apps.claims import notifications

    seen = []
    monkeypatch.setattr(notifications, "webhook_deliver", seen.append)
    claims_enqueue.deliver_webhook(123)
    assert seen == [123]
