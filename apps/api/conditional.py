"""HTTP conditional requests.

Reads: every JSON GET carries an ETag (a hash of the body; for a claim, prefixed with its
version) and answers If-None-Match with 304, so a client polling an unchanged page or claim
downloads nothing.

Writes: a claim's version is its optimistic-concurrency counter. The client says which
version it edits either in the If-Match header (HTTP's way) or as `version` in the body.
A stale If-Match is 412 Precondition Failed; a stale body version is 409 Conflict; PUT and
PATCH without a version (no If-Match, or `If-Match: *` without `version` in the body) are
428 Precondition Required.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpResponseNotModified
from django.utils.http import parse_etags, quote_etag
from rest_framework.response import Response

from apps.core.errors import Conflict, DomainError

from .errors import PreconditionFailed, PreconditionRequired


def body_etag(content: bytes, *, version: int | None = None) -> str:
    digest = hashlib.sha256(content).hexdigest()[:20]
    return quote_etag(f"{version}-{digest}" if version is not None else digest)


def if_none_match(request, etag: str) -> bool:
    """True when the client already holds this representation."""
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    tags = parse_etags(header)
    if "*" in tags:
        return True
    bare = etag.strip('"')
    return any(tag.removeprefix("W/").strip('"') == bare for tag in tags)


def with_etag(request, response, *, version: int | None = None):
    """Render a 200 JSON response now, give it an ETag, and turn it into a 304 when the
    client's If-None-Match already names it. A write that returns a claim gets the ETag a
    GET of the claim would give."""
    if not isinstance(response, Response) or getattr(response, "streaming", False):
        return response
    reading = request.method in ("GET", "HEAD")
    if reading and response.status_code != 200:
        return response
    if not reading and (version is None or response.status_code not in (200, 201)):
        return response
    response.render()
    etag = body_etag(response.content, version=version)
    if reading and if_none_match(request, etag):
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        for header in ("Vary", "Cache-Control"):
            if response.has_header(header):
                not_modified[header] = response[header]
        return not_modified
    response["ETag"] = etag
    response.setdefault("Cache-Control", "private, no-cache")
    return response


ANY = object()


@dataclass(frozen=True)
class Expected:
    version: int | None
    from_header: bool


def parse_if_match(request) -> int | object | None:
    """The version named by If-Match: `"7"`, `"7-<hash>"` (an ETag we sent), `W/"7-..."` or
    `7`; ANY for `*`; None when the header is absent."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    if header == "*":
        return ANY
    first = header.split(",")[0].strip().removeprefix("W/").strip('"')
    try:
        return int(first.split("-", 1)[0])
    except ValueError:
        raise DomainError(
            'If-Match must be the claim\'s ETag or its version number, e.g. If-Match: "7".',
            code="invalid_if_match",
        ) from None


def expected_version(request, body_version: int | None, *, require_header: bool) -> Expected:
    header = parse_if_match(request)
    if header is None:
        if require_header:
            raise PreconditionRequired(
                "Send If-Match with the claim's ETag (or version) so that an edit cannot "
                "overwrite someone else's change unseen.",
                details={"header": "If-Match"},
            )
        return Expected(body_version, from_header=False)
    if header is ANY:
        if require_header and body_version is None:
            raise PreconditionRequired(
                "If-Match: * matches any version, so it cannot stop this edit from "
                "overwriting someone else's change. Send the claim's ETag or version "
                '(If-Match: "7"), or `version` in the body.',
                details={"header": "If-Match"},
            )
        return Expected(body_version, from_header=False)
    if body_version is not None and body_version != header:
        raise DomainError(
            f"If-Match names version {header} but the body says version {body_version}; "
            "send one, or make them agree.",
            code="version_mismatch",
            details={"if_match": header, "body_version": body_version},
        )
    return Expected(header, from_header=True)


def run_versioned(expected: Expected, write: Callable[[int | None], object]):
    """Run a versioned service call; a stale If-Match becomes 412, a stale body version 409."""
    try:
        return write(expected.version)
    except Conflict as exc:
        if expected.from_header:
            raise PreconditionFailed(exc.message, details=exc.details) from exc
        raise
