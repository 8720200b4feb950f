"""The held-out referee: each figure on data the methods were not tuned on.

    python manage.py evaluate_matching \\
        --clef PATH/clef2020-task2 [--split dev] \\
        --polarity PATH/polarity-dev.tsv \\
        --checkworthy PATH/CT24_checkworthy_english_dev-test.tsv \\
        --attribution PATH/attribution-dev.tsv

Give any of the four. Paths are arguments: the public sets are not part of the project.

* **matching** (`--clef`): the 10,375 fact-checked claims become claims in the database
  (with their embeddings, as on save), then each tweet of the split goes through
  `match_claims`, the code behind ``/api/claims/search``: MAP@5, P@1, how often the right
  claim comes first as "likely the same", how often a wrong one does, and the time per
  query. Everything is rolled back at the end.
* **direction** (`--polarity`): `matching.compare` on each pair: pairs that must differ
  called "likely the same" (the target is none), same-meaning pairs called so (≥ 80 %).
* **check-worthiness** (`--checkworthy`): the shipped model at its shipped threshold.
* **claimants** (`--attribution`): `guess_claimant` on context + sentence.
"""

from __future__ import annotations

import csv
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.claims import matching
from apps.claims.embeddings import embed_claims, reset_dense_index
from apps.claims.models import Claim
from apps.claims.nlp import clef


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Print matching, direction, check-worthiness and claimant figures on held-out sets."

    def add_arguments(self, parser):
        parser.add_argument("--clef", help="The clef2020-task2 folder.")
        parser.add_argument("--split", default="dev", help="Which CLEF split's tweets (dev).")
        parser.add_argument("--limit", type=int, default=0, help="Only the first N tweets.")
        parser.add_argument("--polarity", help="A pairs file: expect, a, b[, kind].")
        parser.add_argument("--checkworthy", help="A CheckThat! 2024 TSV with class_label.")
        parser.add_argument("--attribution", help="id, context, sentence, claimant[, construction]")
        parser.add_argument("--verbose", action="store_true")

    def handle(self, *args, **options):
        if not any(options[k] for k in ("clef", "polarity", "checkworthy", "attribution")):
            raise CommandError(
                "Give at least one of --clef, --polarity, --checkworthy, --attribution."
            )
        try:
            if options["clef"]:
                self._matching(options)
            if options["polarity"]:
                self._direction(options["polarity"], options["verbose"])
            if options["checkworthy"]:
                self._checkworthy(options["checkworthy"])
            if options["attribution"]:
                self._attribution(options["attribution"], options["verbose"])
        except (FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from None

    # ----------------------------------------------------------------------- matching

    def _matching(self, options) -> None:
        data = clef.read_clef(options["clef"], options["split"])
        queries = data.queries[: options["limit"]] if options["limit"] else data.queries
        self.stdout.write(
            f"Matching: {len(queries)} {options['split']} tweets against {len(data.claims)} "
            "fact-checked claims"
        )
        try:
            with transaction.atomic():
                reset_dense_index()
                started = time.perf_counter()
                claims = Claim.objects.bulk_create(
                    [Claim(statement=" ".join(text.split())) for _, text, _ in data.claims],
                    batch_size=2000,
                )
                for i in range(0, len(claims), 512):
                    embed_claims(claims[i : i + 512])
                load_s = time.perf_counter() - started
                ids = {
                    claim.pk: source
                    for claim, (source, _, _) in zip(claims, data.claims, strict=True)
                }
                self._rank(queries, data.relevant, ids, load_s, options["verbose"])
                raise _Rollback
        except _Rollback:
            pass
        finally:
            reset_dense_index()

    def _rank(self, queries, relevant, ids, load_s, verbose) -> None:
        aps, first, times = [], 0, []
        tiers = Counter()
        parts: Counter = Counter()
        for tweet_id, text in queries:
            started = time.perf_counter()
            timings: dict = {}
            matches = matching.match_claims(text, limit=5, timings=timings)
            times.append((time.perf_counter() - started) * 1000)
            parts.update(timings)
            ranked = [ids.get(m.claim.pk, "") for m in matches]
            right = relevant[tweet_id]
            aps.append(clef.average_precision(ranked, right))
            if matches:
                top_right = ranked[0] in right
                first += top_right
                tiers[("right" if top_right else "wrong", matches[0].tier or "none")] += 1
                # A wrong claim called "likely the same" anywhere in the five.
                tiers["wrong_likely_anywhere"] += any(
                    m.tier == matching.LIKELY_SAME and ids.get(m.claim.pk) not in right
                    for m in matches
                )
            else:
                tiers[("none", "none")] += 1
            if verbose and aps[-1] < 1:
                self.stdout.write(f"  AP {aps[-1]:.2f}  {text[:100]!r}")
        n = len(queries)
        times.sort()
        self.stdout.write(f"  loaded and encoded the pool in {load_s:.1f} s")
        self.stdout.write(f"  MAP@5 {statistics.mean(aps):.4f}   P@1 {first / n:.4f}")
        self.stdout.write(
            "  first result: right & likely_same {}, right & related {}, right & lower {}; "
            "wrong & likely_same {}, wrong & related {}".format(
                tiers[("right", matching.LIKELY_SAME)],
                tiers[("right", matching.RELATED)],
                tiers[("right", "none")],
                tiers[("wrong", matching.LIKELY_SAME)],
                tiers[("wrong", matching.RELATED)],
            )
        )
        self.stdout.write(
            f"  queries with a wrong claim called likely_same in the top 5: "
            f"{tiers['wrong_likely_anywhere']} of {n}"
        )
        self.stdout.write(
            f"  time per query: p50 {times[n // 2]:.0f} ms, p95 {times[int(n * 0.95)]:.0f} ms "
            "(in process, one client); mean "
            + ", ".join(f"{name} {total / n:.0f} ms" for name, total in sorted(parts.items()))
        )

    # ----------------------------------------------------------------------- direction

    def _direction(self, path, verbose) -> None:
        pairs = clef.read_pairs(path)
        per_kind: dict[str, Counter] = defaultdict(Counter)
        for pair in pairs:
            result = matching.compare(pair["a"], pair["b"])
            expect = pair.get("expect", "")
            kind = f"{expect}/{pair.get('kind', '')}"
            per_kind[kind]["n"] += 1
            per_kind[kind]["likely"] += result.tier == matching.LIKELY_SAME
            if verbose:
                diff = result.difference
                why = f" ({diff.kind}: {diff.detail})" if diff else ""
                self.stdout.write(
                    f"  {expect:9} {result.score:.3f} {result.tier or '-':11}{why} "
                    f"{pair['a'][:60]!r}"
                )
        differ = [c for k, c in per_kind.items() if k.startswith("different/")]
        same = [c for k, c in per_kind.items() if k.startswith("same/")]
        wrong = sum(c["likely"] for c in differ)
        right = sum(c["likely"] for c in same)
        self.stdout.write(f"Direction: {len(pairs)} pairs from {path}")
        self.stdout.write(
            f"  must differ, called likely_same: {wrong} of {sum(c['n'] for c in differ)}; "
            f"same meaning, called likely_same: {right} of {sum(c['n'] for c in same)} "
            f"({right / max(1, sum(c['n'] for c in same)):.0%})"
        )
        for kind in sorted(per_kind):
            counts = per_kind[kind]
            self.stdout.write(f"    {kind:28} likely_same {counts['likely']} of {counts['n']}")

    # ----------------------------------------------------------------------- others

    def _checkworthy(self, path) -> None:
        from apps.claims.suggestions import checkworthy_model

        csv.field_size_limit(sys.maxsize)
        with Path(path).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        if not rows or "class_label" not in rows[0]:
            raise ValueError(f"{path} needs the columns Text and class_label.")
        model = checkworthy_model()
        scores = model.score([row.get("Text") or row.get("text") or "" for row in rows])
        predicted = [model.is_checkworthy(s) for s in scores]
        gold = [row["class_label"].strip().lower() == "yes" for row in rows]
        tp = sum(p and g for p, g in zip(predicted, gold, strict=True))
        precision = tp / max(1, sum(predicted))
        recall = tp / max(1, sum(gold))
        f1 = 2 * precision * recall / max(1e-9, precision + recall)
        self.stdout.write(
            f"Check-worthiness: {len(rows)} sentences, model {model!r} at its threshold "
            f"{model.threshold:.3f}: P {precision:.3f} R {recall:.3f} F1 {f1:.3f}"
        )

    def _attribution(self, path, verbose) -> None:
        from apps.claims.nlp.attribution import guess_claimant, same_claimant

        csv.field_size_limit(sys.maxsize)
        with Path(path).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        if not rows or not {"context", "sentence", "claimant"} <= set(rows[0]):
            raise ValueError(f"{path} needs the columns context, sentence and claimant.")
        per = defaultdict(Counter)
        for row in rows:
            context = (row["context"] or "").strip()
            text = f"{context} {row['sentence']}" if context else row["sentence"]
            start = len(text) - len(row["sentence"])
            guess = guess_claimant(text, start, len(text))
            expected = (row["claimant"] or "").strip()
            expected = "" if expected.lower() == "none" else expected
            name = guess.name if guess else ""
            ok = same_claimant(name, expected) if (name and expected) else name == expected
            for key in ("all", "none" if not expected else "named", row.get("construction", "")):
                per[key]["n"] += 1
                per[key]["ok"] += ok
            if verbose and not ok:
                self.stdout.write(
                    f"  {row.get('id')}: expected {expected or 'none'!r}, got {name or 'none'!r}"
                )
        self.stdout.write(f"Claimants: {len(rows)} sentences from {path}")
        main = ("all", "named", "none")
        for key in (*main, *sorted(k for k in per if k not in main)):
            ok, n = per[key]["ok"], per[key]["n"]
            if n:
                self.stdout.write(f"    {key:20} {ok / n:.3f} ({ok}/{n})")
