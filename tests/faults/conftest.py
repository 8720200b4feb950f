from tests.ingestion.conftest import allowed, broker_worker, on_commit, server  # noqa: F401
