"""Near-duplicate articles: the same story republished, trimmed or run through a synonym
"spinner" (like fixtures/seeds/003_*.txt).

Each stored article gets a MinHash signature (datasketch) of its word 3-shingles. The
signature is cut into BANDS bands of ROWS rows; each band is hashed to one 64-bit
number, and the numbers are stored in an indexed array column (ArticleSignature.bands,
GIN). Two articles whose shingle sets have Jaccard similarity s share at least one
band with probability 1 - (1 - s^ROWS)^BANDS: 0.93 at s = 0.2, 0.998 at s = 0.3, 0.01
for unrelated texts on the same topic (s ≈ 0.015 on the seeds). Candidate lookup is one
indexed query (``bands && ARRAY[...]``) that every worker process shares through
PostgreSQL; candidates are then checked with the exact Jaccard similarity of their
texts, and the newer article of a matching pair is linked to the older one
(``duplicate_of``, ``duplicate_similarity``).

Concurrency without a lock: each run commits its signature first and queries after. For
two near-duplicates stored at the same moment, whichever queries later sees the other's
committed signature (if A's query missed B, B committed after A's query, so after A's
commit, and B's query comes later still and sees A). Whichever of the two finds the pair
links the newer to the older, conditionally (``WHERE duplicate_of IS NULL``), so both
finding it writes one link, and links always point from a higher id to a lower one, so
they never form a cycle.

Why these numbers: a spinner that replaces a quarter of the longer words leaves about
0.4 of the 3-shingles shared, a third leaves about 0.3; different articles about the
same event share under 0.02 (measured on the seeds). A threshold of 0.2 sits between.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from django.conf import settings
from django.db import connection

from apps.articles.models import Article

from .models import ArticleSignature

NUM_PERM = 128
ROWS = 2
BANDS = NUM_PERM // ROWS
SHINGLE_WORDS = 3
MIN_SHINGLES = 12  # shorter texts are too small to compare meaningfully
DEFAULT_THRESHOLD = 0.2
MAX_CANDIDATES = 20
VERIFY_CANDIDATES = 5
_WORD = re.compile(r"\w+")
# Stored signatures are only comparable when made the same way: fix the hashing scheme.
_SCHEME = "affine32"


def threshold() -> float:
    return float(getattr(settings, "INGEST_NEAR_DUPLICATE_THRESHOLD", DEFAULT_THRESHOLD))


def shingles(text: str) -> set[str]:
    words = _WORD.findall(text.casefold())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@lru_cache(maxsize=1)
def _permutations():
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1, scheme=_SCHEME).permutations


def signature(shingle_set: set[str]) -> np.ndarray:
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=1, permutations=_permutations(), scheme=_SCHEME)
    minhash.update_batch(s.encode("utf-8") for s in shingle_set)
    return minhash.hashvalues.astype("<u4")


def band_hashes(sig: np.ndarray) -> list[int]:
    """One signed 64-bit number per band; the band's position is part of the hash, so
    band 3 of one article only ever matches band 3 of another."""
    out = []
    for band in range(BANDS):
        rows = sig[band * ROWS : (band + 1) * ROWS].astype("<u4").tobytes()
        digest = hashlib.blake2b(band.to_bytes(2, "big") + rows, digest_size=8).digest()
        out.append(int.from_bytes(digest, "big", signed=True))
    return out


def estimated_similarity(a: bytes, b: bytes) -> float:
    x, y = np.frombuffer(a, dtype="<u4"), np.frombuffer(b, dtype="<u4")
    if x.shape != y.shape or not len(x):
        return 0.0
    return float(np.count_nonzero(x == y)) / len(x)


_CANDIDATES_SQL = """
SELECT article_id, minhash
  FROM ingestion_articlesignature
 WHERE bands && %(bands)s::bigint[] AND article_id <> %(id)s
 ORDER BY (SELECT count(*) FROM unnest(bands) AS b WHERE b = ANY(%(bands)s::bigint[])) DESC,
          article_id
 LIMIT %(limit)s
"""


@dataclass(frozen=True)
class Signature:
    shingles: frozenset[str]
    minhash: np.ndarray
    bands: list[int]


def compute(text: str) -> Signature | None:
    """The signature of a text, or None when it is too short to compare."""
    own = shingles(text)
    if len(own) < MIN_SHINGLES:
        return None
    sig = signature(own)
    return Signature(frozenset(own), sig, band_hashes(sig))


def signature_store(article: Article, computed: Signature) -> None:
    """Store (or replace) the article's signature: one INSERT ... ON CONFLICT."""
    ArticleSignature.objects.bulk_create(
        [
            ArticleSignature(
                article=article,
                minhash=computed.minhash.tobytes(),
                bands=computed.bands,
                shingle_count=len(computed.shingles),
            )
        ],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["minhash", "bands", "shingle_count"],
    )


def _candidates(article_id: int, computed: Signature) -> list[tuple[int, bytes]]:
    """[(article_id, minhash)] of the articles sharing at least one band with this one,
    most shared bands first: one query on the GIN-indexed bands."""
    with connection.cursor() as cursor:
        cursor.execute(
            _CANDIDATES_SQL,
            {"bands": computed.bands, "id": article_id, "limit": MAX_CANDIDATES},
        )
        return cursor.fetchall()


def _link(newer_id: int, older_id: int, similarity: float) -> bool:
    return bool(
        Article.objects.filter(pk=newer_id, duplicate_of__isnull=True).update(
            duplicate_of_id=older_id, duplicate_similarity=round(similarity, 4)
        )
    )


def near_duplicate_link(
    article: Article, computed: Signature | None = None, *, stored: bool = False
) -> tuple[Article | None, float | None]:
    """Link the article and its near-duplicates: the article to the older article it
    nearly duplicates (the original of that story, when close enough), and newer
    near-duplicates not yet linked to the article. Stores the signature first unless
    `stored` (the caller committed it). Returns the article's (duplicate_of, similarity).
    Idempotent."""
    computed = computed or compute(article.text)
    if computed is None:
        return None, None
    if not stored:
        signature_store(article, computed)
    candidates = _candidates(article.pk, computed)
    if not candidates:
        return None, None
    limit = threshold()
    own_hash = computed.minhash.tobytes()
    # The estimate has a standard error of about 0.04 at these similarities: verify every
    # candidate that is anywhere near, exactly, against its text.
    ranked = sorted(
        ((estimated_similarity(own_hash, bytes(m)), pk) for pk, m in candidates), reverse=True
    )
    to_verify = [pk for est, pk in ranked if est >= limit - 0.15][:VERIFY_CANDIDATES]
    if not to_verify:
        return None, None
    rows = Article.objects.filter(pk__in=to_verify).only("id", "text", "duplicate_of_id")
    matches = sorted(
        ((jaccard(computed.shingles, shingles(row.text)), row) for row in rows),
        key=lambda t: (t[0], -t[1].pk),
        reverse=True,
    )
    matches = [(similarity, row) for similarity, row in matches if similarity >= limit]
    older = [(similarity, row) for similarity, row in matches if row.pk < article.pk]
    if older:
        similarity, best = older[0]
        if best.duplicate_of_id:
            # Point at the original of the cluster when it is close enough itself.
            root = Article.objects.filter(pk=best.duplicate_of_id).only("id", "text").first()
            if root is not None:
                root_similarity = jaccard(computed.shingles, shingles(root.text))
                if root_similarity >= limit:
                    best, similarity = root, root_similarity
        _link(article.pk, best.pk, similarity)
    newer = [(s, row) for s, row in matches if row.pk > article.pk and not row.duplicate_of_id]
    if newer:
        # Copies stored at the same moment as this article, which missed it: link them
        # to this article's original (or to this article).
        target = Article.objects.filter(pk=article.pk).values_list("duplicate_of_id", flat=True)
        target_id = target.first() or article.pk
        for similarity, row in newer:
            _link(row.pk, target_id, similarity)
    article.refresh_from_db(fields=["duplicate_of", "duplicate_similarity"])
    return article.duplicate_of, article.duplicate_similarity
