"""bench/ingest_throughput.py's CPU bound: what the measured CPU per page allows on the cores.

A test of a benchmark helper, not of the product: run with
`.venv/bin/python -m pytest bench/tests` (see bench/tests/pytest.ini)."""

import pytest

from bench.ingest_throughput import cpu_bound


def test_one_worker_is_bounded_by_its_own_process():
    # 10 ms a page in the pool process: 100 pages/s, whatever the other core does.
    assert cpu_bound(1, pool_ms=10.0, total_ms=13.0, cores=2) == pytest.approx(100.0)


def test_more_workers_are_bounded_by_the_shared_cores():
    # Two processes could do 200 pages/s, but 13 ms of CPU a page on 2 cores allows 153.8.
    assert cpu_bound(2, pool_ms=10.0, total_ms=13.0, cores=2) == pytest.approx(2000 / 13)


def test_enough_cores_leave_the_processes_as_the_bound():
    assert cpu_bound(2, pool_ms=10.0, total_ms=13.0, cores=8) == pytest.approx(200.0)
