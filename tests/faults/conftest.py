from tests.ingestion.conftest import allowed, on_commit, server  # noqa: F401
