"""gunicorn settings for production (Dockerfile, docker-compose) and the API benchmark.

    gunicorn config.wsgi -c config/gunicorn.conf.py

WEB_CONCURRENCY worker processes (default: two per CPU core) of GUNICORN_THREADS threads
each (default 1). A request is mostly Python work under the GIL, so processes, not
threads, are what use the cores; the second process per core runs while the other waits
for PostgreSQL. gthread workers (even with one thread) keep clients' connections alive,
which the sync worker does not. Measured on 2 cores in docs/benchmarks.md ("Client API at
a million claims").
"""

import os


def _count(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"{name}={raw!r} must be a whole number of at least 1.")
    return int(raw)


workers = _count("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1))
threads = _count("GUNICORN_THREADS", 1)
worker_class = "gthread"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
keepalive = 30  # API clients poll: keep their connections
accesslog = "-"


def post_worker_init(worker) -> None:
    """Each web worker loads the claim matcher's models before its first request (the first
    "has this been checked?" would otherwise wait 0.4-1.1 s for them)."""
    from apps.claims.matching import warm_up

    warm_up()
