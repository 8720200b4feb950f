import pytest

from tests import factories
from tests.celery_utils import reset_producer_pool
from tests.core.httpserver import LocalServer

# `slow`: left out by `make test-fast` (pytest -m "not slow"); `make test` and CI run all.
# Given here by place and fixture, so that a new test there is slow without saying so:
# browser tests, fault tests (they kill workers and stop brokers), the API's schema fuzzing
# (schemathesis: about two minutes), tests that start a real Celery worker or need the
# broker, or train a model (named test_train...); and, by name, those elsewhere that start
# a subprocess (tests/test_settings.py marks itself: each of its tests is a subprocess).
SLOW_PATHS = ("tests/browser/", "tests/faults/", "tests/api/test_schemathesis.py")
SLOW_MARKERS = {"browser", "broker"}
SLOW_FIXTURES = {"real_worker"}
SLOW_TESTS = {
    "tests/claims/test_checkworthy_model.py": {
        "test_default_model_needs_no_deep_learning_framework",
        "test_default_model_loads_and_scores_with_torch_imports_blocked",
    },
    "tests/claims/test_encoder.py": {"test_runs_without_torch_or_django_settings"},
    "tests/ingestion/test_extraction_metadata.py": {
        "test_importing_the_benchmark_leaves_the_environment_alone",
    },
}


def is_slow(item) -> bool:
    path = item.nodeid.split("::")[0]
    name = getattr(item, "originalname", item.name)
    return (
        path.startswith(SLOW_PATHS)
        or any(item.get_closest_marker(marker) for marker in SLOW_MARKERS)
        or bool(SLOW_FIXTURES & set(getattr(item, "fixturenames", ())))
        or name.startswith("test_train")
        or name in SLOW_TESTS.get(path, ())
    )


def pytest_collection_modifyitems(config, items):
    checked = set()
    for item in items:
        path = item.nodeid.split("::")[0]
        if path in SLOW_TESTS and path not in checked:
            checked.add(path)
            module = getattr(item, "module", None)
            gone = sorted(name for name in SLOW_TESTS[path] if not hasattr(module, name))
            if gone:
                raise pytest.UsageError(f"tests/conftest.py SLOW_TESTS names {gone} in {path}")
        if is_slow(item):
            item.add_marker(pytest.mark.slow)


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
