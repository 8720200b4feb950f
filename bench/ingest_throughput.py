"""Ingest throughput: N generated news pages through feed -> fetch -> extract -> dedupe ->
store, with 1 and then 2 Celery worker processes, against trafilatura alone extracting the
same pages in one process.

    .venv/bin/python bench/ingest_throughput.py            # N=400
    .venv/bin/python bench/ingest_throughput.py -n 800 --runs 2

Needs the local Redis (CELERY_BROKER_URL, default redis://127.0.0.1:6379/14). Uses its
own database (embedded 'claimtrack_bench_ingest', or DATABASE_URL), emptied of
articles, jobs and feeds before each run. The pages are served by a separate process on
127.0.0.1 (allow-listed for the run only). Everything shares the machine: the page
server, PostgreSQL and Redis take CPU from the workers, as they would on one host.

What is timed: from sending the periodic "poll due feeds" task until the last of the N
ingest jobs is final. Workers are started and warmed up (each has run a few jobs, so
trafilatura and the MinHash tables are loaded) before the clock starts.

Besides the rates, each run reports the CPU time per page of the worker processes (the
main process and its pool process, with all their threads), of the PostgreSQL server
processes serving the workers' connections, and of the page server (from /proc; the
server processes are counted only when they run on this machine). On a shared machine
the rates move with the load, the CPU per page much less: compare the pool process's
CPU per page with trafilatura's own.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# --------------------------------------------------------------------------- pages

FEED_SIZE = 100  # entries per feed (a poll reads at most apps.ingestion.feeds.MAX_ENTRIES)

WORDS = (
    "government minister said official report percent year economy budget council city "
    "police court election party leader vote plan public health hospital school water "
    "energy price market bank rate inflation company workers union strike talks agreement "
    "border army defence security war peace state region village river bridge road rail "
    "airport flight storm flood fire season harvest farmers food export import trade deal "
    "tax spending debt growth data study university research scientists climate emissions "
    "million billion thousand week month monday tuesday wednesday thursday friday spokesman "
    "statement interview according committee parliament senate law bill reform protest "
    "crowd capital district mayor governor president prime opposition coalition campaign "
    "survey poll analysts investors shares oil gas coal wind solar grid network internet"
).split()


def sentence(rnd: random.Random) -> str:
    words = [rnd.choice(WORDS) for _ in range(rnd.randint(14, 28))]
    number = f"{rnd.randint(2, 99)}.{rnd.randint(0, 9)}"
    words.insert(rnd.randint(3, len(words) - 1), number)
    return " ".join(words).capitalize() + "."


def page(n: int, clutter: float = 6) -> bytes:
    """A news page: a headline and 14 paragraphs (about 1,300 words) inside the usual
    clutter, repeated `clutter` times: navigation, most-read and related lists, reader
    comments, a link-heavy footer, and an inline JSON state blob. clutter=1 gives about
    22 KB of HTML, 6 about 84 KB, 8.2 (the bench's default) about 110 KB, the median
    weight of real article pages in a public extraction benchmark."""
    rnd = random.Random(n)
    times = lambda count: int(count * clutter)  # noqa: E731

    def links(count, prefix):
        return "".join(
            f'<li><a href="/{prefix}/{rnd.randint(1, 10**6)}">{sentence(rnd)[:60]}</a></li>'
            for _ in range(count)
        )

    paragraphs = "".join(
        "<p>" + " ".join(sentence(rnd) for _ in range(rnd.randint(3, 6))) + "</p>"
        for _ in range(14)
    )
    comments = "".join(
        f'<div class="comment"><b>reader{rnd.randint(1, 999)}</b><p>{sentence(rnd)}</p>'
        f'<span class="likes">{rnd.randint(0, 99)}</span></div>'
        for _ in range(times(8))
    )
    footer = "".join(f'<a href="/about/{i}">{rnd.choice(WORDS)}</a> ' for i in range(times(40)))
    title = sentence(rnd)[:90].rstrip(".")
    state = "{" + ",".join(f'"k{i}": "{rnd.choice(WORDS)}"' for i in range(times(400))) + "}"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title} | Daily Bench</title>"
        f"<meta name='author' content='Reporter {n % 17}'><meta property='article:published_time' "
        f"content='2024-05-{1 + n % 28:02d}T08:00:00Z'><link rel='canonical' href='/news/{n}'>"
        f"<script>window.__STATE__ = {state};</script><style>.x{{color:red}}</style></head><body>"
        f"<header><nav><ul>{links(times(10), 'section')}</ul></nav></header>"
        f"<div class='layout'><main><article><h1>{title}</h1>"
        f"<p class='byline'>By Reporter {n % 17}</p>{paragraphs}</article>"
        f"<section class='comments'><h2>Comments</h2>{comments}</section></main>"
        f"<aside><h3>Most read</h3><ol>{links(times(3), 'story')}</ol>"
        f"<h3>Related</h3><ul>{links(times(6), 'story')}</ul></aside></div>"
        f"<footer>{footer}<p>Copyright Daily Bench</p></footer></body></html>"
    ).encode()


def feed(base: str, numbers: range, name: str) -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>{base}/news/{n}</link>"
        f"<guid>{base}/news/{n}</guid></item>"
        for n in numbers
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>'
        f"<link>{base}/</link><description>bench</description>{items}</channel></rss>"
    ).encode()


def serve(
    port_out, n_pages: int, warm: int, clutter: float, latency: tuple[float, float] = (0, 0)
) -> None:
    """The page server (a process of its own): pages and feeds, generated up front. Each
    answer waits a random `latency` (seconds, low and high) first, as a real outlet's
    server and the network between take 100-1,000 ms; the waits overlap (one thread per
    connection)."""
    jitter = random.Random(1)
    pages = {f"/news/{n}": page(n, clutter) for n in range(n_pages + warm)}
    feeds: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if latency[1] > 0:
                time.sleep(jitter.uniform(*latency))
            if path.startswith("/feed/"):
                body, kind = feeds.get(path), "application/rss+xml"
            else:
                body, kind = pages.get(path), "text/html; charset=utf-8"
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    for run in range(64):  # run r: feeds of up to 100 entries listing pages [0, n)
        for k, first in enumerate(range(0, n_pages, FEED_SIZE)):
            numbers = range(first, min(first + FEED_SIZE, n_pages))
            feeds[f"/feed/run{run}-{k}"] = feed(base, numbers, f"run {run} part {k}")
        feeds[f"/feed/warm{run}-0"] = feed(base, range(n_pages, n_pages + warm), f"warm {run}")
    port_out.put(server.server_address[1])
    server.serve_forever()


# --------------------------------------------------------------------------- baseline


def trafilatura_alone(
    bodies: list[bytes], cpu: list[float] | None = None, *, full_metadata: bool = False
) -> float:
    """Pages per second for trafilatura's work in the pipeline, in this one process:
    `apps.ingestion.extraction.trafilatura_extract` (the text, and the metadata fields the
    pipeline keeps), exactly the calls the pipeline makes. Appends the CPU milliseconds per
    page to `cpu`. `full_metadata`: trafilatura's own whole extraction instead
    (`bare_extraction(with_metadata=True)`, every metadata field), the pipeline's call
    until session 3, for reference."""
    import trafilatura

    from apps.ingestion.extraction import DATE_OPTIONS, TEXT_OPTIONS, trafilatura_extract

    def extract(html: str) -> None:
        if full_metadata:
            trafilatura.bare_extraction(
                html,
                url="http://127.0.0.1/news/x",
                with_metadata=True,
                date_extraction_params=dict(DATE_OPTIONS),
                **TEXT_OPTIONS,
            )
        else:
            trafilatura_extract(html, "http://127.0.0.1/news/x")

    for body in bodies[:3]:  # warm-up, like the workers
        extract(body.decode())
    started = time.perf_counter()
    cpu_started = time.process_time()
    for body in bodies:
        extract(body.decode("utf-8"))
    if cpu is not None:
        cpu.append((time.process_time() - cpu_started) * 1000 / len(bodies))
    return len(bodies) / (time.perf_counter() - started)


def _extract_timed(bodies: list[bytes], ready, go, out) -> None:
    """In a child process: wait for the start signal, extract every page, report seconds."""
    from apps.ingestion.extraction import trafilatura_extract

    for body in bodies[:3]:
        trafilatura_extract(body.decode(), "http://127.0.0.1/news/x")
    ready.release()
    go.wait()
    started = time.perf_counter()
    for body in bodies:
        trafilatura_extract(body.decode("utf-8"), "http://127.0.0.1/news/x")
    out.put(time.perf_counter() - started)


def trafilatura_in_processes(bodies: list[bytes], processes: int) -> float:
    """Pages per second of trafilatura alone in `processes` processes at once, each
    extracting every page: the most that many worker processes could reach on this
    machine if the pipeline were nothing but trafilatura (no database, no page server)."""
    context = multiprocessing.get_context("fork")
    ready, go, out = context.Semaphore(0), context.Event(), context.Queue()
    children = [
        context.Process(target=_extract_timed, args=(bodies, ready, go, out))
        for _ in range(processes)
    ]
    for child in children:
        child.start()
    for _ in children:
        ready.acquire()
    go.set()
    seconds = [out.get(timeout=600) for _ in children]
    for child in children:
        child.join()
    return processes * len(bodies) / max(seconds)


# --------------------------------------------------------------------------- CPU time

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a live process (Linux /proc), None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS


def children_of(pids: set[int]) -> set[int]:
    """The processes whose parent is one of `pids` (a worker's pool processes)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid in pids:
                found.add(int(entry.name))
    return found


def database_backends() -> set[int]:
    """The PostgreSQL server processes serving the benchmark's database (other than this
    process's own connection): the workers' connections. Empty if the server is not on
    this machine (their CPU is then not counted)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = {row[0] for row in cursor.fetchall()}
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()}


class CpuMeter:
    """CPU seconds spent by groups of processes between start() and stop()."""

    def __init__(self, groups):
        self.groups = groups  # {name: callable returning the set of pids}
        self.before: dict[int, float] = {}
        self.used: dict[str, float] = {}

    def start(self) -> None:
        self.before = {}
        for find in self.groups.values():
            for pid in find():
                self.before[pid] = cpu_seconds(pid) or 0.0

    def stop(self) -> dict[str, float]:
        self.used = {}
        for name, find in self.groups.items():
            total = 0.0
            for pid in find():
                now = cpu_seconds(pid)
                if now is not None:
                    total += now - self.before.get(pid, 0.0)
            self.used[name] = total
        return self.used


# --------------------------------------------------------------------------- pipeline


def start_workers(count: int, env: dict, pool: str, threads: int) -> list[subprocess.Popen]:
    """`count` worker processes: prefork with one child each (the production setup, with
    hard time limits), or one process with `threads` threads each (I/O overlaps)."""
    workers = []
    for i in range(count):
        workers.append(
            subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("celery")),
                    "-A",
                    "config",
                    "worker",
                    "-n",
                    f"bench{i}@%h",
                    f"--pool={pool}",
                    f"--concurrency={1 if pool == 'prefork' else threads}",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-l",
                    "warning",
                    "-Q",
                    env["BENCH_QUEUE"],
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    return workers


def stop_workers(workers) -> None:
    for w in workers:
        w.terminate()
    for w in workers:
        try:
            w.wait(20)
        except subprocess.TimeoutExpired:
            w.kill()


def empty_tables() -> None:
    """Start each run from empty tables: TRUNCATE (this database is the benchmark's own),
    so no run pays for the dead rows and index entries the previous one left."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE ingestion_ingestjob, ingestion_ingestbatch, ingestion_feed, "
            "ingestion_articlesignature, articles_article, articles_outlet CASCADE"
        )


def run_feeds(
    urls: list[str], expected: int, timeout: float = 900, meter: CpuMeter | None = None
) -> float:
    """Create the feeds, send the periodic task once, wait for `expected` final jobs from
    them. Returns the seconds from sending the task to the last job being final."""
    from apps.ingestion import tasks
    from apps.ingestion.models import Feed, IngestJob

    feeds = [Feed.objects.create(url=url, title=url.rsplit("/", 1)[-1]) for url in urls]
    if meter is not None:
        meter.start()
    started = time.perf_counter()
    tasks.feeds_poll_due.delay()
    deadline = started + timeout
    final = 0
    while time.perf_counter() < deadline:
        final = IngestJob.objects.filter(status__in=IngestJob.FINAL, feed__in=feeds).count()
        if final >= expected:
            seconds = time.perf_counter() - started
            if meter is not None:
                meter.stop()
            return seconds
        time.sleep(0.05)
    raise SystemExit(f"timed out: {final} of {expected} jobs final after {timeout} s")


def step_medians() -> str:
    from apps.ingestion.models import IngestJob

    timings = list(IngestJob.objects.filter(status="done").values_list("timings", flat=True))
    parts = []
    for key in ("fetch", "extract", "store", "dedupe"):
        values = [t[key] for t in timings if key in t]
        if values:
            parts.append(f"{key} {statistics.median(values) * 1000:.1f} ms")
    return ", ".join(parts)


def cpu_bound(workers: int, pool_ms: float, total_ms: float, cores: int) -> float:
    """The most pages a second the pipeline could ingest on this machine, from the CPU it
    was measured to need: each pool process does a page's work on one core at a time
    (at most `workers` x 1000 / pool_ms), and the cores are shared by everything the run
    uses (at most cores x 1000 / total_ms: workers, PostgreSQL, the page server)."""
    return min(workers * 1000 / pool_ms, cores * 1000 / total_ms)


def print_cpu_bound(counts, rates, pool_cpu, total_cpu) -> None:
    """What the measured CPU per page allows on this machine's cores, next to the rates:
    a worker count cannot beat this however well the work is scheduled."""
    cores = os.cpu_count() or 1
    med = statistics.median
    print()
    for count in counts:
        bound = cpu_bound(count, med(pool_cpu[count]), med(total_cpu[count]), cores)
        line = (
            f"{count} worker(s): CPU bound {bound:.1f} pages/s ({cores} cores, "
            f"{med(total_cpu[count]):.1f} ms of CPU a page in all, "
            f"{med(pool_cpu[count]):.1f} in each pool process); measured "
            f"{med(rates[count]):.1f} = {med(rates[count]) / bound:.0%} of it"
        )
        if count != 1 and 1 in rates:
            line += f"; the bound is {bound / med(rates[1]):.2f}x the one-worker rate"
        print(line)


def main() -> None:
    # Set here, not on import: tests import page() from this module, and Celery reads
    # CELERY_BROKER_URL from the environment before its settings.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.ingest_settings")
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=400, help="pages per run (default 400)")
    parser.add_argument(
        "--clutter", type=float, default=8.2, help="page size factor (1: 22 KB; 8.2: 110 KB)"
    )
    parser.add_argument(
        "--latency",
        default="50,500",
        help="the page server waits a random LOW,HIGH ms before each answer (0: none)",
    )
    parser.add_argument("--runs", type=int, default=1, help="runs per worker count (median)")
    parser.add_argument("--workers", default="1,2", help="worker counts (default 1,2)")
    parser.add_argument(
        "--with-suggestions", action="store_true", help="also run claim suggestions"
    )
    parser.add_argument("--pool", choices=["prefork", "threads"], default="prefork")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (threads pool)")
    parser.add_argument(
        "--chunk", type=int, default=0, help="jobs per ingest task (INGEST_CHUNK_SIZE; 0: default)"
    )
    args = parser.parse_args()
    if args.chunk:
        os.environ["INGEST_CHUNK_SIZE"] = str(args.chunk)
    if args.with_suggestions:
        os.environ["BENCH_WITH_SUGGESTIONS"] = "1"
    low, _, high = args.latency.partition(",")
    latency = (float(low) / 1000, float(high or low) / 1000)
    counts = [int(c) for c in args.workers.split(",")]
    warm = 4 * max(counts)

    ports = multiprocessing.Queue()
    server = multiprocessing.Process(
        target=serve, args=(ports, args.n, warm, args.clutter, latency), daemon=True
    )
    server.start()
    port = ports.get(timeout=120)
    base = f"http://127.0.0.1:{port}"
    os.environ["FETCH_ALLOWED_HOSTS"] = f"127.0.0.1:{port}"
    os.environ["BENCH_QUEUE"] = f"bench-ingest-{os.getpid()}"

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    bodies = [page(n, args.clutter) for n in range(args.n)]
    avg_kb = statistics.mean(len(b) for b in bodies) / 1000

    print(
        f"pages: {args.n}, average {avg_kb:.0f} KB, median "
        f"{statistics.median(len(b) for b in bodies) / 1000:.0f} KB; page server latency "
        f"{latency[0] * 1000:.0f}-{latency[1] * 1000:.0f} ms; CPUs: {os.cpu_count()}; "
        f"load average before: {os.getloadavg()[0]:.2f}"
    )
    full_cpu: list[float] = []
    full = trafilatura_alone(bodies, full_cpu, full_metadata=True)
    print(
        f"for reference, trafilatura's whole extraction with every metadata field: "
        f"{full:.1f} pages/s, {full_cpu[0]:.1f} ms CPU per page"
    )
    if max(counts) > 1:
        processes = max(counts)
        alone = trafilatura_alone(bodies)
        together = trafilatura_in_processes(bodies, processes)
        print(
            f"trafilatura alone in {processes} processes at once: {together:.1f} pages/s "
            f"= {together / alone:.2f}x one process ({alone:.1f} pages/s just before): the "
            f"most {processes} worker processes could gain here if the pipeline were only "
            "trafilatura"
        )
    from apps.ingestion.services import chunk_size

    print(f"jobs per ingest task (chunk): up to {chunk_size()}")
    print(
        f"workers: --pool={args.pool}"
        + (f" --concurrency={args.threads}" if args.pool == "threads" else " --concurrency=1")
    )

    rates: dict[int, list[float]] = {count: [] for count in counts}
    # Each pipeline run is compared with trafilatura alone measured just before it, on the
    # same pages: this machine's speed drifts by 10-40 % over minutes (a shared host), so a
    # baseline taken once at the start would put that drift into the ratio.
    baselines: dict[int, list[float]] = {count: [] for count in counts}
    baseline_cpu: list[float] = []
    pool_cpu: dict[int, list[float]] = {count: [] for count in counts}
    total_cpu: dict[int, list[float]] = {count: [] for count in counts}
    run_no = 0
    # Runs alternate between worker counts, so load from elsewhere falls on each alike.
    env = dict(os.environ)
    for _ in range(args.runs):
        for count in counts:
            baseline = trafilatura_alone(bodies, baseline_cpu)
            baselines[count].append(baseline)
            empty_tables()
            workers = start_workers(count, env, args.pool, args.threads)
            worker_pids = {w.pid for w in workers}
            meter = CpuMeter(
                {
                    "worker main processes": lambda pids=worker_pids: pids,
                    "worker pool processes": lambda pids=worker_pids: children_of(pids),
                    "PostgreSQL": database_backends,
                    "page server": lambda: {server.pid},
                }
            )
            try:
                run_feeds([f"{base}/feed/warm{run_no}-0"], warm)  # warm every worker up
                parts = range((args.n + FEED_SIZE - 1) // FEED_SIZE)
                urls = [f"{base}/feed/run{run_no}-{k}" for k in parts]
                seconds = run_feeds(urls, args.n, meter=meter)
            finally:
                stop_workers(workers)
            rates[count].append(args.n / seconds)
            pool_cpu[count].append(meter.used["worker pool processes"] * 1000 / args.n)
            total_cpu[count].append(sum(meter.used.values()) * 1000 / args.n)
            run_no += 1
            print(
                f"  trafilatura alone just before: {baseline:.1f} pages/s, "
                f"{baseline_cpu[-1]:.1f} ms CPU per page"
            )
            print(
                f"  {count} worker(s): {args.n} pages in "
                f"{seconds:.2f} s = {rates[count][-1]:.1f} pages/s = "
                f"{rates[count][-1] / baseline:.2f}x "
                f"(load average {os.getloadavg()[0]:.2f}); median per job: {step_medians()}"
            )
            print(
                "    CPU per page: "
                + ", ".join(
                    f"{part} {used * 1000 / args.n:.1f} ms" for part, used in meter.used.items()
                )
            )
    med = statistics.median
    print()
    print(
        f"trafilatura alone (1 process): {med(baseline_cpu):.1f} ms CPU per page "
        f"(median of {len(baseline_cpu)} measurements, one before each pipeline run)"
    )
    print()
    print(
        "| | pages/s | pages/s per worker process | vs trafilatura alone | vs 1 worker "
        "| pool process CPU per page |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    every_baseline = [b for values in baselines.values() for b in values]
    print(f"| trafilatura alone (1 process) | {med(every_baseline):.1f} | | 1.00× | | |")
    for count in counts:
        vs_traf = med(r / b for r, b in zip(rates[count], baselines[count], strict=True))
        vs_one = (
            f"{med(r / r1 for r, r1 in zip(rates[count], rates[1], strict=True)):.2f}×"
            if 1 in rates
            else ""
        )
        label = f"pipeline, {count} worker process{'es' if count > 1 else ''}"
        print(
            f"| {label} | {med(rates[count]):.1f} | {med(rates[count]) / count:.1f} | "
            f"{vs_traf:.2f}× | {vs_one} | {med(pool_cpu[count]):.1f} ms |"
        )
    print(
        "\n(ratios: the median over runs of each run's ratio, to the trafilatura measurement "
        "just before it, and to the one-worker run of the same round)"
    )
    print_cpu_bound(counts, rates, pool_cpu, total_cpu)
    server.terminate()


if __name__ == "__main__":
    main()
