"""Replacing an article's text, and an editor's re-extraction run in a worker."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.roles import is_editor
from apps.articles.models import Article
from apps.core.enqueue import send_after_commit, send_now
from apps.core.errors import DomainError, NotAllowed
from apps.core.text import content_hash, normalize_text

from ..charset import decode_page
from ..extraction import extract_html, extract_plain
from ..models import Reextraction
from . import dispatch
from .common import without_retry_promise

logger = logging.getLogger(__name__)

# --- Re-extraction ---------------------------------------------------------------------


def article_text_replace(
    *, article: Article, text: str, by: User | None = None, removed_lines: list | None = None
):
    """Replace an article's stored text (re-extracted, or corrected) and re-anchor its
    appearances in the same transaction: by position, exact quote, then quote with its
    context; those that cannot be found are marked orphaned for an editor, never dropped.
    The lines cleaning removed from the old text go with it: `removed_lines` (from the new
    extraction) replace them, or none are kept."""
    from apps.claims.anchoring import appearances_reanchor

    if by is not None and not is_editor(by):
        raise NotAllowed("Only editors and admins can replace an article's text.")
    text = normalize_text(text)
    if not text.strip():
        raise DomainError("The new text is empty; the article keeps its current text.")
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        old_text = locked.text
        if old_text == text:
            return None
        locked.text = text
        locked.content_hash = content_hash(text)
        locked.removed_lines = removed_lines or []
        locked.save(update_fields=["text", "content_hash", "removed_lines", "updated_at"])
        report = appearances_reanchor(article=locked, old_text=old_text)
    article.refresh_from_db()
    return report


# A re-extraction still waiting this long is sent again (its message was lost, or never
# sent: the broker was down); one running this long lost its worker (longer than the
# task's hard time limit: checks.py) and fails, to be asked for again.
REEXTRACT_RESEND_AFTER = timedelta(seconds=60)


def reextract_stuck_after() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "REEXTRACT_STUCK_AFTER_SECONDS", 150)))


REEXTRACT_LOST_REASON = (
    "The worker fetching the page stopped before it finished (restarted, or out of memory); "
    "the text was not changed. Ask for a re-extraction again."
)


def _reextract_url(article: Article) -> str:
    url = article.url or article.canonical_url
    if not url:
        raise DomainError(
            "This article came without a URL (a file or a push); nothing to re-fetch."
        )
    return url


def reextraction_request(*, article: Article, by: User) -> Reextraction:
    """Record an editor's request to re-extract an article and send it to a worker after
    commit. A request already waiting or running for the article is returned instead of a
    second one."""
    if not is_editor(by):
        raise NotAllowed("Only editors and admins can re-extract an article.")
    _reextract_url(article)
    open_ = Reextraction.objects.filter(
        article=article, status__in=[Reextraction.Status.PENDING, Reextraction.Status.RUNNING]
    ).first()
    if open_ is not None:
        return open_
    try:
        with transaction.atomic():
            request = Reextraction.objects.create(article=article, requested_by=by)
    except IntegrityError:  # a second click raced the first: follow that one
        return Reextraction.objects.get(
            article=article, status__in=[Reextraction.Status.PENDING, Reextraction.Status.RUNNING]
        )
    send_after_commit(
        lambda: dispatch.task("article_reextract_task").delay(request.pk),
        what=f"re-extraction {request.pk}",
    )
    return request


def reextraction_run(reextraction_id: int) -> Reextraction | None:
    """The body of the re-extraction task: claim the request (pending -> running, once),
    fetch and replace the text, record the outcome for the editor's page."""
    now = timezone.now()
    claimed = Reextraction.objects.filter(
        pk=reextraction_id, status=Reextraction.Status.PENDING
    ).update(status=Reextraction.Status.RUNNING, started_at=now, updated_at=now)
    if not claimed:
        return None  # run already, or being run
    request = Reextraction.objects.select_related("article").get(pk=reextraction_id)
    try:
        report, note = _reextract(article=request.article)
    except DomainError as exc:
        status, outcome = Reextraction.Status.FAILED, exc.message
    except SoftTimeLimitExceeded:
        status = Reextraction.Status.FAILED
        outcome = "Fetching the page took too long and was stopped; the text was not changed."
    except Exception as exc:  # noqa: BLE001 - recorded for the editor, logged in full
        logger.exception("Re-extraction %s failed", reextraction_id)
        status = Reextraction.Status.FAILED
        outcome = f"Internal error ({type(exc).__name__}); the text was not changed."
    else:
        status = Reextraction.Status.DONE
        outcome = (
            "The source is unchanged; the text stays as it was."
            if report is None
            else f"Text re-extracted. Highlights: {report}."
        )
        if note:
            outcome = f"{outcome} {note}"
    now = timezone.now()
    Reextraction.objects.filter(pk=request.pk, status=Reextraction.Status.RUNNING).update(
        status=status, outcome=outcome[:2000], finished_at=now, updated_at=now
    )
    request.refresh_from_db()
    return request


def reextractions_sweep(*, now: datetime | None = None) -> int:
    """Send again the requests still waiting after REEXTRACT_RESEND_AFTER; fail those
    whose worker was lost (running past reextract_stuck_after()). Returns the count."""
    now = now or timezone.now()
    lost = Reextraction.objects.filter(
        status=Reextraction.Status.RUNNING, started_at__lt=now - reextract_stuck_after()
    ).update(
        status=Reextraction.Status.FAILED,
        outcome=REEXTRACT_LOST_REASON,
        finished_at=now,
        updated_at=now,
    )
    with transaction.atomic():
        waiting = list(
            Reextraction.objects.select_for_update(skip_locked=True)
            .filter(status=Reextraction.Status.PENDING, updated_at__lt=now - REEXTRACT_RESEND_AFTER)
            .values_list("id", flat=True)[:100]
        )
        Reextraction.objects.filter(pk__in=waiting).update(updated_at=now)
    for pk in waiting:
        if not send_now(
            lambda pk=pk: dispatch.task("article_reextract_task").delay(pk), what="re-extraction"
        ):
            break
    return lost + len(waiting)


def article_reextract(*, article: Article, by: User | None = None):
    """Fetch the article's URL again, extract it, and replace the text if it changed. Runs
    in a worker (reextraction_run); a page never waits on it."""
    return _reextract(article=article, by=by)[0]


def _reextract(*, article: Article, by: User | None = None):
    """(the re-anchoring report or None, a note on how the page's bytes decoded)."""
    from apps.core import http

    if by is not None and not is_editor(by):
        raise NotAllowed("Only editors and admins can re-extract an article.")
    url = _reextract_url(article)
    try:
        result = http.fetch(url, accept=http.HTML_TYPES | http.TEXT_TYPES)
    except http.FetchError as exc:  # not tried again: the editor asks again
        raise DomainError(f"Could not fetch {url}: {without_retry_promise(exc.reason)}") from exc
    body, note = decode_page(result.body, result.charset)
    if result.content_type == "text/plain":
        extracted = extract_plain(body)
    else:
        extracted = extract_html(body, url=result.final_url)
    replaced = article_text_replace(
        article=article, text=extracted.text, by=by, removed_lines=extracted.removed_json()
    )
    return replaced, note
