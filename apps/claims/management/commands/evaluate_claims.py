"""Measure suggestion, attribution and matching against a hand annotation.

    python manage.py import_articles fixtures/seeds   # once (`make run` does it)
    python manage.py evaluate_claims fixtures/eval/seed-claims.json [--seeds DIR] [--verbose]

The annotation (format of fixtures/eval/seed-claims.json) lists articles by file name and
claims as exact quotes with a claimant and a cluster. The articles are looked up in the
database (by file name, as `import_articles` stores it); a missing one is an error that
names the import command (importing is ingestion's, an app above claims). The raw files in
--seeds (default: ``../seeds`` beside the annotation) place each quote. Then:

* **suggestions**: `suggestions_generate` runs on each article (idempotent); recall is
  the share of annotated quotes that some suggestion overlaps, precision the share of
  suggestions that overlap some quote (the annotation is not exhaustive, so precision
  reads low);
* **claimants**: `guess_claimant` on each quote's span in the stored text, right when
  `same_claimant` accepts it (or both say nobody);
* **matching**: every annotated quote becomes a claim (`claim_create`, as an analyst
  would); for each one in a cluster with other members, `match_claims` ranks the other
  claims in the database, and average precision says whether its cluster comes first
  (MAP over those claims). Pairwise precision and recall at each tier's threshold count
  a pair as predicted when either claim finds the other at that tier.

The claims (and the user that makes them) are rolled back at the end unless --keep.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.articles.models import Article
from apps.core.text import normalize_text


class _Rollback(Exception):
    pass


@dataclass
class Quote:
    id: str
    article: str
    quote: str
    claimant: str | None
    cluster: str | None
    start: int = -1
    end: int = -1
    claim_id: int | None = None


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)


def _anchor(text: str, quote: str, raw_offset: int, shift: int) -> tuple[int, int]:
    """The quote's span in the stored text: the occurrence nearest where the raw file's
    offset lands once the removed head of the file is accounted for."""
    for candidate in (quote, normalize_text(quote)):
        found, position = [], text.find(candidate)
        while position >= 0:
            found.append(position)
            position = text.find(candidate, position + 1)
        if found:
            best = min(found, key=lambda p: abs(p - (raw_offset - shift)))
            return best, best + len(candidate)
    return -1, -1


class Command(BaseCommand):
    help = "Evaluate claim suggestion, attribution and matching against an annotation file."

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="Annotation JSON (format of fixtures/eval/seed-claims.json)"
        )
        parser.add_argument("--seeds", default="", help="Folder of the article files")
        parser.add_argument("--verbose", action="store_true", help="List every miss")
        parser.add_argument("--keep", action="store_true", help="Keep the claims it creates")
        parser.add_argument(
            "--json", dest="json_path", default="", help="Also write the figures to this file"
        )

    def handle(self, *args, path, seeds, verbose, keep, json_path, **options):
        annotation_path = Path(path)
        try:
            annotation = _load_json(annotation_path)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from None
        seeds_dir = Path(seeds) if seeds else annotation_path.parent.parent / "seeds"
        quotes = [
            Quote(
                id=str(c.get("id", i)),
                article=c["article"],
                quote=c["quote"],
                claimant=c.get("claimant"),
                cluster=c.get("cluster"),
                start=int(c.get("start", -1)),
            )
            for i, c in enumerate(annotation.get("claims", []))
        ]
        names = list(annotation.get("articles") or dict.fromkeys(q.article for q in quotes))
        articles = self._articles(names, seeds_dir)
        report = Report()
        self._anchor_quotes(quotes, articles, seeds_dir, report)
        self._suggestions(quotes, articles, report, verbose)
        self._claimants(quotes, articles, report, verbose)
        try:
            with transaction.atomic():
                self._matching(quotes, articles, report, verbose)
                if not keep:
                    raise _Rollback
        except _Rollback:
            pass
        for line in report.lines:
            self.stdout.write(line)
        if json_path:
            Path(json_path).write_text(_dump(report.figures), encoding="utf-8")

    # ----------------------------------------------------------------------- articles

    def _articles(self, names: list[str], seeds_dir: Path) -> dict[str, Article]:
        found: dict[str, Article] = {}
        for name in names:
            article = Article.objects.filter(source_name=name).order_by("id").first()
            if article is not None:
                found[name] = article
        missing = [name for name in names if name not in found]
        if missing:
            raise CommandError(
                f"Not in the database: {', '.join(missing)}. Import them first: "
                f"python manage.py import_articles {seeds_dir}"
            )
        self.stdout.write(f"Articles: {len(found)}")
        return found

    def _anchor_quotes(self, quotes, articles, seeds_dir: Path, report: Report) -> None:
        missing = []
        for q in quotes:
            text = articles[q.article].text
            raw_path = seeds_dir / q.article
            shift = 0
            if raw_path.is_file():
                raw = normalize_text(raw_path.read_bytes().decode("utf-8-sig"))
                head = raw[: max(0, q.start)]
                # Characters of the raw file before the quote that the cleaner removed.
                shift = len(head) - len(head.strip()) if head else 0
            q.start, q.end = _anchor(text, q.quote, q.start, shift)
            if q.start < 0:
                missing.append(q.id)
        if missing:
            report.lines.append(
                f"  ({len(missing)} quote(s) not found in the stored text: {', '.join(missing)})"
            )

    # ----------------------------------------------------------------------- suggestions

    def _suggestions(self, quotes, articles, report: Report, verbose: bool) -> None:
        from apps.claims.models import Suggestion
        from apps.claims.suggestions import checkworthy_model, suggestions_generate, threshold

        spans: list[tuple[str, int, int, str]] = []
        for name, article in articles.items():
            suggestions_generate(article=article)
            for s in Suggestion.objects.filter(article=article).order_by("start"):
                spans.append((name, s.start, s.end, s.sentence))
        anchored = [q for q in quotes if q.start >= 0]
        found = {
            q.id
            for q in anchored
            if any(n == q.article and s < q.end and q.start < e for n, s, e, _ in spans)
        }
        hits = sum(
            1
            for n, s, e, _ in spans
            if any(q.article == n and s < q.end and q.start < e for q in anchored)
        )
        recall = len(found) / len(quotes) if quotes else 0.0
        precision = hits / len(spans) if spans else 0.0
        model = checkworthy_model()
        report.figures["suggestions"] = {
            "threshold": threshold(),
            "model": f"{model.name} {model.version}",
            "suggested": len(spans),
            "recall": round(recall, 3),
            "precision": round(precision, 3),
            "quotes_found": len(found),
            "quotes": len(quotes),
            "suggestions_on_a_quote": hits,
        }
        report.lines.append(
            f"Suggestions (threshold {threshold():.2f}, {model.name} {model.version}): "
            f"{len(spans)} suggested; recall {recall:.3f} ({len(found)}/{len(quotes)} quotes), "
            f"precision {precision:.3f} ({hits}/{len(spans)} suggestions on a quote)"
        )
        if verbose:
            for q in quotes:
                if q.id not in found:
                    report.lines.append(f"  missed {q.id} {q.article}: {q.quote[:90]}")

    # ----------------------------------------------------------------------- claimants

    def _claimants(self, quotes, articles, report: Report, verbose: bool) -> None:
        from apps.claims.nlp.attribution import guess_claimant, same_claimant

        right, rows = 0, 0
        misses = []
        for q in quotes:
            if q.start < 0:
                continue
            rows += 1
            guess = guess_claimant(articles[q.article].text, q.start, q.end)
            if guess is None or q.claimant is None:
                ok = guess is None and q.claimant is None
            else:
                ok = same_claimant(guess.name, q.claimant)
            right += ok
            if not ok:
                misses.append(f"  claimant {q.id}: expected {q.claimant!r}, guessed "
                              f"{guess.name if guess else None!r}")  # fmt: skip
        accuracy = right / rows if rows else 0.0
        report.figures["claimants"] = {"accuracy": round(accuracy, 3), "right": right, "of": rows}
        report.lines.append(f"Claimant accuracy: {accuracy:.3f} ({right}/{rows})")
        if verbose:
            report.lines.extend(misses)

    # ----------------------------------------------------------------------- matching

    def _matching(self, quotes, articles, report: Report, verbose: bool) -> None:
        from django.contrib.auth.models import User

        from apps.accounts.services import user_create_with_role
        from apps.claims import matching, services
        from apps.claims.models import Claim
        from apps.core.errors import DomainError

        user = User.objects.filter(username="evaluate-claims").first()
        if user is None:
            user, _ = user_create_with_role(username="evaluate-claims", role="analyst")
        anchored = [q for q in quotes if q.start >= 0]
        for q in anchored:
            article = articles[q.article]
            try:
                claim = services.claim_create(
                    article=article, start=q.start, end=q.end, quote=q.quote, by=user
                )
            except DomainError:
                # The same span is a claim already (a kept earlier run): use that one.
                claim = (
                    Claim.objects.filter(
                        appearances__article=article,
                        appearances__start=q.start,
                        appearances__end=q.end,
                    )
                    .order_by("id")
                    .first()
                )
            q.claim_id = claim.pk if claim else None
        by_claim = {q.claim_id: q for q in anchored if q.claim_id}
        results: dict[str, list[tuple[str, float, str]]] = {}
        for q in anchored:
            matches = matching.match_claims(
                q.quote, limit=200, exclude_claim_id=q.claim_id, min_score=0.0
            )
            results[q.id] = [
                (by_claim[m.claim.pk].id if m.claim.pk in by_claim else f"#{m.claim.pk}",
                 m.score, m.tier)
                for m in matches
            ]  # fmt: skip
        clusters = {q.id: q.cluster for q in anchored}
        average_precisions = []
        by_cluster: dict[str, list[float]] = {}
        weak = []
        for q in anchored:
            relevant = {
                other.id for other in anchored if q.cluster and other.cluster == q.cluster
            } - {q.id}
            if not relevant:
                continue
            hits, total = 0, 0.0
            for rank, (other, _score, _tier) in enumerate(results[q.id], 1):
                if other in relevant:
                    hits += 1
                    total += hits / rank
            ap = total / len(relevant)
            average_precisions.append(ap)
            by_cluster.setdefault(q.cluster, []).append(ap)
            if ap < 0.5:
                top = ", ".join(
                    f"{o}({clusters.get(o) or '-'}) {s:.2f}" for o, s, _ in results[q.id][:3]
                )
                weak.append(f"  AP {ap:.2f} {q.id} [{q.cluster}]: top {top}")
        mean_ap = sum(average_precisions) / len(average_precisions) if average_precisions else 0.0
        # Pairs: the best score and tier either claim finds the other at.
        best: dict[frozenset, tuple[float, str]] = {}
        rank_of = {matching.LIKELY_SAME: 2, matching.RELATED: 1, "": 0}
        for qid, rows in results.items():
            for other, score, tier in rows:
                if other.startswith("#"):
                    continue
                key = frozenset((qid, other))
                current = best.get(key, (0.0, ""))
                best[key] = (max(current[0], score), max(current[1], tier, key=rank_of.get))
        ids = [q.id for q in anchored]
        same_pairs = {
            frozenset((a, b))
            for i, a in enumerate(ids)
            for b in ids[i + 1 :]
            if clusters[a] and clusters[a] == clusters[b]
        }
        tiers = {}
        model = matching.MatcherModel.load()
        for tier, threshold in (
            (matching.LIKELY_SAME, model.likely_same),
            (matching.RELATED, model.related),
        ):
            predicted = {pair for pair, (_, t) in best.items() if rank_of[t] >= rank_of[tier]}
            right = predicted & same_pairs
            false_pairs = sorted(predicted - same_pairs, key=lambda p: sorted(p))
            tiers[tier] = {
                "threshold": threshold,
                "predicted_pairs": len(predicted),
                "precision": round(len(right) / len(predicted), 3) if predicted else None,
                "recall": round(len(right) / len(same_pairs), 3) if same_pairs else None,
                "false_pairs": [sorted(p) for p in false_pairs],
            }
        # What each cluster costs: MAP lost to its claims' imperfect rankings (the clusters
        # that most need work first).
        queries = len(average_precisions) or 1
        per_cluster = {
            name: {
                "queries": len(aps),
                "mean_ap": round(sum(aps) / len(aps), 3),
                "map_loss": round(sum(1 - ap for ap in aps) / queries, 3),
            }
            for name, aps in sorted(
                by_cluster.items(), key=lambda kv: (-sum(1 - ap for ap in kv[1]), kv[0])
            )
        }
        report.figures["matching"] = {
            "map": round(mean_ap, 3),
            "queries": len(average_precisions),
            "claims": len(anchored),
            "same_cluster_pairs": len(same_pairs),
            "tiers": tiers,
            "clusters": per_cluster,
        }
        report.lines.append(
            f"Matching: MAP {mean_ap:.3f} over {len(average_precisions)} claims with cluster "
            f"mates ({len(anchored)} annotated claims, {len(same_pairs)} same-cluster pairs)"
        )
        for tier, figures in tiers.items():
            precision = figures["precision"]
            recall = figures["recall"]
            extra = f" (>= {model.min_words_likely} words)" if tier == matching.LIKELY_SAME else ""
            report.lines.append(
                f"  {matching.TIER_LABELS[tier].lower()} (score >= {figures['threshold']:.2f}"
                f"{extra}): {figures['predicted_pairs']} pairs, precision "
                f"{'-' if precision is None else f'{precision:.3f}'}, recall "
                f"{'-' if recall is None else f'{recall:.3f}'}, "
                f"{len(figures['false_pairs'])} false pair(s)"
            )
            if tier == matching.LIKELY_SAME and figures["false_pairs"]:
                for pair in figures["false_pairs"]:
                    report.lines.append(f"    false 'likely the same': {' / '.join(pair)}")
        if verbose:
            report.lines.extend(weak)
            report.lines.append("  MAP lost per cluster (mean AP of its claims):")
            report.lines.extend(
                f"    {name}: {f['map_loss']:.3f} ({f['queries']} claims, mean AP "
                f"{f['mean_ap']:.3f})"
                for name, f in per_cluster.items()
                if f["map_loss"] > 0
            )


def _load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _dump(figures: dict) -> str:
    return json.dumps(figures, indent=2, ensure_ascii=False) + "\n"
