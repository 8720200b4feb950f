"""Check-worthiness scoring speed on one CPU core.

    python bench/checkworthy_speed.py [--tsv FILE] [--model PATH_OR_NAME] [--repeat N]

Scores the sentences of a CheckThat!-style TSV (a ``Text`` column), or, with no
``--tsv``, generated news-like sentences, with the default model (or ``--model``), and
prints sentences per second, by the wall clock and per CPU second of this process (the
figure to trust when other processes share the core). Runs pinned to one core with
BLAS/OpenMP thread pools of one, so the figure is per core: multiply by cores
(processes) for a worker pool.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import time
from pathlib import Path

# Single-threaded numerical libraries: set before numpy is imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apps.claims.nlp.checkworthy import load_model  # noqa: E402

SUBJECTS = [
    "The government",
    "Unemployment",
    "Senator Lee",
    "Russia",
    "The city council",
    "Exports",
]
VERBS = ["rose by", "fell to", "spent", "cut", "doubled to", "promised"]
AMOUNTS = ["3.5 percent", "$1.2 billion", "12 million shells", "40,000 jobs", "a record"]
TAILS = ["last year.", "since 2019.", "in the first quarter.", ", officials said.", "."]
OTHER = [
    "Thank you all for coming tonight.",
    "I think that is a wonderful idea, and I'm glad you asked.",
    "What did the papers say?",
    "Let me be clear about one thing.",
]


def generated_sentences(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        if rng.random() < 0.3:
            out.append(rng.choice(OTHER))
        else:
            parts = [rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(AMOUNTS)]
            out.append(" ".join(parts) + " " + rng.choice(TAILS))
    return out


def tsv_sentences(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as f:
        return [row["Text"] for row in csv.DictReader(f, delimiter="\t")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tsv", type=Path, help="TSV with a Text column (e.g. the CT24 train)")
    parser.add_argument("--model", help="model .npz or bundled name (default: the default one)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (the median counts)")
    parser.add_argument("-n", type=int, default=20_000, help="generated sentences without --tsv")
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    sentences = tsv_sentences(args.tsv) if args.tsv else generated_sentences(args.n)

    started = time.perf_counter()
    model = load_model(args.model)
    load_seconds = time.perf_counter() - started
    model.score(sentences[:200])  # warm up

    rates, cpu_rates = [], []
    for _ in range(args.repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        model.score(sentences)
        rates.append(len(sentences) / (time.perf_counter() - started))
        cpu_rates.append(len(sentences) / (time.process_time() - cpu_started))
    chars = sum(map(len, sentences)) / len(sentences)
    print(
        f"model {model.name} v{model.version}: loaded in {load_seconds * 1000:.0f} ms; "
        f"{len(sentences)} sentences ({chars:.0f} chars on average) from "
        f"{args.tsv or 'the generator'}"
    )
    print(
        f"one core: {statistics.median(rates):,.0f} sentences/s "
        f"(median of {args.repeat}; min {min(rates):,.0f}, max {max(rates):,.0f})"
    )
    # On a shared machine the wall-clock rate counts other processes' turns on the core;
    # the rate per CPU second of this process does not.
    print(
        f"per CPU second: {statistics.median(cpu_rates):,.0f} sentences/s "
        f"(median of {args.repeat}; min {min(cpu_rates):,.0f}, max {max(cpu_rates):,.0f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
