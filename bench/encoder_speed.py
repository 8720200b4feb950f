"""Sentence encoder speed (apps.claims.nlp.encoder, the int8 ONNX MiniLM) on one thread.

    .venv/bin/python bench/encoder_speed.py [--sentences 500] [--repeat 3] [--threads 1]

Generated claim-length sentences (one short news-like statement each, 12-25 words).
Prints the load time, then:

- one at a time (as a claim is encoded on save, or a search query): p50 and p95
  milliseconds per call by the wall clock, and the mean CPU milliseconds of this process;
- batched (``encode(texts, batch_size=32)``, as a bulk re-encode): sentences per second
  by the wall clock and per CPU second, the median of ``--repeat`` passes.

The CPU figures are the ones to trust when other processes share the cores (the load
average is printed). numpy's and OpenMP's thread pools are set to one thread before
import; onnxruntime's to ``--threads``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from apps.claims.nlp.encoder import MODEL_ID, Encoder  # noqa: E402

SUBJECTS = [
    "The government",
    "The city council",
    "Unemployment in the north",
    "The average household",
    "The health service",
    "Exports of steel",
    "The central bank",
    "A report by the audit office",
]
VERBS = ["rose by", "fell to", "spent", "cut", "doubled to", "promised", "lost", "estimated"]
AMOUNTS = [
    "3.5 percent",
    "$1.2 billion",
    "12 million new homes",
    "40,000 jobs",
    "a record high",
    "nearly half of its budget",
]
TAILS = [
    "last year, according to official figures.",
    "since 2019.",
    "in the first quarter of the year.",
    "between 2015 and 2023, the minister told parliament on Tuesday.",
    "despite warnings from economists that the target could not be met.",
    ".",
]


def sentences(count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)  # noqa: S311
    return [
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(AMOUNTS)} {rng.choice(TAILS)}"
        for _ in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    texts = sentences(args.sentences)
    words = statistics.mean(len(t.split()) for t in texts)
    start = time.perf_counter()
    encoder = Encoder(threads=args.threads)
    load_ms = (time.perf_counter() - start) * 1000
    tokens = statistics.mean(len(e.ids) for e in encoder._tokenizer.encode_batch(texts))
    print(
        f"{MODEL_ID}, {args.threads} thread(s); {len(texts)} sentences, "
        f"{words:.1f} words / {tokens:.1f} tokens on average; load {load_ms:.0f} ms; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    encoder.encode(texts[:64])  # warm up

    wall_ms = []
    cpu_start = time.process_time()
    for text in texts:
        start = time.perf_counter()
        encoder.encode([text])
        wall_ms.append((time.perf_counter() - start) * 1000)
    cpu_ms = (time.process_time() - cpu_start) * 1000 / len(texts)
    p50, p95 = np.percentile(wall_ms, [50, 95])
    print(f"one at a time: p50 {p50:.2f} ms, p95 {p95:.2f} ms (wall); {cpu_ms:.2f} CPU ms mean")

    wall_rates, cpu_rates = [], []
    for _ in range(args.repeat):
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        encoder.encode(texts, batch_size=32)
        wall_rates.append(len(texts) / (time.perf_counter() - wall_start))
        cpu_rates.append(len(texts) / (time.process_time() - cpu_start))
    print(
        f"batched (32): {statistics.median(wall_rates):.0f} sentences/s (wall), "
        f"{statistics.median(cpu_rates):.0f} per CPU second "
        f"(passes: {', '.join(f'{r:.0f}' for r in wall_rates)})"
    )


if __name__ == "__main__":
    main()
