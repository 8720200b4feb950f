"""Real Celery workers for the fault tests: `celery -A config worker` processes on the
test broker and database, started and killed by the tests."""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote

from django.conf import settings as django_settings

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def database_url() -> str:
    db = django_settings.DATABASES["default"]
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else f"{user}@"
    host = db.get("HOST") or ""
    if host.startswith("/"):  # a Unix socket directory (the embedded server)
        return f"postgres://{auth}/{db['NAME']}?host={quote(host, safe='/')}"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{db['NAME']}"


class Worker:
    """`celery -A config worker` in its own process group, its output kept for failures."""

    def __init__(self, name: str, env: dict, log: Path, extra_args: tuple[str, ...] = ()):
        self.ready = threading.Event()
        self.log = log
        self.process = subprocess.Popen(
            [
                CELERY,
                "-A",
                "config",
                "worker",
                "-n",
                f"{name}@%h",
                "--pool=prefork",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
                *extra_args,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        with self.log.open("a") as out:
            for line in self.process.stdout:
                out.write(line)
                out.flush()
                if " ready." in line:
                    self.ready.set()

    def kill(self, sig=signal.SIGKILL):
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def worker_env(settings, queue: str, server) -> dict:
    """The environment of a worker process started for these tests: the test database,
    the test broker and queue, and the local page server allowed past the fetch guard."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.TEST_BROKER_URL,
        "CLAIMTRACK_TEST_QUEUE": queue,
        "FETCH_ALLOWED_HOSTS": server.host_port,
        "PYTHONPATH": str(ROOT),
    }
