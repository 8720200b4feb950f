"""The fetch deadline's machinery: no thread per fetch, one watchdog per process."""

import os
import threading
import time

import pytest

from apps.core.http import Timeout, fetch
from tests.core.httpserver import Reply, allow_list, drip

HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def started_threads(monkeypatch):
    """Threads (threading.Timer included) the test's own thread starts.

    The local server's request threads are started by its own thread and not counted."""
    names: list[str] = []
    real_start = threading.Thread.start
    test_thread = threading.current_thread()

    def start(self, *args, **kwargs):
        if threading.current_thread() is test_thread:
            names.append(self.name)
        return real_start(self, *args, **kwargs)

    monkeypatch.setattr(threading.Thread, "start", start)
    return names


def test_fetches_of_an_ip_literal_start_no_thread_per_fetch(server, allowed, started_threads):
    server.route("/page", Reply(headers=HTML, body=b"<html>page</html>"))
    fetch(server.url("/page"), timeout=5, **allowed)  # may start this process's watchdog
    started_threads.clear()

    for _ in range(5):
        assert fetch(server.url("/page"), timeout=5, **allowed).status == 200

    assert started_threads == []


def test_host_names_are_still_resolved_in_a_thread_bounded_by_the_deadline(
    request, server, started_threads
):
    server.route("/page", Reply(headers=HTML, body=b"<html>page</html>"))
    allowed = allow_list(request, [f"localhost:{server.port}"])
    assert fetch(f"http://localhost:{server.port}/page", timeout=5, **allowed).status == 200
    assert "claimtrack-dns" in started_threads


def test_released_deadlines_do_not_fire_and_a_live_one_still_does(server, allowed):
    # Many finished fetches leave cancelled entries (due long after) around an expiring one.
    # The drip sends a byte every 0.25 s, so the socket's own timeout never fires: only the
    # watchdog can end the fetch.
    server.route("/page", Reply(headers=HTML, body=b"<html>page</html>"))
    server.route("/drip", Reply(headers=HTML, body=drip(b"<html>" + b"x" * 100, 0.25)))
    for _ in range(150):
        fetch(server.url("/page"), timeout=30, **allowed)
    started = time.monotonic()
    with pytest.raises(Timeout):
        fetch(server.url("/drip"), timeout=1.5, **allowed)
    assert time.monotonic() - started < 3.5
    for _ in range(150):
        fetch(server.url("/page"), timeout=0.5, **allowed)
    time.sleep(0.7)  # their deadlines pass: released, they must not shut anything
    assert fetch(server.url("/page"), timeout=5, **allowed).body == b"<html>page</html>"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_the_deadline_holds_in_a_forked_child(server, allowed):
    server.route("/page", Reply(headers=HTML, body=b"<html>page</html>"))
    server.route("/drip", Reply(headers=HTML, body=drip(b"<html>" + b"x" * 100, 0.25)))
    fetch(server.url("/page"), timeout=5, **allowed)  # the parent's watchdog is running
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the parent's watchdog thread does not exist here
        code = 1
        try:
            started = time.monotonic()
            try:
                fetch(server.url("/drip"), timeout=1.5, **allowed)
            except Timeout:
                code = 0 if time.monotonic() - started < 3.5 else 2
            os.write(write_end, bytes([code]))
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        _, status = os.waitpid(pid, 0)
        outcome = os.read(read_end, 1)
    finally:
        os.close(read_end)
    assert os.WEXITSTATUS(status) == 0
    assert outcome == b"\x00", "the child's fetch did not time out within the deadline"
