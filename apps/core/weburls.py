"""Which addresses from outside may become links in a page."""

from __future__ import annotations

from urllib.parse import urlsplit


def is_web_url(url: str) -> bool:
    """Only http(s) addresses with a host become links: no javascript:, data:, file:,
    protocol-relative or relative URLs."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)
