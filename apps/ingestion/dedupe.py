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
import zlib
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.articles.models import Article

NUM_PERM = 128
ROWS = 2
BANDS = NUM_PERM // ROWS
SHINGLE_WORDS = 3
MIN_SHINGLES = 12  # shorter texts are too small to compare meaningfully
DEFAULT_THRESHOLD = 0.2
MAX_CANDIDATES = 20
VERIFY_CANDIDATES = 5
_WORD = re.compile(r"\w+")
# Stored signatures are only comparable when made the same way. If shingle_hashes() or
# signature() change, stored signatures must be recomputed (as migration 0003 did).
SCHEME = "words-crc32-fmix64/affine32"


def threshold() -> float:
    return float(getattr(settings, "INGEST_NEAR_DUPLICATE_THRESHOLD", DEFAULT_THRESHOLD))


def shingles(text: str) -> set[str]:
    """The word 3-shingles of a text, as strings (for the exact Jaccard check)."""
    words = _WORD.findall(text.casefold())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {f"{a} {b} {c}" for a, b, c in zip(words, words[1:], words[2:], strict=False)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine permutations (h -> a*h + b mod 2^32, `a` odd) for seed 1."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32").permutations
    return a.astype(np.uint32), b.astype(np.uint32)


_MAX32 = np.uint32(0xFFFFFFFF)
_U64 = np.uint64
# Odd 64-bit multipliers (from SplitMix64 and MurmurHash3) that place each word of a
# shingle differently, so "a b c" and "c b a" hash apart.
_POSITION = (_U64(0x9E3779B97F4A7C15), _U64(0xBF58476D1CE4E5B9), _U64(0x94D049BB133111EB))


def _fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer: every input bit reaches every output bit."""
    h = h ^ (h >> _U64(33))
    h = h * _U64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> _U64(33))
    h = h * _U64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> _U64(33))


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, as datasketch's "affine32" scheme applies it."""
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def shingle_hashes(text: str) -> np.ndarray:
    """The distinct 32-bit hashes of the text's word 3-shingles, computed with arrays:
    each distinct word is hashed once (CRC-32 of its UTF-8), a shingle's hash mixes its
    three word hashes by position (64-bit multiply-add, then MurmurHash3's finalizer),
    and the top 32 bits are kept. No string is built per shingle."""
    words = _WORD.findall(text.casefold())
    if not words:
        return np.empty(0, dtype=np.uint32)
    table = {word: zlib.crc32(word.encode()) for word in set(words)}
    ids = np.fromiter(map(table.__getitem__, words), dtype=np.uint64, count=len(words))
    with np.errstate(over="ignore"):
        if len(ids) < SHINGLE_WORDS:  # one short shingle: the whole text
            mixed = sum((ids[i : i + 1] * _POSITION[i] for i in range(len(ids))), _U64(0))
        else:
            n = len(ids) - SHINGLE_WORDS + 1
            mixed = ids[:n] * _POSITION[0] + ids[1 : n + 1] * _POSITION[1]
            mixed = mixed + ids[2 : n + 2] * _POSITION[2]
        mixed = _fmix64(mixed)
    return np.unique((mixed >> _U64(32)).astype(np.uint32))


def signature(hashes: np.ndarray) -> np.ndarray:
    """MinHash of the shingle hashes under NUM_PERM affine permutations (datasketch's
    "affine32" scheme: pre-mixed with fmix32, then a*h + b mod 2^32), the minimum of each."""
    if not len(hashes):
        return np.full(NUM_PERM, _MAX32, dtype="<u4")
    hv = _fmix32(hashes.astype(np.uint32)).reshape(-1, 1)
    a, b = _permutations()
    with np.errstate(over="ignore"):
        return (hv * a + b).min(axis=0).astype("<u4")


def band_hashes(sig: np.ndarray) -> list[int]:
    """One signed 64-bit number per band; the band's position is part of the hash, so
    band 3 of one article only ever matches band 3 of another."""
    raw = sig.astype("<u4").tobytes()
    width = ROWS * 4
    blake2b = hashlib.blake2b
    return [
        int.from_bytes(
            blake2b(
                band.to_bytes(2, "big") + raw[band * width : (band + 1) * width], digest_size=8
            ).digest(),
            "big",
            signed=True,
        )
        for band in range(BANDS)
    ]


def estimated_similarity(a: bytes, b: bytes) -> float:
    x, y = np.frombuffer(a, dtype="<u4"), np.frombuffer(b, dtype="<u4")
    if x.shape != y.shape or not len(x):
        return 0.0
    return float(np.count_nonzero(x == y)) / len(x)


_CANDIDATES_SQL = """
SELECT own.article_id, c.article_id, c.minhash
  FROM ingestion_articlesignature AS own
 CROSS JOIN LATERAL (
       SELECT s.article_id, s.minhash
         FROM ingestion_articlesignature AS s
        WHERE s.bands && own.bands AND s.article_id <> own.article_id
        ORDER BY (SELECT count(*) FROM unnest(s.bands) AS b WHERE b = ANY(own.bands)) DESC,
                 s.article_id
        LIMIT %(limit)s) AS c
 WHERE own.article_id = ANY(%(ids)s)
"""


@dataclass(frozen=True)
class Signature:
    text: str
    minhash: np.ndarray
    bands: list[int]
    shingle_count: int

    @cached_property
    def shingles(self) -> set[str]:
        """The shingles as strings: only needed to verify a candidate, so made lazily."""
        return shingles(self.text)


def compute(text: str) -> Signature | None:
    """The signature of a text, or None when it is too short to compare."""
    hashes = shingle_hashes(text)
    if len(hashes) < MIN_SHINGLES:
        return None
    sig = signature(hashes)
    return Signature(text, sig, band_hashes(sig), len(hashes))


_UPSERT_SQL = """
INSERT INTO ingestion_articlesignature (article_id, minhash, bands, shingle_count, created_at)
VALUES {values}
ON CONFLICT (article_id) DO UPDATE
   SET minhash = EXCLUDED.minhash, bands = EXCLUDED.bands,
       shingle_count = EXCLUDED.shingle_count
"""


def signatures_store(items: list[tuple[int, Signature]]) -> None:
    """Store (or replace) the signatures of articles: one INSERT ... ON CONFLICT for all.
    Plain SQL: the bands go as one array literal, not 64 values each prepared by the ORM."""
    if not items:
        return
    now = timezone.now()
    params: list = []
    for article_id, computed in items:
        bands = "{" + ",".join(map(str, computed.bands)) + "}"
        params += [article_id, computed.minhash.tobytes(), bands, computed.shingle_count, now]
    # Only placeholders are interpolated; the values are parameters.
    values = ", ".join(["(%s, %s, %s::bigint[], %s, %s)"] * len(items))
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT_SQL.format(values=values), params)


def signature_store(article: Article, computed: Signature) -> None:
    signatures_store([(article.pk, computed)])


def _candidates(article_ids: list[int]) -> dict[int, list[tuple[int, bytes]]]:
    """{article id: [(candidate id, minhash)]}: the articles sharing at least one band
    with each stored signature, most shared bands first. One query on the GIN-indexed
    bands for all of them."""
    found: dict[int, list[tuple[int, bytes]]] = {pk: [] for pk in article_ids}
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATES_SQL, {"ids": list(article_ids), "limit": MAX_CANDIDATES})
        for own, pk, minhash in cursor.fetchall():
            found[own].append((pk, bytes(minhash)))
    return found


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
    near_duplicates_link([(article.pk, computed)])
    article.refresh_from_db(fields=["duplicate_of", "duplicate_similarity"])
    return article.duplicate_of, article.duplicate_similarity


def near_duplicates_link(items: list[tuple[int, Signature]]) -> None:
    """near_duplicate_link for articles whose signatures are committed: one candidate
    query for all of them, and one query for the texts of the candidates worth checking
    exactly. Idempotent."""
    if not items:
        return
    candidates = _candidates([pk for pk, _ in items])
    limit = threshold()
    to_verify: dict[int, list[int]] = {}
    for pk, computed in items:
        own_hash = computed.minhash.tobytes()
        # The estimate has a standard error of about 0.04 at these similarities: verify
        # every candidate that is anywhere near, exactly, against its text.
        ranked = sorted(
            ((estimated_similarity(own_hash, m), other) for other, m in candidates[pk]),
            reverse=True,
        )
        near = [other for est, other in ranked if est >= limit - 0.15][:VERIFY_CANDIDATES]
        if near:
            to_verify[pk] = near
    if not to_verify:
        return
    rows = {
        row.pk: row
        for row in Article.objects.filter(
            pk__in={other for near in to_verify.values() for other in near}
        ).only("id", "text", "duplicate_of_id")
    }
    texts: dict[int, set[str]] = {}

    def shingles_of(row: Article) -> set[str]:
        if row.pk not in texts:
            texts[row.pk] = shingles(row.text)
        return texts[row.pk]

    linked: dict[int, int] = {}  # links made by this call: newer id -> older id
    for pk, computed in items:
        if pk in to_verify:
            near = [rows[other] for other in to_verify[pk] if other in rows]
            _link_matches(pk, computed, near, shingles_of, limit, linked)


def _link_matches(
    article_id: int, computed: Signature, near: list, shingles_of, limit: float, linked: dict
) -> None:
    matches = sorted(
        ((jaccard(computed.shingles, shingles_of(row)), row) for row in near),
        key=lambda t: (t[0], -t[1].pk),
        reverse=True,
    )
    matches = [(similarity, row) for similarity, row in matches if similarity >= limit]
    older = [(similarity, row) for similarity, row in matches if row.pk < article_id]
    target_id = linked.get(article_id)
    if older and target_id is None:
        similarity, best = older[0]
        original = best.duplicate_of_id or linked.get(best.pk)
        if original:
            # Point at the original of the cluster when it is close enough itself.
            root = Article.objects.filter(pk=original).only("id", "text").first()
            if root is not None:
                root_similarity = jaccard(computed.shingles, shingles_of(root))
                if root_similarity >= limit:
                    best, similarity = root, root_similarity
        if _link(article_id, best.pk, similarity):
            target_id = linked[article_id] = best.pk
    newer = [
        (s, row)
        for s, row in matches
        if row.pk > article_id and not row.duplicate_of_id and row.pk not in linked
    ]
    if newer:
        # Copies stored at the same moment as this article, which missed it: link them
        # to this article's original (or to this article).
        if target_id is None:
            target = Article.objects.filter(pk=article_id).values_list("duplicate_of_id", flat=True)
            target_id = target.first() or article_id
        for similarity, row in newer:
            if _link(row.pk, target_id, similarity):
                linked[row.pk] = target_id
