import pytest


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
