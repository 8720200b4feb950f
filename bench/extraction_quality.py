"""Extraction quality and time: Claimtrack's pipeline against trafilatura alone, on the
same public pages with a gold body text (fixtures/extraction/, see its README).

    .venv/bin/python bench/extraction_quality.py              # every page, 3 timing rounds
    .venv/bin/python bench/extraction_quality.py --pages      # and a line per page
    .venv/bin/python bench/extraction_quality.py --cases      # and issue 14's own cases

--cases adds, as a separate group, the article pages of
tests/ingestion/test_extraction_structure.py (a body in layout tables, inline links in
<div> paragraphs, a related list, teaser cards, a hover-card, promotions): written for
that item, in the style of news sites, so they show what the rules were made for and are
no benchmark.

Pipelines, each given the page's HTML as a string:
- "trafilatura alone": `apps.ingestion.extraction.trafilatura_extract` (trafilatura with
  the project's text options, and the metadata fields Claimtrack keeps), its text
  normalised as the pipeline normalises it;
- "Claimtrack": `extract_html` (the structural pass, trafilatura, the boilerplate-line
  cleaner, the paywall and reprint checks). A page it refuses counts as empty text.

Score: token-level precision, recall and F1 of the extracted body against the gold body,
as multisets of tokens (lower-cased word runs; in scripts written without spaces, such
as Chinese, Japanese or Thai, each character is a token). Reported per page and as the
mean over pages (macro) and over all tokens (micro). Time: milliseconds per page, the best
of --rounds rounds for each page, both pipelines in the same process, as CPU time of the
thread (steady on a shared machine) and as wall-clock time.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "fixtures" / "extraction"

_WORD = re.compile(r"\w+")
# Scripts written without spaces between words: every character is a token.
_UNSPACED = re.compile(
    "[\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff]"
)


def tokens(text: str) -> Counter:
    found: Counter = Counter()
    for word in _WORD.findall(unicodedata.normalize("NFKC", text).lower()):
        if _UNSPACED.search(word):
            found.update(ch for ch in word if not ch.isspace())
        else:
            found[word] += 1
    return found


def score(extracted: str, gold: str) -> tuple[float, float, float, int, int, int]:
    """(precision, recall, F1, overlap, extracted tokens, gold tokens)."""
    got, want = tokens(extracted), tokens(gold)
    overlap = sum((got & want).values())
    n_got, n_want = sum(got.values()), sum(want.values())
    precision = overlap / n_got if n_got else 0.0
    recall = overlap / n_want if n_want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, overlap, n_got, n_want


def load_pages() -> list[tuple[str, str, str]]:
    """(name, html, gold text) for every page with both files, in name order."""
    pages = []
    for html_path in sorted(DATA.glob("*/*.html.gz")):
        gold_path = html_path.with_name(html_path.name[: -len(".html.gz")] + ".txt")
        if not gold_path.is_file():
            continue
        html = gzip.decompress(html_path.read_bytes()).decode("utf-8", errors="replace")
        name = f"{html_path.parent.name}/{gold_path.stem}"
        pages.append((name, html, gold_path.read_text(encoding="utf-8")))
    return pages


def load_cases() -> list[tuple[str, str, str]]:
    from tests.ingestion.test_extraction_structure import benchmark_cases

    return benchmark_cases()


def run_trafilatura(html: str) -> str:
    from apps.core.text import normalize_text
    from apps.ingestion.extraction import trafilatura_extract

    document, _metadata = trafilatura_extract(html, "")
    return normalize_text(document.text or "") if document else ""


def run_claimtrack(html: str) -> str:
    from apps.ingestion.extraction import ExtractionError, extract_html

    try:
        return extract_html(html, url="").text
    except ExtractionError:
        return ""


PIPELINES = {"trafilatura alone": run_trafilatura, "Claimtrack": run_claimtrack}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds (best is kept)")
    parser.add_argument("--pages", action="store_true", help="print a line per page")
    parser.add_argument("--cases", action="store_true", help="add issue 14's own test pages")
    parser.add_argument(
        "--generated",
        type=int,
        default=0,
        metavar="N",
        help="also time both on N pages of bench/ingest_throughput.py (no gold: time only)",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import logging

    import django

    django.setup()
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

    groups = {"public pages (fixtures/extraction)": load_pages()}
    if args.cases:
        groups["issue 14's own cases (not a benchmark)"] = load_cases()
    for title, pages in groups.items():
        print(f"== {title}")
        report(pages, args)
        print()
    if args.generated:
        time_generated(args.generated, args.rounds)


def time_generated(count: int, rounds: int) -> None:
    """CPU ms per page of both pipelines on the ingest benchmark's generated pages."""
    from bench.ingest_throughput import page

    pages = [page(n).decode() for n in range(count)]
    kb = statistics.mean(len(html) for html in pages) / 1024
    print(f"== {count} generated pages of bench/ingest_throughput.py ({kb:.0f} KB on average)")
    for name, run in PIPELINES.items():
        best = []
        for html in pages:
            times = []
            for _ in range(rounds):
                started = time.thread_time()
                run(html)
                times.append(time.thread_time() - started)
            best.append(min(times))
        print(f"{name:18} CPU ms/page {1000 * statistics.mean(best):6.2f}")


def report(pages, args) -> None:
    results = {name: [] for name in PIPELINES}  # (page, scores, (CPU, wall) seconds)
    for page, html, gold in pages:
        for name, run in PIPELINES.items():
            best_cpu = best_wall = float("inf")
            for _ in range(args.rounds):
                cpu, wall = time.thread_time(), time.perf_counter()
                text = run(html)
                best_cpu = min(best_cpu, time.thread_time() - cpu)
                best_wall = min(best_wall, time.perf_counter() - wall)
            results[name].append((page, score(text, gold), (best_cpu, best_wall)))

    if args.pages:
        print(f"{'page (F1, CPU time)':40} " + "  ".join(f"{n[:18]:>18}" for n in PIPELINES))
        for i, (page, _html, _gold) in enumerate(pages):
            cells = []
            for name in PIPELINES:
                f1, (cpu, _wall) = results[name][i][1][2], results[name][i][2]
                cells.append(f"F1 {f1:.3f} {cpu * 1000:6.1f}ms")
            print(f"{page[:40]:40} " + "  ".join(f"{c:>18}" for c in cells))
        print()

    print(f"{len(pages)} pages, {args.rounds} timing rounds (best per page)")
    header = ("pipeline", "P", "R", "F1", "micro F1", "empty", "CPU ms/page", "wall ms/page")
    print("{:18} {:>6} {:>6} {:>6} {:>9} {:>6} {:>12} {:>13}".format(*header))
    for name in PIPELINES:
        rows = results[name]
        precision = statistics.mean(s[0] for _, s, _ in rows)
        recall = statistics.mean(s[1] for _, s, _ in rows)
        f1 = statistics.mean(s[2] for _, s, _ in rows)
        overlap = sum(s[3] for _, s, _ in rows)
        got = sum(s[4] for _, s, _ in rows)
        want = sum(s[5] for _, s, _ in rows)
        micro_p, micro_r = overlap / got if got else 0.0, overlap / want if want else 0.0
        micro = 2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0
        empty = sum(1 for _, s, _ in rows if s[4] == 0)
        cpu = 1000 * statistics.mean(times[0] for _, _, times in rows)
        wall = 1000 * statistics.mean(times[1] for _, _, times in rows)
        print(
            f"{name:18} {precision:6.3f} {recall:6.3f} {f1:6.3f} {micro:9.3f} {empty:6d}"
            f" {cpu:12.1f} {wall:13.1f}"
        )


if __name__ == "__main__":
    main()
