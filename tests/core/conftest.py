import pytest

from tests.core.httpserver import allow_list


@pytest.fixture
def allowed(request, server):
    """fetch() keyword arguments that allow-list the local server and nothing else."""
    return allow_list(request, [server.host_port])
