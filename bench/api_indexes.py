"""Indexes the API asks for (docs/benchmarks.md); the benchmark creates them in its own
database until a migration adds them. The expressions are exactly those the queries use
(apps.api.filters.english_document), so PostgreSQL can match them."""

from django.contrib.postgres.indexes import GinIndex

from apps.api.filters import english_document
from apps.claims.models import Appearance, Claim

PROPOSED = [
    (Claim, GinIndex(english_document("statement"), name="claim_statement_fts")),
    (Appearance, GinIndex(english_document("quote"), name="appearance_quote_fts")),
]
