"""Find tracked claims that state the same thing as a text ("has this been checked?").

One matcher serves the API's claim search, the search box, the analyst's "Attach to
claim…" list, the suggestions and `manage.py compare_claims`. Three steps:

1. **The query as people paste it** is cleaned (`nlp.lexical.clean_query`: links,
   handles, hashtag marks, emoji, a post's signature) and encoded with the sentence
   encoder (`nlp.encoder`, MiniLM as int8 ONNX, ~5 ms).
2. **Candidates** come from two legs: the nearest claims by meaning (`embeddings`'s
   in-memory matrix of every claim's vector), and claims sharing the query's rarest
   content words through PostgreSQL's full-text GIN index (trigrams for short typed
   fragments). Every leg is capped, so the cost depends on the caps, not the table size.
3. **Each candidate is scored** (`pair_score`) by a logistic model over the embeddings'
   cosine, the rarity-weighted overlap of content words and a character 3-gram cosine,
   trained on CLEF CheckThat! 2020 task 2's training tweets (``manage.py train_matcher``;
   weights and thresholds in ``nlp/models/matcher.json``). Then **direction**
   (`nlp.direction`): a pair that differs in an antonym, negation, quantifier, number,
   date, place or agent is "possibly related" at most, however close its words are.

Tiers: at or above the model's ``likely_same`` threshold (and no difference in direction)
a claim is "likely the same", offered for one-click confirmation; at or above
``related`` it is "possibly related". Nothing is ever attached automatically.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.db import OperationalError, connection, transaction
from django.db.models import QuerySet

from .embeddings import dense_candidates, embed_claims, encode, forget_deleted, query_vector
from .models import Claim
from .nlp import lexical
from .nlp.direction import Difference, direction_difference

logger = logging.getLogger(__name__)

LIKELY_SAME = "likely_same"
RELATED = "related"
TIER_LABELS = {LIKELY_SAME: "Likely the same", RELATED: "Possibly related"}

MODEL_PATH = Path(__file__).resolve().parent / "nlp" / "models" / "matcher.json"

DENSE_CANDIDATES = 100  # nearest claims by meaning
LEXICAL_CANDIDATES = 100  # claims sharing rare words
PREFILTER_CAP = 2000  # rows PostgreSQL ranks at most per leg (bounds the worst case)
MAX_QUERY_TERMS = 24  # the rarest content words of a long text make the SQL query
SHORT_TEXT_WORDS = 6  # texts this short also use the trigram leg
TRIGRAM_THRESHOLD = 0.45
FTS_TIMEOUT_MS = 1500
TRIGRAM_TIMEOUT_MS = 300
# The full-text expression: must equal the indexed one (migration 0004) exactly.
FTS_EXPRESSION = "to_tsvector('english'::regconfig, statement)"


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class MatcherModel:
    weights: dict[str, float]
    bias: float
    likely_same: float
    related: float
    shown: float  # below this a candidate is not listed at all
    min_words_likely: int

    @classmethod
    @lru_cache(maxsize=1)
    def load(cls) -> MatcherModel:
        data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
        return cls(
            weights=data["weights"],
            bias=data["bias"],
            likely_same=data["thresholds"]["likely_same"],
            related=data["thresholds"]["related"],
            shown=data["thresholds"]["shown"],
            min_words_likely=data["thresholds"]["min_words_likely"],
        )


FEATURES = ("cosine", "overlap", "chars")


def pair_features(
    query_text: str, query_vector: np.ndarray, claim_text: str, claim_vector: np.ndarray
) -> dict[str, float]:
    """What the score is made of; `query_text` is already cleaned."""
    return {
        "cosine": float(query_vector @ claim_vector),
        "overlap": lexical.overlap(lexical.terms(query_text), lexical.terms(claim_text)),
        "chars": lexical.cosine(_grams(query_text), _grams(claim_text)),
    }


@lru_cache(maxsize=20_000)
def _grams(text: str):
    return lexical.char_grams(text)


def score_features(features: dict[str, float], model: MatcherModel | None = None) -> float:
    model = model or MatcherModel.load()
    z = model.bias + sum(model.weights[name] * features[name] for name in FEATURES)
    return 1.0 / (1.0 + math.exp(-z))


def tier_for(score: float, query_text: str, difference: Difference | None) -> str:
    model = MatcherModel.load()
    if (
        score >= model.likely_same
        and difference is None
        and lexical.terms(query_text).words >= model.min_words_likely
    ):
        return LIKELY_SAME
    if score >= model.related:
        return RELATED
    return ""


@dataclass(frozen=True)
class PairResult:
    score: float
    tier: str
    difference: Difference | None


def compare(a: str, b: str) -> PairResult:
    """Score and tier of `b` as a match for `a`: what search would say of this pair."""
    query = lexical.clean_query(a)
    claim = " ".join((b or "").split())
    if not query or not claim:
        return PairResult(0.0, "", None)
    vectors = encode([query, claim])
    score = score_features(pair_features(query, vectors[0], claim, vectors[1]))
    difference = direction_difference(query, claim) if score >= _model().related else None
    return PairResult(round(score, 4), tier_for(score, query, difference), difference)


def _model() -> MatcherModel:
    return MatcherModel.load()


def related_threshold() -> float:
    return _model().related


def warm_up() -> None:
    """Load what the first search would (the scoring model, the encoder, the direction
    check's WordNet and GeoNames data: 0.4-1.1 s), so no user waits for it. Called when a
    web worker starts (config/gunicorn.conf.py)."""
    _model()
    encode(["warm up"])
    lexical.terms("warm up the word frequencies")
    # Each check of the direction reads its own data on first use: reach each of them.
    for a, b in (
        ("The festival was held in Lyon in May 2020", "The festival was held in Paris in May 2020"),
        ("The police arrested the mayor on Monday", "The police praised the mayor on Monday"),
    ):
        direction_difference(a, b)


# --------------------------------------------------------------------------- retrieval

_SAFE_WORD = re.compile(r"^[a-z0-9]+$")


def _query_terms(text: str) -> list[str]:
    """The query's content words, rarest first, as PostgreSQL full-text terms."""
    terms = lexical.terms(text)
    ranked = sorted(terms.weights.items(), key=lambda kv: (-kv[1], kv[0]))
    words = []
    for key, _ in ranked:
        written = terms.written[key].lower().replace(",", "").rstrip("%")
        for part in re.split(r"[\s\-'.]+", written):
            if _SAFE_WORD.match(part) and part not in words:
                words.append(part)
        if len(words) >= MAX_QUERY_TERMS:
            break
    return words[:MAX_QUERY_TERMS]


def _bounded_ids(sql: str, params: dict, *, timeout_ms: int, setup: tuple = ()) -> list[int]:
    """Run one candidate query with a statement timeout (in a savepoint, so a cancelled
    query leaves the caller's transaction usable); a leg that is too slow yields nothing
    rather than holding up the page."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(timeout_ms)])
            for statement, args in setup:
                cursor.execute(statement, args)
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]
    except OperationalError as exc:
        if "statement timeout" in str(exc) or "canceling statement" in str(exc):
            logger.warning("Claim candidate query over %s ms; leg skipped", timeout_ms)
            return []
        raise


def _fts_candidates(words: list[str], *, cap: int) -> list[int]:
    """Claims sharing the query's rare words: those matching any of the rarest few (or,
    for a long query, two of them), best ``ts_rank`` over all the words first."""
    if not words:
        return []
    rare = words[:8]
    if len(rare) >= 4:
        match = " | ".join(f"({a} & {b})" for i, a in enumerate(rare) for b in rare[i + 1 :])
    else:
        match = " | ".join(rare)
    sql = f"""
        SELECT hits.id FROM (
            SELECT id, {FTS_EXPRESSION} AS document FROM claims_claim
            WHERE {FTS_EXPRESSION} @@ to_tsquery('english', %(match)s)
            LIMIT %(prefilter)s
        ) AS hits
        ORDER BY ts_rank(hits.document, to_tsquery('english', %(flat)s)) DESC, hits.id DESC
        LIMIT %(cap)s
    """  # noqa: S608 - only constants are interpolated; the query text is a parameter
    params = {"match": match, "flat": " | ".join(words), "prefilter": PREFILTER_CAP, "cap": cap}
    ids = _bounded_ids(sql, params, timeout_ms=FTS_TIMEOUT_MS)
    if len(ids) < cap // 4 and len(rare) >= 4:
        params["match"] = " | ".join(rare)
        seen = set(ids)
        ids += [i for i in _bounded_ids(sql, params, timeout_ms=FTS_TIMEOUT_MS) if i not in seen]
    return ids


def _trigram_candidates(text: str, *, cap: int) -> list[int]:
    sql = """
        SELECT id FROM (
            SELECT id, statement FROM claims_claim
            WHERE %(q)s <%% statement
            LIMIT %(prefilter)s
        ) AS hits
        ORDER BY word_similarity(%(q)s, statement) DESC, id DESC
        LIMIT %(cap)s
    """
    setup = (
        (
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
            [str(TRIGRAM_THRESHOLD)],
        ),
    )
    params = {"q": text, "prefilter": PREFILTER_CAP, "cap": cap}
    return _bounded_ids(sql, params, timeout_ms=TRIGRAM_TIMEOUT_MS, setup=setup)


def candidate_ids(
    text: str, vector: np.ndarray | None = None, timings: dict | None = None
) -> list[int]:
    """Ids of claims worth scoring for the cleaned `text`, from the indexes only."""
    started = time.perf_counter()
    ids: list[int] = []
    if vector is not None:
        ids += dense_candidates(vector, DENSE_CANDIDATES)
    if timings is not None:
        timings["dense_ms"] = (time.perf_counter() - started) * 1000
    seen = set(ids)
    ids += [i for i in _fts_candidates(_query_terms(text), cap=LEXICAL_CANDIDATES) if i not in seen]
    if lexical.terms(text).words <= SHORT_TEXT_WORDS and len(text.strip()) >= 3:
        seen = set(ids)
        more = _trigram_candidates(text.strip(), cap=LEXICAL_CANDIDATES // 4)
        ids += [i for i in more if i not in seen]
    return ids


# --------------------------------------------------------------------------- the matcher


@dataclass(frozen=True)
class Match:
    claim: Claim
    score: float
    tier: str  # LIKELY_SAME, RELATED or ""
    difference: Difference | None = None


def match_claims(
    text: str,
    *,
    limit: int = 10,
    exclude_claim_id=None,
    min_score: float | None = None,
    claims: QuerySet[Claim] | None = None,
    timings: dict | None = None,
) -> list[Match]:
    """Tracked claims most like `text`, best first, each with its score and tier.
    `claims` narrows the claims that may be returned (the API's filters)."""
    started = time.perf_counter()
    model = _model()
    min_score = model.shown if min_score is None else min_score
    query = lexical.clean_query(text)
    if not query or limit <= 0:
        return []
    vector = query_vector(query)
    encoded = time.perf_counter()
    ids = candidate_ids(query, vector, timings)
    found = time.perf_counter()
    if exclude_claim_id is not None:
        ids = [i for i in ids if i != int(exclude_claim_id)]
    if not ids:
        return []
    rows = (claims if claims is not None else Claim.objects.all()).filter(pk__in=ids)
    candidates = list(rows)
    if claims is None and len(candidates) < len(ids):
        forget_deleted(set(ids) - {claim.pk for claim in candidates})
    vectors = embed_claims(candidates)
    retrieved = time.perf_counter()
    ranked = rank(
        query,
        vector,
        [(claim, claim.statement, vectors[claim.pk]) for claim in candidates],
        limit=limit,
        min_score=min_score,
    )
    matches = []
    for claim, score, tier, difference in ranked:
        claim.match_score = score
        claim.match_tier = tier
        claim.match_difference = difference
        matches.append(Match(claim=claim, score=score, tier=tier, difference=difference))
    if timings is not None:
        timings.update(
            encode_ms=(encoded - started) * 1000,
            candidates_ms=(found - encoded) * 1000,
            fetch_ms=(retrieved - found) * 1000,
            score_ms=(time.perf_counter() - retrieved) * 1000,
        )
    return matches


def rank(query: str, vector: np.ndarray, candidates, *, limit: int, min_score: float) -> list:
    """Score each (item, text, vector) candidate against the cleaned `query`; keep the best
    `limit` at or above `min_score`, each as (item, score, tier, difference). A candidate
    that differs in direction never ranks above one that states the same thing. Our claims
    and imported fact-checks are ranked by this one function, so tiers mean the same."""
    model = _model()
    scored = [
        (score_features(pair_features(query, vector, text, stored), model), item, text)
        for item, text, stored in candidates
    ]
    scored.sort(key=lambda row: (-row[0], -row[1].pk))
    ranked = []
    for score, item, text in scored:
        if score < min_score or len(ranked) >= limit:
            break
        difference = direction_difference(query, text) if score >= model.related else None
        ranked.append((item, round(score, 4), tier_for(score, query, difference), difference))
    ranked.sort(key=lambda row: (row[2] != LIKELY_SAME, -row[1], -row[0].pk))
    return ranked


def find_similar_claims(
    text: str, *, limit: int = 10, exclude_claim_id=None
) -> list[tuple[Claim, float]]:
    """(claim, score 0..1) pairs, best first; each claim carries ``match_score``,
    ``match_tier`` and ``match_difference``."""
    return [
        (m.claim, m.score)
        for m in match_claims(text, limit=limit, exclude_claim_id=exclude_claim_id)
    ]
