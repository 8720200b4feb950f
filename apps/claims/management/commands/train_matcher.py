"""Fit the matcher's score and choose its tiers, on training data only.

    python manage.py train_matcher --clef PATH/clef2020-task2 [--polarity polarity-dev.tsv]

The score (`matching.score_features`) is a logistic model over the features of a query
and a claim. It is fitted on CLEF CheckThat! 2020 task 2's *train* tweets: for each tweet,
the 50 fact-checked claims nearest by meaning are candidates, the one it matches is the
positive. The thresholds come from the same pairs:

* ``likely_same``: the lowest score at which ≥ 90 % of training pairs are right; with a
  pairs file (``expect`` = same/different), lowered if need be until ≥ 80 % of its
  same-meaning pairs reach it, as long as training precision stays ≥ 80 %;
* ``related``: the score that keeps 95 % of the right pairs; ``shown``: 99 %.

Nothing is read from the dev or test tweets. Writes apps/claims/nlp/models/matcher.json.
Needs scikit-learn (the ``train`` extra).
"""

from __future__ import annotations

import json
from datetime import date

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from apps.claims import matching
from apps.claims.embeddings import encode
from apps.claims.nlp import clef, encoder, lexical

CANDIDATES = 50
# CLEF's labels name one fact-check per tweet, but Snopes often checked the same claim more
# than once: measured precision plateaus near 0.78 however high the score (the "wrong"
# pairs at the top are mostly the same claim, checked again). Hence these targets.
LIKELY_PRECISION = 0.75
FLOOR_PRECISION = 0.7


def _threshold_at_precision(scores: np.ndarray, labels: np.ndarray, precision: float) -> float:
    order = np.argsort(-scores)
    hits = np.cumsum(labels[order])
    ranks = np.arange(1, len(order) + 1)
    ok = np.where(hits / ranks >= precision)[0]
    return float(scores[order][ok.max()]) if len(ok) else 1.0


def _threshold_at_recall(scores: np.ndarray, labels: np.ndarray, recall: float) -> float:
    positives = np.sort(scores[labels == 1])[::-1]
    index = min(len(positives) - 1, int(np.ceil(recall * len(positives))) - 1)
    return float(positives[index])


class Command(BaseCommand):
    help = "Fit the claim matcher's score and tiers on CLEF 2020 task 2 train (and a pairs file)."

    def add_arguments(self, parser):
        parser.add_argument("--clef", required=True, help="The clef2020-task2 folder.")
        parser.add_argument("--polarity", help="A pairs file with `expect` (same/different).")
        parser.add_argument("--output", default=str(matching.MODEL_PATH))
        parser.add_argument(
            "--cache", help="An .npz file to keep the encoded pool and tweets in between runs."
        )

    def handle(self, *args, **options):
        try:
            from sklearn.linear_model import LogisticRegression
        except ImportError:  # pragma: no cover - the train extra
            raise CommandError("Training needs scikit-learn: pip install -e '.[train]'") from None
        try:
            data = clef.read_clef(options["clef"], "train")
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from None
        texts = [" ".join(c[1].split()) for c in data.claims]
        index = {c[0]: i for i, c in enumerate(data.claims)}
        self.stdout.write(
            f"Encoding {len(texts)} fact-checked claims and {len(data.queries)} tweets"
        )
        queries = [lexical.clean_query(text) for _, text in data.queries]
        pool, qvectors = self._encode(texts, queries, options["cache"])
        rows, labels = [], []
        for (tweet_id, _), query, qvector in zip(data.queries, queries, qvectors, strict=True):
            relevant = {index[c] for c in data.relevant[tweet_id] if c in index}
            top = set(np.argsort(-(pool @ qvector))[:CANDIDATES].tolist()) | relevant
            for candidate in top:
                features = matching.pair_features(query, qvector, texts[candidate], pool[candidate])
                rows.append([features[name] for name in matching.FEATURES])
                labels.append(int(candidate in relevant))
        x, y = np.array(rows), np.array(labels)
        fitted = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
        weights = dict(zip(matching.FEATURES, fitted.coef_[0].tolist(), strict=True))
        bias = float(fitted.intercept_[0])
        scores = fitted.predict_proba(x)[:, 1]
        for t in (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9):
            chosen = scores >= t
            precision = y[chosen].mean() if chosen.any() else 0
            self.stdout.write(
                f"  score >= {t}: {chosen.sum()} pairs, precision {precision:.3f}, "
                f"recall {y[chosen].sum() / y.sum():.3f}"
            )
        likely = _threshold_at_precision(scores, y, LIKELY_PRECISION)
        related = _threshold_at_recall(scores, y, 0.95)
        shown = _threshold_at_recall(scores, y, 0.99)
        self.stdout.write(f"weights {weights} bias {bias:.3f}")
        self.stdout.write(
            f"train: likely_same >= {likely:.3f} (precision {LIKELY_PRECISION}), "
            f"related >= {related:.3f} (recall 0.95), shown >= {shown:.3f}"
        )
        if options["polarity"]:
            likely = self._fit_to_pairs(options["polarity"], weights, bias, likely, scores, y)
        model = {
            "about": (
                "Claim matcher score (logistic over matching.FEATURES) and tier thresholds, "
                "fitted by `manage.py train_matcher` on CLEF CheckThat! 2020 task 2 train "
                "(tweets vs fact-checked claims)"
                + (" and the pairs file given" if options["polarity"] else "")
                + f", encoder {encoder.MODEL_ID}, on {date.today().isoformat()}."
            ),
            "weights": {k: round(v, 4) for k, v in weights.items()},
            "bias": round(bias, 4),
            "thresholds": {
                "likely_same": round(likely, 4),
                "related": round(min(related, likely), 4),
                "shown": round(min(shown, related, likely), 4),
                "min_words_likely": 6,
            },
        }
        with open(options["output"], "w", encoding="utf-8") as handle:
            json.dump(model, handle, indent=2)
            handle.write("\n")
        matching.MatcherModel.load.cache_clear()
        self.stdout.write(self.style.SUCCESS(f"Wrote {options['output']}"))

    def _encode(self, texts, queries, cache):
        if cache:
            try:
                saved = np.load(cache)
                pool, vectors = saved["pool"], saved["queries"]
                if pool.shape[0] == len(texts) and vectors.shape[0] == len(queries):
                    return pool, vectors
            except (OSError, KeyError):
                pass
        pool, qvectors = encode(texts), encode(queries)
        if cache:
            np.savez(cache, pool=pool, queries=qvectors)
        return pool, qvectors

    def _fit_to_pairs(self, path, weights, bias, likely, scores, y) -> float:
        pairs = [p for p in clef.read_pairs(path) if p.get("expect") == "same"]
        if not pairs:
            return likely
        same_scores = []
        for pair in pairs:
            a, b = lexical.clean_query(pair["a"]), " ".join(pair["b"].split())
            va, vb = encode([a, b])
            features = matching.pair_features(a, va, b, vb)
            z = bias + sum(weights[n] * features[n] for n in matching.FEATURES)
            same_scores.append(1.0 / (1.0 + np.exp(-z)))
        same_scores = np.array(same_scores)
        self.stdout.write("pairs' scores: " + " ".join(f"{v:.2f}" for v in sorted(same_scores)))
        recall = float(np.mean(same_scores >= likely))
        self.stdout.write(f"pairs: {recall:.2f} of {len(pairs)} same-meaning pairs >= {likely:.3f}")
        floor = _threshold_at_precision(scores, y, FLOOR_PRECISION)
        while recall < 0.8 and likely > floor:
            likely = max(floor, likely - 0.01)
            recall = float(np.mean(same_scores >= likely))
        self.stdout.write(f"likely_same -> {likely:.3f}: {recall:.2f} of same-meaning pairs")
        return likely
