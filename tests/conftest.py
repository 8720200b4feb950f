import pytest

from tests import factories
from tests.celery_utils import reset_producer_pool
from tests.core.httpserver import LocalServer


@pytest.fixture(autouse=True)
def _fresh_dense_index():
    """Each test's claims are rolled back: the per-process matrix of claim vectors
    (apps/claims/embeddings.py) starts empty for each test, as a new process would."""
    from apps.claims.embeddings import reset_dense_index

    reset_dense_index()
    yield


@pytest.fixture(autouse=True)
def _broker_not_presumed_down():
    """A broker failure one test provoked must not make the next one skip its sends."""
    from apps.core import enqueue

    enqueue.reset()


@pytest.fixture
def server():
    """A local HTTP server playing the web (the fetch guard refuses it unless allow-listed)."""
    with LocalServer() as local:
        yield local


@pytest.fixture
def analyst(db):
    return factories.user_with_role("analyst")


@pytest.fixture
def editor(db):
    return factories.user_with_role("editor")


@pytest.fixture
def admin_user(db):
    return factories.user_with_role("admin")


@pytest.fixture
def article(db):
    return factories.ArticleFactory()


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def real_worker(settings, transactional_db):
    """A real Celery worker (in a thread) on a real broker: CELERY_BROKER_URL, default the
    local Redis. Tasks are sent over the broker, not run eagerly."""
    import uuid

    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    queue = f"claimtrack-test-{uuid.uuid4().hex[:8]}"
    saved = {k: app.conf.get(k) for k in ("task_always_eager", "broker_url", "task_default_queue")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.update(
        task_always_eager=False, broker_url=settings.TEST_BROKER_URL, task_default_queue=queue
    )
    reset_producer_pool(app)
    with start_worker(
        app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=10
    ) as worker:
        yield worker
    app.conf.update(saved)
    reset_producer_pool(app)


SAMPLE_QUOTE = "Russia is running out of munitions used in the war in Ukraine"


@pytest.fixture
def world(article):
    """An article, the analyst who tagged it, and a claim from it with one piece of evidence."""
    from apps.claims import services
    from apps.evidence.services import evidence_add

    author = factories.user_with_role("analyst", username="author")
    claim = services.claim_create(
        article=article, start=0, end=len(SAMPLE_QUOTE), quote=SAMPLE_QUOTE, by=author
    )
    evidence_add(claim=claim, by=author, stance="supports", url="https://example.org/a")
    return {"article": article, "author": author, "claim": claim}
