from tests.ingestion.conftest import allowed, on_commit  # noqa: F401
