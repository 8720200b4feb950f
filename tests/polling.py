"""The one `wait_for` of the test suite, for tests that poll until something has happened
(a worker finished a job, a lease was renewed)."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(predicate: Callable[[], T], timeout: float = 30.0, interval: float = 0.1) -> T:
    """Call `predicate` every `interval` seconds until it returns something true and return
    that; after `timeout` seconds return its last (false) answer, so `assert wait_for(...)`
    fails. The predicate is called once more at the deadline, so a late change still counts."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() >= deadline:
            return result
        time.sleep(min(interval, max(0.0, deadline - time.monotonic())))
