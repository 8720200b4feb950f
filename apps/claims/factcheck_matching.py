"""Other organisations' fact-checks (ExternalFactCheck) as answers to "has this been
checked?", scored exactly as our claims are (apps/claims/matching.py: the same features,
model, tiers and direction check), so "likely the same" means the same for both.

Candidates are the nearest by meaning: every imported review's vector sits in one
per-process matrix, reloaded when the table changes (an import, a deletion: checked with
one small aggregate a search). Imports are rare and the matrix is 384 float32 a review
(~15 MB for 10,000), so a full reload is simpler than the claims' incremental refresh.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max

from . import matching
from .embeddings import nearest_ids, query_vector
from .models import ExternalFactCheck
from .nlp import encoder, lexical
from .nlp.direction import Difference

DENSE_CANDIDATES = 100


class _Index:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.signature = None
        self.ids = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, encoder.DIMENSION), dtype=np.float32)

    def refresh(self) -> None:
        rows = ExternalFactCheck.objects.filter(vector_model=encoder.MODEL_ID)
        signature = tuple(
            rows.aggregate(n=Count("pk"), last=Max("updated_at"), top=Max("pk")).values()
        )
        with self._lock:
            if signature == self.signature:
                return
            pairs = list(rows.values_list("pk", "vector")) if signature[0] else []
            self.ids = np.array([pk for pk, _ in pairs], dtype=np.int64)
            self.matrix = (
                np.array([encoder.from_bytes(bytes(v)) for _, v in pairs], dtype=np.float32)
                if pairs
                else np.zeros((0, encoder.DIMENSION), dtype=np.float32)
            )
            self.signature = signature

    def nearest(self, vector: np.ndarray, k: int) -> list[int]:
        self.refresh()
        ids, matrix = self.ids, self.matrix
        if not len(ids):
            return []
        return nearest_ids(ids, matrix, vector, k)


_index = _Index()


def reset_factcheck_index() -> None:
    """Forget the in-memory matrix (tests, after their database is rolled back)."""
    global _index
    _index = _Index()


@dataclass(frozen=True)
class FactCheckMatch:
    factcheck: ExternalFactCheck
    score: float
    tier: str
    difference: Difference | None = None


def match_factchecks(
    text: str, *, limit: int = 10, min_score: float | None = None
) -> list[FactCheckMatch]:
    """Imported fact-checks most like `text`, best first (a "likely the same" before any
    "possibly related"), each with the score and tier our claims would get."""
    model = matching.MatcherModel.load()
    min_score = model.shown if min_score is None else min_score
    query = lexical.clean_query(text)
    if not query or limit <= 0:
        return []
    _index.refresh()
    if not len(_index.ids):
        return []  # nothing imported: no need to encode the text
    vector = query_vector(query)
    ids = _index.nearest(vector, DENSE_CANDIDATES)
    if not ids:
        return []
    candidates = [
        (factcheck, factcheck.claim_reviewed, encoder.from_bytes(bytes(factcheck.vector)))
        for factcheck in ExternalFactCheck.objects.filter(pk__in=ids).defer("original")
    ]
    return [
        FactCheckMatch(factcheck, score, tier, difference)
        for factcheck, score, tier, difference in matching.rank(
            query, vector, candidates, limit=limit, min_score=min_score
        )
    ]


def checked_elsewhere(text: str) -> FactCheckMatch | None:
    """The imported fact-check that is "likely the same" claim as `text`, if any: what a
    claim page and a suggestion card show as "Checked by Publisher, year: rating"."""
    best = match_factchecks(text, limit=1)
    return best[0] if best and best[0].tier == matching.LIKELY_SAME else None
