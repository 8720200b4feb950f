import random


def backoff_seconds(retries: int, *, base: int = 10, cap: int = 600) -> float:
    """Exponential backoff with full jitter: spreads retries so a recovering service is not
    hit by every worker at once."""
    return random.uniform(0, min(cap, base * 2**retries))  # noqa: S311 - jitter, not crypto
