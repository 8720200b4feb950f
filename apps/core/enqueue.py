"""Sending Celery tasks after a transaction commits, without ever failing or holding up the
request that made the work.

The work is always recorded in the database first (a queued job, a pending webhook
delivery, a source without its title, a leased feed, an article without suggestions), so a
message that cannot be sent loses nothing: each app's periodic sweeper sends what stayed
pending once the broker is back. Hence, here:

* a broker error is logged, never raised (Django's ``on_commit(..., robust=True)`` crashed
  while logging a ``functools.partial``, turning a saved evidence link into a 500);
* publishing retries once at once (CELERY_TASK_PUBLISH_RETRY_POLICY: a pooled connection
  the broker dropped), not three times 0.2 s apart (0.6 s per message while it is down);
* after a failure, this process sends nothing for BROKER_DOWN_SECONDS: the requests that
  follow return at once instead of each waiting for a connection that will fail.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

BROKER_DOWN_SECONDS = 30.0

_down_until = 0.0


def broker_presumed_down() -> bool:
    from celery import current_app

    # Tasks run in-process (no broker: the quick start, most tests) are always sent.
    return time.monotonic() < _down_until and not current_app.conf.task_always_eager


def send_now(send: Callable[[], None], *, what: str) -> bool:
    """Call `send` (it publishes tasks) unless the broker failed moments ago. Returns True if
    it ran without error; a failure is logged and the work is left to the sweeper."""
    global _down_until
    if broker_presumed_down():
        logger.info("Broker down: %s left for the sweeper", what)
        return False
    try:
        send()
    except (OperationalError, OSError) as exc:  # the broker is unreachable
        _down_until = time.monotonic() + BROKER_DOWN_SECONDS
        logger.warning("Could not send %s (%s); the sweeper will send it", what, exc)
        return False
    except Exception:  # noqa: BLE001 - a task run in-process (no broker) failed
        logger.exception("Sending %s failed", what)
        return False
    return True


def send_after_commit(send: Callable[[], None], *, what: str) -> None:
    """`send_now` once the current transaction commits (at once outside a transaction)."""

    def after_commit() -> None:
        send_now(send, what=what)

    transaction.on_commit(after_commit)


def reset() -> None:
    """Forget a broker failure (tests, and the sweeper once it has sent something)."""
    global _down_until
    _down_until = 0.0
