"""The indexes the heavy queries rely on exist (they are created by raw SQL migrations,
outside the model state, so nothing else would notice them missing)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

EXPECTED = [
    "claim_statement_fts",
    "claim_statement_trgm",
    "appearance_quote_fts",
    "claimevent_tombstones",
    "article_search_gin",
    "claim_public_search_vector",
]


def test_search_and_sync_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
        names = {row[0] for row in cursor.fetchall()}
    assert set(EXPECTED) <= names, set(EXPECTED) - names


def test_claim_search_indexes_have_no_pending_list():
    # A GIN pending list is read through by every search: 45 ms a query after a bulk load.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class "
            "WHERE relname IN ('claim_statement_fts', 'claim_statement_trgm')"
        )
        options = dict(cursor.fetchall())
    assert options == {
        "claim_statement_fts": ["fastupdate=off"],
        "claim_statement_trgm": ["fastupdate=off"],
    }
