"""One total time budget per fetch, enforced by a watchdog thread that shuts the socket."""

from __future__ import annotations

import heapq
import os
import socket
import threading
import time

from .errors import Timeout


class _Watchdog:
    """One thread per process that fires the deadlines of watched connections.

    A ``threading.Timer`` per connection started a thread per fetch (about half a
    millisecond of CPU each); this keeps the pending deadlines in a heap instead. The
    thread starts on first use and again in a forked child (threads do not survive
    fork()), which is noticed by the process id.
    """

    def __init__(self) -> None:
        self._pid: int | None = None
        self._start_lock = threading.Lock()
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, Deadline]] = []
        self._seq = 0
        self._live = 0

    def schedule(self, deadline: Deadline, at: float) -> int:
        """Fire ``deadline`` at monotonic time ``at``; returns the ticket to cancel."""
        if self._pid != os.getpid():
            with self._start_lock:
                if self._pid != os.getpid():
                    self._start()
        with self._cond:
            self._seq += 1
            ticket = self._seq
            heapq.heappush(self._heap, (at, ticket, deadline))
            self._live += 1
            if self._heap[0][1] == ticket:
                self._cond.notify()  # earlier than what the thread sleeps for
        return ticket

    def cancel(self) -> None:
        # The entry stays in the heap (its deadline no longer holds its ticket, so it
        # will not fire); compact when cancelled entries dominate.
        with self._cond:
            self._live -= 1
            if len(self._heap) > 64 and len(self._heap) > 4 * self._live:
                # In place: the watchdog thread holds this very list.
                self._heap[:] = [e for e in self._heap if e[2]._ticket == e[1]]
                heapq.heapify(self._heap)

    def after_fork(self) -> None:
        # Another thread of the parent may have held a lock at fork(): fresh ones here.
        self._start_lock = threading.Lock()
        self._cond = threading.Condition(threading.Lock())
        self._heap = []
        self._live = 0
        self._pid = None

    def _start(self) -> None:
        # A new lock too: a child forked while another thread held the old one would
        # find it locked forever.
        self._cond = threading.Condition(threading.Lock())
        self._heap = []
        self._live = 0
        self._pid = os.getpid()
        thread = threading.Thread(target=self._run, name="claimtrack-fetch-watchdog", daemon=True)
        thread.start()

    def _run(self) -> None:
        cond = self._cond
        heap = self._heap
        while True:
            with cond:
                while True:
                    if not heap:
                        cond.wait()
                        continue
                    at, ticket, deadline = heap[0]
                    if deadline._ticket != ticket:
                        heapq.heappop(heap)  # cancelled
                        continue
                    delay = at - time.monotonic()
                    if delay > 0:
                        cond.wait(delay)
                        continue
                    heapq.heappop(heap)
                    break
            deadline._fire(ticket)


_watchdog = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_watchdog.after_fork)


class Deadline:
    """One total time budget; a watchdog shuts the connection down when it runs out."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends_at = time.monotonic() + seconds
        self.fired = False
        self._ticket: int | None = None  # the watchdog entry that may fire, if any
        self._lock = threading.Lock()
        self._watched_fd: int | None = None

    def remaining(self) -> float:
        return max(0.0, self.ends_at - time.monotonic())

    def expired(self) -> bool:
        return self.fired or time.monotonic() >= self.ends_at

    def timeout_error(self, url: str) -> Timeout:
        return Timeout(
            f"{url} did not finish loading within {self.seconds:g} "
            f"second{'' if self.seconds == 1 else 's'}; "
            "the site may be slow or overloaded. Claimtrack will try again later.",
            url=url,
        )

    def watch(self, sock: socket.socket) -> None:
        # Watch the file descriptor, not the socket object: wrapping in TLS detaches
        # the plain socket object and hands the same descriptor to an SSLSocket.
        self.release()
        with self._lock:
            self._watched_fd = sock.fileno()
            self._ticket = _watchdog.schedule(self, self.ends_at)

    def _fire(self, ticket: int) -> None:
        with self._lock:
            if self._watched_fd is None or self._ticket != ticket:
                return  # released meanwhile: the descriptor may belong to someone else now
            self.fired = True
            try:
                # shutdown() on a duplicate acts on the shared connection and wakes the
                # thread blocked in recv()/connect() on the original descriptor.
                dup = socket.socket(fileno=os.dup(self._watched_fd))
            except OSError:
                return
            try:
                dup.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # not connected yet or already gone
            finally:
                dup.close()

    def release(self) -> None:
        """Stop watching; must run before the watched socket is closed."""
        with self._lock:
            self._watched_fd = None
            if self._ticket is not None:
                self._ticket = None
                _watchdog.cancel()
