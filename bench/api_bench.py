"""API benchmark: 16 concurrent clients against gunicorn on 127.0.0.1, on the database
filled by bench/generate_api_data.py.

    CLAIMTRACK_EMBEDDED_DB=claimtrack_bench .venv/bin/python bench/api_bench.py

Scenarios (each for --seconds): claim list pages of 50 with filters; full-text `q`; and
throughput of GET /api/claims/?status=... against the bare Django view returning the
same 50 rows as JSON (bench/api_bare.py), in the same run, alternating in slices. Prints a
Markdown table.

The load comes from wrk (Debian package `wrk`; bench/api_wrk.lua rotates through the URL
lists with the token) when it is installed: a C client takes far less of the 2 cores than
Python threads would. `--driver threads` (or no wrk) uses Python client threads, which
take CPU from the server and lower every figure.

The server runs with the production gunicorn settings (config/gunicorn.conf.py; override
with --workers/--threads) and DEBUG off.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.api_settings")

HOST, PORT = "127.0.0.1", 8765


def start_server(workers: int | None, threads: int | None) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.api_settings"}
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    if threads:
        env["GUNICORN_THREADS"] = str(threads)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "--config", str(ROOT / "config/gunicorn.conf.py"),
            "--bind", f"{HOST}:{PORT}",
            "--log-level", "warning",
            "--access-logfile", "/dev/null",
        ],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=5)
            conn.request("GET", "/api/schema/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def run(paths: list[str], *, clients: int, seconds: float, headers: dict) -> dict:
    latencies: list[float] = []
    errors = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(n: int):
        rng = random.Random(n)
        conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
        mine = []
        while time.monotonic() < stop_at:
            path = rng.choice(paths)
            t0 = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            mine.append(time.perf_counter() - t0)
            if response.status != 200:
                errors.append((response.status, path, body[:200]))
        with lock:
            latencies.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return summary(latencies, elapsed, errors)


def run_wrk(paths: list[str], *, clients: int, seconds: float, headers: dict) -> dict:
    """The same scenario driven by wrk: 2 threads, `clients` keep-alive connections."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(paths) + "\n")
    try:
        out = subprocess.run(
            [
                "wrk", f"-t{min(2, clients)}", f"-c{clients}", f"-d{max(1, round(seconds))}s",
                "--timeout", "30s", "-s", str(ROOT / "bench/api_wrk.lua"),
                f"http://{HOST}:{PORT}", "--", listing.name, headers.get("Authorization", ""),
            ],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(listing.name)
    line = next(x for x in out.splitlines() if x.startswith("WRK_RESULT "))
    data = json.loads(line.removeprefix("WRK_RESULT "))
    # 1000 quantiles (µs) of this run, each standing for a thousandth of its requests.
    weight = data["requests"] / 1000
    latencies = [(q / 1e6, weight) for q in data["quantiles_us"]]
    errors = {k: v for k, v in data["errors"].items() if v}
    return weighted_summary(
        latencies, data["duration_us"] / 1e6, data["requests"], [errors] if errors else []
    )


def weighted_summary(points: list, elapsed: float, requests: int, errors: list) -> dict:
    points = sorted(points)
    total = sum(w for _, w in points)

    def quantile(p: float) -> float:
        seen = 0.0
        for value, w in points:
            seen += w
            if seen >= p * total - 1e-9:
                return value
        return points[-1][0]

    return {
        "points": points,
        "elapsed": elapsed,
        "requests": requests,
        "rps": requests / elapsed,
        "p50": quantile(0.50) * 1000,
        "p95": quantile(0.95) * 1000,
        "p99": quantile(0.99) * 1000,
        "errors": errors[:3],
        "error_count": sum(sum(e.values()) if isinstance(e, dict) else 1 for e in errors),
    }


def merge(runs: list[dict]) -> dict:
    points = [p for r in runs for p in r["points"]]
    elapsed = sum(r["elapsed"] for r in runs)
    requests = sum(r["requests"] for r in runs)
    return weighted_summary(points, elapsed, requests, [e for r in runs for e in r["errors"]])


def summary(latencies: list[float], elapsed: float, errors: list) -> dict:
    return weighted_summary([(x, 1) for x in latencies], elapsed, len(latencies), errors)


def scenario_paths(api_key_user_ok=True) -> dict[str, list[str]]:
    """Filter values drawn from the data: common and rare, so the mix is not all cache."""
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM articles_article")
        max_article = cur.fetchone()[0]
        cur.execute("SELECT max(id) FROM claims_claimant")
        max_claimant = cur.fetchone()[0]
        cur.execute("SELECT min(id), max(id) FROM auth_user")
        min_user, max_user = cur.fetchone()
        cur.execute("SELECT word FROM ts_stat('SELECT to_tsvector(''english'', statement) "
                    "FROM claims_claim WHERE id % 200 = 0') WHERE ndoc BETWEEN 5 AND 40 "
                    "ORDER BY word LIMIT 200")  # fmt: skip
        words = [row[0] for row in cur.fetchall()]
    rng = random.Random(6)

    def q(**params):
        return "/api/claims/?" + urlencode(params, doseq=True)

    filtered = []
    for _ in range(200):
        kind = rng.randrange(8)
        if kind == 0:
            filtered.append(q(status="published", verdict=rng.choice(["false", "misleading"])))
        elif kind == 1:
            filtered.append(q(status=rng.choice(["new", "researching", "in_review"])))
        elif kind == 2:
            filtered.append(q(tag=f"tag{rng.randrange(200)}"))
        elif kind == 3:
            filtered.append(q(claimant=rng.randint(1, max_claimant)))
        elif kind == 4:
            filtered.append(q(article=rng.randint(1, max_article)))
        elif kind == 5:
            filtered.append(q(assignee=rng.randint(min_user, max_user), status="researching"))
        elif kind == 6:
            filtered.append(
                q(ordering="updated_at", updated_since=f"2025-{rng.randint(1, 12):02d}-01")
            )
        else:
            filtered.append(q(published_since="2025-06-01", verdict="false"))
    searches = []
    for _ in range(200):
        if rng.random() < 0.5:
            searches.append(q(q=rng.choice(words)))
        else:
            searches.append(q(q=" ".join(rng.sample(words[:100], 1)) + " " + rng.choice(words)))
    return {
        "filtered": filtered,
        "q": searches,
        "drf_same_rows": [q(status="published")],
        "bare_same_rows": ["/bench/claims/?status=published"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--workers", type=int, help="default: config/gunicorn.conf.py")
    parser.add_argument("--threads", type=int, help="default: config/gunicorn.conf.py")
    parser.add_argument("--driver", choices=["wrk", "threads"], default="wrk")
    args = parser.parse_args()
    if args.driver == "wrk" and not shutil.which("wrk"):
        print("wrk not found (apt-get install wrk); using Python client threads.", flush=True)
        args.driver = "threads"
    drive = run_wrk if args.driver == "wrk" else run

    paths = scenario_paths()
    from django.contrib.auth.models import User

    from apps.accounts.services import api_token_create

    user = User.objects.filter(username="bench-client").first() or User.objects.create_user(
        "bench-client"
    )
    _token, key = api_token_create(user=user, name="bench", scope="read")
    headers = {"Authorization": f"Token {key}"}

    server = start_server(args.workers, args.threads)
    try:
        print("warm-up ...", flush=True)
        for name in ("filtered", "q", "drf_same_rows", "bare_same_rows"):
            drive(paths[name], clients=args.clients, seconds=5, headers=headers)
        results = {}
        for name in ("filtered", "q"):
            results[name] = drive(
                paths[name], clients=args.clients, seconds=args.seconds, headers=headers
            )
        # The API and the bare view alternate in short slices, so that load from anything
        # else on the machine falls on both alike.
        slices = {"drf_same_rows": [], "bare_same_rows": []}
        for _ in range(6):
            for name in slices:
                slices[name].append(
                    drive(paths[name], clients=args.clients, seconds=args.seconds / 6,
                          headers=headers)
                )  # fmt: skip
        for name, runs in slices.items():
            results[name] = merge(runs)
        for name in results:
            r = results[name]
            print(
                f"{name}: {r['requests']} req, {r['rps']:.1f} req/s, p50 {r['p50']:.1f} ms, "
                f"p95 {r['p95']:.1f} ms, p99 {r['p99']:.1f} ms, errors {r['error_count']} "
                f"{r['errors']}",
                flush=True,
            )
        single = {}
        for name in ("filtered", "q", "drf_same_rows", "bare_same_rows"):
            single[name] = drive(paths[name], clients=1, seconds=10, headers=headers)
            s = single[name]
            print(f"{name} (1 client): p50 {s['p50']:.1f} ms, p95 {s['p95']:.1f} ms", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)

    ratio = results["drf_same_rows"]["rps"] / results["bare_same_rows"]["rps"]
    print()
    print(f"| scenario ({args.clients} clients, {args.seconds:.0f} s) | req/s | p50 ms | "
          "p95 ms | p99 ms |")  # fmt: skip
    print("|---|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['rps']:.1f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} |")
    for name, s in single.items():
        print(f"| {name}, 1 client | {s['rps']:.1f} | {s['p50']:.1f} | {s['p95']:.1f} | "
              f"{s['p99']:.1f} |")  # fmt: skip
    print(f"\nDRF list / bare view throughput: {ratio:.2f}× (driver: {args.driver})")


if __name__ == "__main__":
    main()
