from __future__ import annotations

import pghistory
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.roles import is_analyst
from apps.articles.models import Article
from apps.claims.models import Claim, Status
from apps.core.errors import DomainError, NotAllowed

from .models import EvidenceLink, Source


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
    if stance not in EvidenceLink.Stance.values:
        raise DomainError(f"Stance must be one of: {', '.join(EvidenceLink.Stance.values)}.")
    if kind not in Source.Kind.values:
        raise DomainError(f"Kind must be one of: {', '.join(Source.Kind.values)}.")
    url = (url or "").strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise DomainError(f"{url!r} is not a web address; use a full http(s):// URL.") from None
    if article is not None:
        url = url or article.canonical_url or article.url
        title = title or article.title
        kind = Source.Kind.ARTICLE
    if not (url or article or note.strip()):
        raise DomainError("Give the evidence a URL, an article, or at least a note.")
    source = None
    if url:
        source = Source.objects.filter(url=url).first()
    if source is None:
        source = Source.objects.create(
            url=url,
            title=title.strip()[:500],
            publisher=publisher.strip()[:200],
            kind=kind,
            article=article,
            created_by=by,
        )
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
        raise DomainError(
            "This source is already linked to the claim.", code="duplicate_evidence"
        ) from None
    Claim.objects.filter(pk=claim.pk).update(updated_at=timezone.now())
    return link
