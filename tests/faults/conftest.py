import uuid

import pytest

from tests.celery_utils import reset_producer_pool
from tests.ingestion.conftest import allowed, on_commit  # noqa: F401


@pytest.fixture
def broker_queue(settings):
    """The test process sends to the real broker, on a queue of its own."""
    from config.celery import app

    queue = f"claimtrack-fault-{uuid.uuid4().hex[:8]}"
    saved = {k: app.conf.get(k) for k in ("task_always_eager", "broker_url", "task_default_queue")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(
        task_always_eager=False, broker_url=settings.TEST_BROKER_URL, task_default_queue=queue
    )
    reset_producer_pool(app)
    yield queue
    app.conf.update(saved)
    reset_producer_pool(app)
