"""System checks (`manage.py check`, run at every start) for the times the sweeper relies on.

The sweeper takes work back from a worker it believes dead. Each "stuck after" time must be
longer than what it guards, or the sweeper re-runs work a live worker still holds: a
running job's lease must outlast the gap between two renewals; a job without a lease, a
feed's poll lease and a running re-extraction the hard time limit of the task that may
hold it; a queued job the longest retry countdown.
"""

from __future__ import annotations

from django.core.checks import Error, Tags, register


def _problems() -> list[tuple[str, str, str]]:
    """(what is too short, why, id) for every guard that fails."""
    from . import services, tasks

    found = []
    lease = services.lease_duration().total_seconds()
    renew = services.lease_renew_every()
    if renew <= 0 or lease < 2 * renew:
        found.append(
            (
                f"INGEST_LEASE_SECONDS ({lease:g} s) is shorter than two lease renewals "
                f"(INGEST_LEASE_RENEW_SECONDS = {renew:g} s)",
                "one late renewal would let the sweeper re-run a job a live worker holds",
                "claimtrack.E101",
            )
        )
    stuck = services.stuck_after().total_seconds()
    limit = max(tasks.ingest.time_limit, tasks.ingest_chunk.time_limit)
    if stuck <= limit:
        found.append(
            (
                f"INGEST_STUCK_AFTER_SECONDS ({stuck:g} s) is not longer than the ingest "
                f"tasks' hard time limit ({limit:g} s)",
                "a running job without a lease would be re-run while its worker still holds it",
                "claimtrack.E102",
            )
        )
    if stuck <= services.MAX_RETRY_COUNTDOWN:
        found.append(
            (
                f"INGEST_STUCK_AFTER_SECONDS ({stuck:g} s) is not longer than the longest "
                f"retry countdown ({services.MAX_RETRY_COUNTDOWN:g} s)",
                "a job waiting for its retry would be sent again before its time",
                "claimtrack.E103",
            )
        )
    feed_lease = services.feed_lease().total_seconds()
    if feed_lease <= tasks.feed_poll.time_limit:
        found.append(
            (
                f"FEED_LEASE_SECONDS ({feed_lease:g} s) is not longer than the feed poll's "
                f"hard time limit ({tasks.feed_poll.time_limit:g} s)",
                "a feed would be polled again while its poll still runs",
                "claimtrack.E104",
            )
        )
    reextract = services.reextract_stuck_after().total_seconds()
    reextract_limit = tasks.article_reextract_task.time_limit
    if reextract <= reextract_limit:
        found.append(
            (
                f"REEXTRACT_STUCK_AFTER_SECONDS ({reextract:g} s) is not longer than the "
                f"re-extraction task's hard time limit ({reextract_limit:g} s)",
                "a re-extraction still running would be marked failed",
                "claimtrack.E105",
            )
        )
    return found


@register(Tags.compatibility)
def sweeper_times(app_configs, **kwargs):
    return [
        Error(what + ": " + why + ".", hint="Lengthen it, or shorten the limit.", id=check_id)
        for what, why, check_id in _problems()
    ]
