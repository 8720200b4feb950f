"""Claims as sentence embeddings: stored on save, searched in memory.

A claim's statement is encoded when it is created or edited (`embed_claims`, ~5 ms) and
the vector stored in ClaimEmbedding. Each process keeps the vectors of all claims in one
matrix (`dense_index()`), brought up to date before each search with the rows changed
since its last look, so "has this been checked?" finds a paraphrase that shares no word
with the claim. Above ``CLAIMS_DENSE_INDEX_MAX`` claims the matrix is not kept (memory:
384 float32 a claim) and retrieval is lexical only, re-ranked with the stored vectors.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
import time
from collections.abc import Iterable
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db.models import Count

from .models import Claim, ClaimEmbedding
from .nlp import encoder

logger = logging.getLogger(__name__)

# A row is stamped when saved but seen when committed: re-reading this far back catches
# rows committed out of stamp order; a full reload every FULL_RELOAD_SECONDS catches any
# transaction longer than that.
REFRESH_OVERLAP = timedelta(seconds=5)
FULL_RELOAD_SECONDS = 900


def encode(texts: list[str]) -> np.ndarray:
    """Vectors for matching, each text encoded alone: the int8 model's activation scale is
    set per batch, so a batch-mate would move a vector (cosine ~0.99, less for short texts)
    and a claim would score differently by the path that encoded it."""
    return encoder.encode(texts, batch_size=1)


@functools.lru_cache(maxsize=256)
def query_vector(query: str) -> np.ndarray:
    """One query's vector, kept for the next few searches: "has this been checked?" asks
    our claims and the imported fact-checks with the same text, and a search box asks
    again as the user pages. Read-only, as it is shared."""
    vector = encode([query])[0]
    vector.flags.writeable = False
    return vector


def statement_hash(statement: str) -> str:
    """Which statement a vector was made from (change detection; PostgreSQL computes the
    same with ``left(md5(statement), 16)`` for bulk loads)."""
    return hashlib.md5(statement.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


def embed_claims(claims: Iterable[Claim]) -> dict[int, np.ndarray]:
    """Encode the claims whose stored vector is missing, stale or from another model;
    returns every claim's vector by id."""
    claims = list(claims)
    if not claims:
        return {}
    stored = {
        row.claim_id: row
        for row in ClaimEmbedding.objects.filter(claim_id__in=[c.pk for c in claims])
    }
    vectors: dict[int, np.ndarray] = {}
    todo = []
    for claim in claims:
        row = stored.get(claim.pk)
        if (
            row is not None
            and row.model == encoder.MODEL_ID
            and row.statement_hash == statement_hash(claim.statement)
        ):
            vectors[claim.pk] = encoder.from_bytes(bytes(row.vector))
        else:
            todo.append(claim)
    if todo:
        encoded = encode([c.statement for c in todo])
        rows = [
            ClaimEmbedding(
                claim_id=claim.pk,
                model=encoder.MODEL_ID,
                vector=encoder.to_bytes(vector),
                statement_hash=statement_hash(claim.statement),
            )
            for claim, vector in zip(todo, encoded, strict=True)
        ]
        ClaimEmbedding.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["claim"],
            update_fields=["model", "vector", "statement_hash", "updated_at"],
        )
        for claim, vector in zip(todo, encoded, strict=True):
            vectors[claim.pk] = vector
    return vectors


def embed_missing(*, batch: int = 256, limit: int | None = None) -> int:
    """Encode claims without a current vector (up to `limit`); returns how many."""
    done = 0
    stale = (
        Claim.objects.exclude(embedding__model=encoder.MODEL_ID)
        .only("id", "statement")
        .order_by("id")
    )
    while True:
        claims = list(stale[:batch])
        if not claims or (limit is not None and done >= limit):
            return done
        embed_claims(claims)
        done += len(claims)


def nearest_ids(ids: np.ndarray, matrix: np.ndarray, vector: np.ndarray, k: int) -> list[int]:
    """The `k` ids whose rows of `matrix` have the highest dot product with `vector`."""
    if not len(ids):
        return []
    scores = matrix @ vector
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    return [int(i) for i in ids[top[np.argsort(-scores[top])]]]


class DenseIndex:
    """All claims' vectors in one matrix, refreshed from the rows changed since."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.ids = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, encoder.DIMENSION), dtype=np.float32)
        self._row_of: dict[int, int] = {}
        self._stamp: dict[int, object] = {}  # claim id -> updated_at last read
        self._seen_at = None
        self.disabled = False
        self._checked_size_at = 0.0
        self.created_at = time.monotonic()

    def refresh(self) -> None:
        with self._lock:
            self._refresh()

    def _refresh(self) -> None:
        limit = getattr(settings, "CLAIMS_DENSE_INDEX_MAX", 200_000)
        now = time.monotonic()
        if self._seen_at is None and now - self._checked_size_at > 300:
            self._checked_size_at = now
            self.disabled = ClaimEmbedding.objects.aggregate(n=Count("pk"))["n"] > limit
            if self.disabled:
                logger.info("More than %s claims: dense retrieval off, lexical only", limit)
        if self.disabled:
            return
        rows = ClaimEmbedding.objects.filter(model=encoder.MODEL_ID)
        if self._seen_at is not None:
            # Stamps first (small rows), vectors only for what changed since.
            window = rows.filter(updated_at__gte=self._seen_at - REFRESH_OVERLAP)
            changed = [
                claim_id
                for claim_id, updated_at in window.values_list("claim_id", "updated_at")
                if self._stamp.get(claim_id) != updated_at
            ]
            if not changed:
                return
            rows = rows.filter(claim_id__in=changed)
        fresh = list(rows.values_list("claim_id", "vector", "updated_at"))
        if not fresh:
            return
        new_ids, new_vectors = [], []
        for claim_id, vector, updated_at in fresh:
            row = self._row_of.get(claim_id)
            value = encoder.from_bytes(bytes(vector))
            if row is None:
                new_ids.append(claim_id)
                new_vectors.append(value)
            else:
                self.matrix[row] = value
            self._stamp[claim_id] = updated_at
            if self._seen_at is None or updated_at > self._seen_at:
                self._seen_at = updated_at
        if new_ids:
            start = len(self.ids)
            self.ids = np.concatenate([self.ids, np.array(new_ids, dtype=np.int64)])
            self.matrix = np.vstack([self.matrix, np.array(new_vectors, dtype=np.float32)])
            for offset, claim_id in enumerate(new_ids):
                self._row_of[claim_id] = start + offset
        # Only the overlap window's stamps are ever compared again.
        if self._seen_at is not None and len(self._stamp) > 4 * len(fresh) + 10_000:
            horizon = self._seen_at - REFRESH_OVERLAP
            self._stamp = {k: v for k, v in self._stamp.items() if v >= horizon}

    def forget(self, ids: Iterable[int]) -> None:
        """Drop deleted claims, so they stop taking places among the nearest."""
        with self._lock:
            rows = [self._row_of.pop(i) for i in ids if i in self._row_of]
            if rows:
                keep = np.ones(len(self.ids), dtype=bool)
                keep[rows] = False
                self.ids, self.matrix = self.ids[keep], self.matrix[keep]
                self._row_of = {int(claim_id): row for row, claim_id in enumerate(self.ids)}

    def search(self, vector: np.ndarray, k: int) -> list[int]:
        """Ids of the k claims nearest `vector` (deleted claims are dropped by the caller)."""
        with self._lock:
            if self.disabled:
                return []
            return nearest_ids(self.ids, self.matrix, vector, k)


_index = DenseIndex()


def dense_candidates(vector: np.ndarray, k: int) -> list[int]:
    global _index
    if time.monotonic() - _index.created_at > FULL_RELOAD_SECONDS:
        _index = DenseIndex()
    index = _index
    index.refresh()
    return index.search(vector, k)


def forget_deleted(ids: Iterable[int]) -> None:
    _index.forget(ids)


def reset_dense_index() -> None:
    """Forget the in-memory index (tests, after their database is rolled back)."""
    global _index
    _index = DenseIndex()
