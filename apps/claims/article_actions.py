"""Actions other apps offer on the reading page, which is a claims screen.

Ingestion sits above claims, so the reading page cannot name its views; ingestion offers its
editors' "re-extract" action here when it is ready (IngestionConfig.ready), and the page
shows the button only when an app has offered it. The dependency points down, as in
apps/claims/evidence.py.
"""

from __future__ import annotations

from collections.abc import Callable

_reextract_url: Callable[[int], str] | None = None


def provide_reextract_url(url_for: Callable[[int], str]) -> None:
    global _reextract_url
    _reextract_url = url_for


def reextract_url(article_id: int) -> str:
    """Where an editor posts to fetch the article again, or "" when no app offers it."""
    return _reextract_url(article_id) if _reextract_url else ""
