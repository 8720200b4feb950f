"""What changed between the version a client edited and the current one, read from the
claim's history (pghistory), so a 409/412 can say what the other person did."""

from __future__ import annotations

from apps.claims.models import Claim

COMPARED = ("statement", "status", "verdict", "rationale", "tags", "assignee_id")


def their_changes(claim_id: int, details: dict) -> dict:
    """{"their_changes": {field: current value}} when the service did not already say."""
    if details.get("their_changes"):
        return {}
    yours = details.get("your_version")
    if yours is None:
        return {}
    seen = (
        Claim.pgh_event_model.objects.filter(id=claim_id, version=yours).order_by("-pgh_id").first()
    )
    current = Claim.objects.filter(pk=claim_id).first()
    if seen is None or current is None:
        return {}
    changes = {}
    for name in COMPARED:
        now = getattr(current, name)
        if getattr(seen, name) != now:
            changes[name.removesuffix("_id")] = now
    return {"their_changes": changes}
