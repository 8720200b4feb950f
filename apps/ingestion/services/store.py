"""Storing extracted articles: exact duplicates, the insert, signatures, near-duplicates."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from apps.articles.models import Article, Outlet
from apps.core.text import content_hash, normalize_text
from apps.core.urls import canonicalize_url, url_hash

from ..models import IngestJob
from .common import hash_of, outlet_for

if TYPE_CHECKING:
    from .runner import Run

logger = logging.getLogger(__name__)


@dataclass
class _NewArticle:
    run: Run
    text: str
    digest: str
    hashes: set[str]
    canonical: str


# Stored in groups of this many articles, each group one transaction: a chunk stopped at
# its time limit keeps the groups stored before.
STORE_GROUP = 4


class Storer:
    """Stores extracted articles in groups of STORE_GROUP as the chunk goes on, in the
    chunk's own thread and connection. (A store thread with a connection of its own, to
    overlap the database's work with the extraction, and asynchronous commits were
    removed: with pages arriving at real network speed they bought nothing,
    docs/benchmarks.md.)"""

    def __init__(self) -> None:
        self.pending: list[Run] = []
        self.outlets: dict[tuple[str, str], Outlet | None] = {}  # found or made, by key

    def add(self, run: Run) -> None:
        _prepare(run)
        self.pending.append(run)
        if len(self.pending) >= STORE_GROUP:
            self.flush()

    def flush(self) -> None:
        group, self.pending = self.pending, []
        if group:
            _store_group(group, self.outlets)


def _prepare(run: Run) -> None:
    """The CPU part of storing, in the extracting thread: the normalised text, its hash,
    the URL keys and the near-duplicate signature."""
    from .. import dedupe

    started = time.perf_counter()
    extracted = run.extracted
    text = normalize_text(extracted.text)
    primary = extracted.canonical_url or run.url
    urls = (run.url, extracted.canonical_url, *run.aliases)
    run.item = _NewArticle(
        run=run,
        text=text,
        digest=content_hash(text),
        hashes={hash_of(u) for u in urls if u},
        canonical=canonicalize_url(primary) if primary else "",
    )
    run.computed = dedupe.compute(text)
    run.timings["dedupe"] = time.perf_counter() - started


def _store_group(group: list[Run], outlets: dict) -> None:
    """Store a group of new articles in one transaction, with their near-duplicate
    signatures and their jobs' links to them. An article already stored (by canonical
    URL, the declared one, an alias such as the URL before redirects, or identical
    content), by anyone or earlier in this chunk, makes its job a duplicate. A failure
    fails the group's jobs, not the chunk."""
    items = [run.item for run in group]
    started = time.perf_counter()
    try:
        with transaction.atomic():
            # Outcomes are applied once the transaction has committed.
            duplicates, created = _insert_new(items, outlets)
    except SoftTimeLimitExceeded:
        outlets.clear()
        raise
    except Exception as exc:
        outlets.clear()  # an outlet made in the rolled-back transaction is gone
        logger.exception("Storing articles failed for jobs %s", [r.job.pk for r in group])
        for run in group:
            run.fail(f"Internal error ({type(exc).__name__}); see the worker log.")
        return
    for item, article_id in duplicates:
        item.run.end(IngestJob.Status.DUPLICATE, article_id=article_id)
    for item, article_id in created:
        item.run.created, item.run.article_id = True, article_id
    share = (time.perf_counter() - started) / len(items)
    for item in items:
        item.run.timings["store"] = share


def _insert_new(items: list[_NewArticle], outlets: dict):
    """In the store transaction: ([(item, existing article id)], [(item, new id)])."""
    from .. import dedupe

    # One query for both kinds of exact duplicate; a URL match wins over a content match,
    # then the oldest article. An article new in this chunk counts too (as its item).
    by_url: dict[str, int | _NewArticle] = {}
    by_content: dict[str, int | _NewArticle] = {}
    for pk, key, digest in (
        Article.objects.filter(
            Q(url_hash__in={h for i in items for h in i.hashes})
            | Q(content_hash__in={i.digest for i in items})
        )
        .order_by("-id")
        .values_list("id", "url_hash", "content_hash")
    ):
        if key:
            by_url[key] = pk
        by_content[digest] = pk
    new: list[tuple[_NewArticle, Article]] = []
    same: list[tuple[_NewArticle, int | _NewArticle]] = []
    for item in items:
        found = [by_url[h] for h in item.hashes if h in by_url]
        stored = [pk for pk in found if isinstance(pk, int)]
        existing = min(stored) if stored else (found[0] if found else by_content.get(item.digest))
        if existing is not None:
            same.append((item, existing))
            continue
        article = _new_article(item, outlets)
        if article.url_hash:
            by_url[article.url_hash] = item
        by_content.setdefault(item.digest, item)
        new.append((item, article))
    ids = _insert_articles(new)
    created = [(item, ids[id(item)][0]) for item, _ in new if ids[id(item)][1]]
    duplicates = [(item, ids[id(item)][0]) for item, _ in new if not ids[id(item)][1]]
    for item, existing in same:
        # A copy of an article new in this chunk: the id that article ended with.
        duplicates.append((item, existing if isinstance(existing, int) else ids[id(existing)][0]))
    dedupe.signatures_store(
        [(pk, item.run.computed) for item, pk in created if item.run.computed is not None]
    )
    if created:
        _link_jobs([(item.run.job.pk, pk) for item, pk in created])
    return duplicates, created


def _new_article(item: _NewArticle, outlets: dict) -> Article:
    run, extracted = item.run, item.run.extracted
    job = run.job
    metadata = job.payload.get("metadata") or {}
    if job.outlet_id:
        outlet = Outlet(pk=job.outlet_id)  # only its key is needed
    else:
        key = (metadata.get("outlet_domain", ""), metadata.get("outlet", ""))
        if not any(key) and item.canonical:
            key = (urlsplit(item.canonical).hostname or "", "")
        if key not in outlets:
            outlets[key] = outlet_for(domain=key[0], name=key[1])
        outlet = outlets[key]
    return Article(
        url=run.url,
        canonical_url=item.canonical,
        url_hash=url_hash(item.canonical) if item.canonical else None,
        content_hash=item.digest,
        title=(extracted.title or item.text[:120])[:1000],
        authors=extracted.authors,
        outlet=outlet,
        published_at=extracted.published_at,
        language=extracted.language,
        text=item.text,
        removed_lines=extracted.removed_json(),
        status=Article.Status.EXTRACTED,
        failure_reason=run.note,  # how its bytes decoded, when not cleanly (charset.py)
        origin=_origin(job),
        source_name=job.payload.get("name", "")[:255],
    )


def _insert_articles(new: list[tuple[_NewArticle, Article]]) -> dict[int, tuple[int, bool]]:
    """One INSERT for the chunk's new articles: {id(item): (article id, created)}. If a
    racing run inserted one of them first (a unique constraint fails), insert them one by
    one, and a job whose article the racer stored is a duplicate of the racer's row."""
    if not new:
        return {}
    try:
        with transaction.atomic():
            Article.objects.bulk_create([article for _, article in new])
        return {id(item): (article.pk, True) for item, article in new}
    except IntegrityError:
        pass
    ids = {}
    for item, article in new:
        article.pk = None
        article._state.adding = True
        try:
            with transaction.atomic():
                article.save(force_insert=True)
            ids[id(item)] = (article.pk, True)
        except IntegrityError:
            key = (
                {"url_hash": article.url_hash}
                if article.url_hash
                else {"content_hash": article.content_hash, "url_hash": None}
            )
            other = Article.objects.filter(**key).values_list("id", flat=True).first()
            ids[id(item)] = (other, False)
    return ids


_LINK_SQL = """
UPDATE ingestion_ingestjob AS j SET article_id = v.article_id, updated_at = %s
  FROM (VALUES {values}) AS v(id, article_id) WHERE j.id = v.id
"""


def _link_jobs(pairs: list[tuple[int, int]]) -> None:
    """Each job names its new article, in the article's own transaction."""
    # Only placeholders are interpolated; the values are parameters.
    sql = _LINK_SQL.format(values=", ".join(["(%s::bigint, %s::bigint)"] * len(pairs)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [timezone.now(), *(x for pair in pairs for x in pair)])


def link_near_duplicates(runs: list[Run]) -> None:
    """Link near-duplicates once the articles and their signatures are committed (so
    racing workers see them; see dedupe.py): one candidate query for the chunk. A hint:
    a failure is logged, never fatal."""
    from .. import dedupe

    fresh = [run for run in runs if run.created and run.computed is not None]
    resumed = [run for run in runs if run.resumed]
    for group, stored in ((fresh, True), (resumed, False)):
        if not group:
            continue
        started = time.perf_counter()
        try:
            if stored:
                dedupe.near_duplicates_link([(run.article_id, run.computed) for run in group])
            else:
                for run in group:
                    article = Article.objects.get(pk=run.article_id)
                    dedupe.near_duplicate_link(article)
        except Exception:  # noqa: BLE001 - logged; the articles stay stored without links
            logger.exception(
                "Near-duplicate check failed for articles %s", [r.article_id for r in group]
            )
        share = (time.perf_counter() - started) / len(group)
        for run in group:
            run.timings["dedupe"] = run.timings.get("dedupe", 0.0) + share
            if run.resumed:
                run.end(IngestJob.Status.DONE, article_id=run.article_id)
    for run in fresh:
        run.end(IngestJob.Status.DONE, article_id=run.article_id)
    for run in runs:
        if run.created and not run.status:  # stored, too short for a signature
            run.end(IngestJob.Status.DONE, article_id=run.article_id)


def _origin(job: IngestJob) -> str:
    return {
        IngestJob.Channel.URL: Article.Origin.URL,
        IngestJob.Channel.FEED: Article.Origin.FEED,
        IngestJob.Channel.FILE: Article.Origin.FILE,
        IngestJob.Channel.PUSH: Article.Origin.PUSH,
    }[job.channel]
