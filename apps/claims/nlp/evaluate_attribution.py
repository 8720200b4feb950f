"""Measure ``guess_claimant`` against hand-annotated claims.

The annotation file holds ``{"claims": [{"id", "article", "quote", "start",
"end", "claimant"}, ...]}`` with offsets into the raw article files in
``seeds_dir``; ``claimant`` is a name or null (plain reporting). A guess is
right when ``same_claimant`` accepts it, or when both are None.

    python -m apps.claims.nlp.evaluate_attribution [annotation.json] [seeds_dir]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from apps.claims.nlp.attribution import guess_claimant, same_claimant

_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_ANNOTATION = _ROOT / "fixtures" / "eval" / "seed-claims.json"
DEFAULT_SEEDS = _ROOT / "fixtures" / "seeds"


def claimant_accuracy(
    annotation_path: str | Path, seeds_dir: str | Path
) -> tuple[float, list[dict]]:
    """(share of claims whose claimant is guessed right, one row per claim)."""
    annotation = json.loads(Path(annotation_path).read_text(encoding="utf-8"))
    texts: dict[str, str] = {}
    rows = []
    for claim in annotation["claims"]:
        article = claim["article"]
        if article not in texts:
            # Offsets count code points of the file as stored: no newline translation.
            texts[article] = (Path(seeds_dir) / article).read_bytes().decode("utf-8")
        guess = guess_claimant(texts[article], claim["start"], claim["end"])
        expected = claim["claimant"]
        if guess is None or expected is None:
            correct = guess is None and expected is None
        else:
            correct = same_claimant(guess.name, expected)
        rows.append(
            {
                "id": claim.get("id", ""),
                "article": article,
                "quote": claim["quote"],
                "expected": expected,
                "guessed": guess.name if guess else None,
                "confidence": guess.confidence if guess else None,
                "evidence": guess.evidence if guess else "",
                "correct": correct,
            }
        )
    accuracy = sum(row["correct"] for row in rows) / len(rows) if rows else 0.0
    return accuracy, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("annotation", nargs="?", default=str(DEFAULT_ANNOTATION))
    parser.add_argument("seeds_dir", nargs="?", default=str(DEFAULT_SEEDS))
    args = parser.parse_args(argv)
    accuracy, rows = claimant_accuracy(args.annotation, args.seeds_dir)
    correct = sum(row["correct"] for row in rows)
    print(f"claimant accuracy: {accuracy:.3f} ({correct}/{len(rows)})")
    for row in rows:
        if not row["correct"]:
            print(
                f"  miss {row['id']} {row['article']}: expected {row['expected']!r}, "
                f"guessed {row['guessed']!r} [{row['evidence']}] | {row['quote'][:70]}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
