import pytest

from tests.core.httpserver import LocalServer


@pytest.fixture
def server():
    with LocalServer() as local:
        yield local


@pytest.fixture
def allowed(settings, server):
    """The local server is the only host exempt from the private-address guard."""
    settings.FETCH_ALLOWED_HOSTS = [server.host_port]
    return server


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run a callable with the tasks it enqueues on commit run, as they would after commit
    (eagerly: the test settings have no broker)."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def reset_producer_pool(app) -> None:
    """Celery caches the producer pool of the first broker URL it was asked for; an eager
    task run earlier in the process caches one for the default URL, and tasks sent after
    the broker URL changed would go there. Drop it so the next send uses the current URL."""
    from kombu import pools

    pools.reset()  # kombu keeps producer pools in a registry; closed ones must leave it too
    app.amqp._producer_pool = None
    app._pool = None


@pytest.fixture
def broker_worker(real_worker):
    """tests/conftest.py's real worker, with the producer pool reset (see above)."""
    from config.celery import app

    reset_producer_pool(app)
    yield real_worker
    reset_producer_pool(app)
