import pytest

from tests.core.httpserver import LocalServer, allow_list


@pytest.fixture
def server():
    """A local HTTP server playing the web (the guard refuses it unless allow-listed)."""
    with LocalServer() as local:
        yield local


@pytest.fixture
def allowed(request, server):
    """fetch() keyword arguments that allow-list the local server and nothing else."""
    return allow_list(request, [server.host_port])
