"""Every write to evidence: linking sources to claims, and filling a source's title and
publisher from its page in the background."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit

import pghistory
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.roles import is_analyst
from apps.articles.models import Article
from apps.claims.models import Claim, Status
from apps.core import http
from apps.core.enqueue import send_after_commit, send_now
from apps.core.errors import DomainError, NotAllowed

from . import enqueue
from .models import EvidenceLink, Source

logger = logging.getLogger(__name__)

TITLE_MAX = 500
PUBLISHER_MAX = 200
# A page's <head> is near its start; a title fetch never needs a whole large document.
DETAILS_MAX_BYTES = 2_000_000
DETAILS_TIMEOUT = 10.0


MISSING_SOURCE = "Give a URL, an article or a note."


def field_error(message: str, field: str, *, code: str | None = None) -> DomainError:
    """A DomainError about one field of the evidence form (`exc.field`), so the page can
    show it next to that field."""
    exc = DomainError(message, code=code)
    exc.field = field
    return exc


@transaction.atomic
def evidence_add(
    *,
    claim: Claim,
    by: User | None,
    stance: str,
    url: str = "",
    title: str = "",
    publisher: str = "",
    kind: str = Source.Kind.OTHER,
    quote: str = "",
    note: str = "",
    article: Article | None = None,
) -> EvidenceLink:
    """Link a source to a claim with a stance. The source is a URL, another article in
    Claimtrack, or (with neither) a note written by the analyst."""
    if not is_analyst(by):
        raise NotAllowed("Only analysts, editors and admins can add evidence.")
    if claim.status == Status.PUBLISHED:
        raise DomainError(
            "This claim is published; an editor must reopen it before evidence changes."
        )
    url = (url or "").strip()
    # What is missing comes first: an empty form is told to give a source, not a stance.
    if not (url or article or (note or "").strip()):
        raise field_error(MISSING_SOURCE, "url")
    if stance not in EvidenceLink.Stance.values:
        raise field_error(f"Choose a stance: {', '.join(EvidenceLink.Stance.values)}.", "stance")
    if kind not in Source.Kind.values:
        raise field_error(f"Kind must be one of: {', '.join(Source.Kind.values)}.", "kind")
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise field_error(
                f"{url!r} is not a web address; use a full http(s):// URL.", "url"
            ) from None
        try:
            http.check_address(url)
        except http.BlockedURL as exc:
            raise field_error(f"{url[:200]}: {exc.reason}", "url") from None
    source = None
    if article is not None:
        # Another article in Claimtrack: one source per article, titled and published as
        # the article is; its page is already here, so nothing is fetched.
        url = url or article.canonical_url or article.url
        title = title or article.title
        publisher = publisher or (article.outlet.name if article.outlet is not None else "")
        kind = Source.Kind.ARTICLE
        source = Source.objects.filter(article=article).order_by("id").first()
    if source is None and url:
        source = Source.objects.filter(url=url).order_by("id").first()
    if source is None:
        source = Source.objects.create(
            url=url,
            title=_one_line(title)[:TITLE_MAX],
            publisher=_one_line(publisher)[:PUBLISHER_MAX],
            kind=kind,
            article=article,
            created_by=by,
        )
        if url and article is None and not (source.title and source.publisher):
            # After commit, so the worker finds the row. A broker that is down must neither
            # undo nor hold up the evidence the analyst just added: sources_sweep sends it.
            pk = source.pk
            send_after_commit(lambda: _enqueue_details_fetch(pk), what=f"source {pk} title")
    try:
        with transaction.atomic(), pghistory.context(user=by.pk if by else None):
            link = EvidenceLink.objects.create(
                claim=claim,
                source=source,
                stance=stance,
                quote=quote.strip(),
                note=note.strip(),
                linked_by=by,
            )
    except IntegrityError:
        raise field_error(
            "This source is already linked to the claim.",
            "article" if article is not None else "url",
            code="duplicate_evidence",
        ) from None
    Claim.objects.filter(pk=claim.pk).update(updated_at=timezone.now())
    return link


def _one_line(value: str) -> str:
    return " ".join((value or "").split())


def _enqueue_details_fetch(source_id: int) -> None:
    enqueue.source_fetch_details(source_id)


SWEEP_AFTER = timedelta(minutes=5)  # longer than the fetch task's retries (10 + 20 + 40 s)
SWEEP_WITHIN = timedelta(days=1)


def sources_sweep(*, now=None, limit: int = 200) -> int:
    """Send the title fetch of sources still pending after SWEEP_AFTER (made while the
    broker was down, or their message was lost); sources older than a day are left as they
    are (the analyst can type the title). The fetch only fills blank fields, so sending one
    twice is harmless. Returns how many were sent."""
    now = now or timezone.now()
    pending = (
        Source.objects.filter(
            article__isnull=True,
            fetch_error="",
            updated_at__lt=now - SWEEP_AFTER,
            created_at__gte=now - SWEEP_WITHIN,
        )
        .exclude(url="")
        .filter(Q(title="") | Q(publisher=""))
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    sent = 0
    for pk in pending:
        if not send_now(partial(_enqueue_details_fetch, pk), what=f"source {pk} title"):
            break
        sent += 1
    return sent


# --- Source details (title, publisher) ----------------------------------------------------


class TransientFetchError(Exception):
    """The page could not be fetched for a reason that may pass (network, 5xx, timeout)."""


def source_details_pending(source: Source) -> bool:
    """True while a fetch of the title/publisher may still fill them in."""
    return bool(
        source.url
        and source.article_id is None
        and not source.fetch_error
        and not (source.title and source.publisher)
    )


def source_can_refetch(source: Source) -> bool:
    """A web page whose title or publisher is still blank and whose fetch is over (failed,
    or never came back): it can be fetched again."""
    return bool(
        source.url
        and source.article_id is None
        and not (source.title and source.publisher)
        and (source.fetch_error or not source.title)
    )


def source_refetch(*, source: Source, by: User | None) -> Source:
    """ "Fetch title again": clear the recorded failure and send the title fetch once the
    transaction commits (the fetch still only fills blank fields, so a title typed
    meanwhile wins, and sending it twice is harmless). The source is pending again: its
    `updated_at` restarts the page's "Fetching…" window and the sweeper's."""
    if not is_analyst(by):
        raise NotAllowed("Only analysts, editors and admins can edit evidence.")
    if not source_can_refetch(source):
        raise DomainError(
            "This source has no page to fetch, or its title and publisher are already there."
        )
    Source.objects.filter(pk=source.pk).update(fetch_error="", updated_at=timezone.now())
    pk = source.pk
    send_after_commit(lambda: _enqueue_details_fetch(pk), what=f"source {pk} title")
    source.refresh_from_db()
    return source


def source_update(*, source: Source, by: User | None, title: str, publisher: str) -> Source:
    """An analyst corrects a source's title or publisher (the fetched ones are guesses)."""
    if not is_analyst(by):
        raise NotAllowed("Only analysts, editors and admins can edit evidence.")
    title, publisher = _one_line(title)[:TITLE_MAX], _one_line(publisher)[:PUBLISHER_MAX]
    if not (title or source.url):
        raise DomainError("A source without a URL needs a title.")
    Source.objects.filter(pk=source.pk).update(
        title=title, publisher=publisher, updated_at=timezone.now()
    )
    source.refresh_from_db()
    return source


def source_fetch_details(*, source_id: int, final: bool = False) -> str:
    """Fill a source's blank title and publisher from its web page, through the safe
    client. Version-free on purpose: each field is written with a conditional UPDATE
    (``WHERE title = ''``), so a title the analyst typed meanwhile always wins and a
    second run changes nothing. Returns what happened, for logs and tests.

    A transient failure raises TransientFetchError (the task retries) unless ``final``;
    any other failure, or a final one, is recorded in ``fetch_error`` for the page."""
    source = Source.objects.filter(pk=source_id).first()
    if source is None or not source_details_pending(source):
        return "nothing to do"
    try:
        result = http.fetch(
            source.url,
            accept=http.HTML_TYPES,
            max_bytes=DETAILS_MAX_BYTES,
            timeout=DETAILS_TIMEOUT,
        )
    except http.TooLarge:
        return _fetch_failed(source, "The page is too large to read its title.")
    except http.FetchError as exc:
        if getattr(exc, "transient", False) and not final:
            raise TransientFetchError(str(exc)) from exc
        return _fetch_failed(source, str(exc))
    title, publisher = page_details(result.body, charset=result.charset, url=result.final_url)
    now = timezone.now()
    filled = []
    if title and Source.objects.filter(pk=source.pk, title="").update(
        title=title[:TITLE_MAX], updated_at=now
    ):
        filled.append("title")
    if publisher and Source.objects.filter(pk=source.pk, publisher="").update(
        publisher=publisher[:PUBLISHER_MAX], updated_at=now
    ):
        filled.append("publisher")
    if not title and not Source.objects.filter(pk=source.pk).exclude(title="").exists():
        return _fetch_failed(source, "The page has no title; type one.")
    return "filled " + " and ".join(filled) if filled else "already filled"


def _fetch_failed(source: Source, reason: str) -> str:
    reason = _one_line(reason)[:500] or "The page could not be read."
    Source.objects.filter(pk=source.pk).update(fetch_error=reason, updated_at=timezone.now())
    logger.info("Source %s: %s", source.pk, reason)
    return "failed: " + reason


_META_TITLE = ("og:title", "twitter:title", "dc.title")
_META_PUBLISHER = ("og:site_name", "publisher", "dc.publisher", "application-name", "author")


def page_details(body: bytes, *, charset: str | None = None, url: str = "") -> tuple[str, str]:
    """(title, publisher) from an HTML page: Open Graph and similar metadata first, then
    <title>; the publisher falls back to the host name. Text only, whitespace collapsed."""
    import lxml.etree
    import lxml.html

    if not body.strip():
        return "", _host_publisher(url)
    try:
        document = lxml.html.document_fromstring(_decoded(body, charset))
    except (ValueError, lxml.etree.ParserError):
        return "", _host_publisher(url)
    meta: dict[str, str] = {}
    for element in document.iter("meta"):
        key = (element.get("property") or element.get("name") or "").strip().lower()
        content = _one_line(element.get("content") or "")
        if key and content and key not in meta:
            meta[key] = content
    title = next((meta[k] for k in _META_TITLE if meta.get(k)), "")
    if not title:
        found = document.find(".//title")
        title = _one_line(found.text_content()) if found is not None else ""
    publisher = next((meta[k] for k in _META_PUBLISHER if meta.get(k)), "")
    if publisher and title.endswith(publisher):
        # "Report on shells | Example Institute": drop the site name from the title.
        title = re.sub(r"\s*[|\-–—:·]\s*$", "", title[: -len(publisher)]).strip() or title
    return title, publisher or _host_publisher(url)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _decoded(body: bytes, charset: str | None) -> str:
    """The page as text: the header's charset, else a <meta charset>, else UTF-8."""
    if not charset:
        declared = _META_CHARSET.search(body[:4096])
        charset = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        text = body.decode(charset, errors="replace")
    except LookupError:
        text = body.decode("utf-8", errors="replace")
    # lxml refuses str input that still declares an encoding in an XML prolog.
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text)


def _host_publisher(url: str) -> str:
    host = (urlsplit(url).hostname or "") if url else ""
    return host.removeprefix("www.")
