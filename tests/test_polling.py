"""tests/polling.py's wait_for: the answer when it comes, the false answer at the deadline."""

import time

from tests.polling import wait_for


def test_returns_the_first_true_answer():
    answers = iter([0, None, "", "done", "later"])
    assert wait_for(lambda: next(answers), timeout=5, interval=0.001) == "done"


def test_returns_the_false_answer_at_the_deadline_without_overrunning_it():
    calls = []
    started = time.monotonic()
    assert wait_for(lambda: calls.append(1) or [], timeout=0.3, interval=0.05) == []
    took = time.monotonic() - started
    assert 0.3 <= took < 0.3 + 0.2
    assert len(calls) >= 3


def test_checks_once_more_at_the_deadline():
    started = time.monotonic()
    # True only from the deadline on; the poll interval is far longer than the timeout.
    assert wait_for(lambda: time.monotonic() - started >= 0.2, timeout=0.2, interval=10)
