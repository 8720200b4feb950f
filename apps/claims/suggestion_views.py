"""Browser views for suggestions and the differences panel: thin wrappers over
apps/claims/suggestions.py and differences.py.

Each POST answers an htmx request with the refreshed fragment, a JSON client with JSON,
and a plain form post with a redirect back to the article (or claim) and a message.
Errors from the services (DomainError) keep their HTTP status (400, 403, 409).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from apps.accounts.roles import is_analyst
from apps.articles.models import Article
from apps.core.errors import DomainError
from apps.core.negotiation import HtmxHttpRequest, wants_json

from . import differences as differences_module
from . import matching
from . import suggestions as services
from .models import Claim, Suggestion, SuggestionRun


def suggestions_context(*, article: Article, user) -> dict:
    """What templates/claims/_suggestions.html needs (for a page that includes it)."""
    suggestions = list(
        Suggestion.objects.filter(article=article, state=Suggestion.State.OPEN)
        .select_related("matched_claim", "claimant", "matched_factcheck")
        .defer("matched_factcheck__original", "matched_factcheck__vector")
        .order_by("start")
    )
    for suggestion in suggestions:
        suggestion.tier_label = matching.TIER_LABELS.get(suggestion.match_tier, "")  # type: ignore[attr-defined]
    return {
        "article": article,
        "suggestions": suggestions,
        "suggestion_run": SuggestionRun.objects.filter(article=article).first(),
        "suggestion_threshold": services.threshold(),
        "decided_count": Suggestion.objects.filter(article=article)
        .exclude(state=Suggestion.State.OPEN)
        .count(),
        "can_decide": is_analyst(user),
    }


def _fragment(
    request: HtmxHttpRequest,
    article: Article,
    *,
    error: str = "",
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    context = suggestions_context(article=article, user=request.user)
    context.update({"suggestion_error": error, "suggestion_notice": notice})
    return render(request, "claims/_suggestions.html", context, status=status)


def _done(request: HtmxHttpRequest, article: Article, message: str, payload: dict) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"message": message, **payload})
    if request.htmx:
        return _fragment(request, article, notice=message)
    messages.success(request, message)
    return redirect(reverse("articles:detail", args=[article.pk]) + "#suggestions")


def _failed(request: HtmxHttpRequest, article: Article, exc: DomainError) -> HttpResponse:
    if wants_json(request):
        return JsonResponse(
            {"error": {"code": exc.code, "message": exc.message}}, status=exc.status
        )
    if request.htmx:
        return _fragment(request, article, error=exc.message, status=exc.status)
    messages.error(request, exc.message)
    return redirect(reverse("articles:detail", args=[article.pk]) + "#suggestions")


@require_safe
@login_required
def article_suggestions(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=article_id)
    return _fragment(request, article)


@require_POST
@login_required
def accept(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    suggestion = get_object_or_404(Suggestion.objects.select_related("article"), pk=pk)
    article = suggestion.article
    raw_claim = request.POST.get("claim", "").strip()
    try:
        claim = None
        if raw_claim:
            if not raw_claim.isdigit():
                raise DomainError("Choose a claim to attach to.")
            claim = Claim.objects.filter(pk=int(raw_claim)).first()
            if claim is None:
                raise DomainError("That claim does not exist (any more).", code="not_found")
        appearance = services.suggestion_accept(
            suggestion=suggestion,
            by=request.user,
            claim=claim,
            statement=request.POST.get("statement", "")[:2000],
            claimant_name=request.POST.get("claimant_name"),
        )
    except DomainError as exc:
        return _failed(request, article, exc)
    message = (
        f"Attached to claim #{appearance.claim_id}."
        if claim
        else f"Claim #{appearance.claim_id} created."
    )
    return _done(
        request, article, message, {"claim": appearance.claim_id, "appearance": appearance.pk}
    )


@require_POST
@login_required
def dismiss(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    suggestion = get_object_or_404(Suggestion.objects.select_related("article"), pk=pk)
    try:
        services.suggestion_dismiss(suggestion=suggestion, by=request.user)
    except DomainError as exc:
        return _failed(request, suggestion.article, exc)
    return _done(request, suggestion.article, "Suggestion dismissed.", {"suggestion": pk})


@require_POST
@login_required
def accept_above(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=article_id)
    try:
        results = services.suggestions_accept_above(
            # The service parses the typed score (and says when it is not a number).
            article=article,
            score=request.POST.get("score", ""),  # type: ignore[arg-type]
            by=request.user,
        )
    except DomainError as exc:
        return _failed(request, article, exc)
    accepted = sum(1 for r in results if r.ok)
    skipped = [r for r in results if r.skipped]
    failed = [r for r in results if not r.ok and not r.skipped]
    message = f"{accepted} suggestion{'s' if accepted != 1 else ''} accepted."
    if skipped:
        claims = ", ".join(f"#{r.claim_id}" for r in skipped[:5])
        message += f" {len(skipped)} skipped, already tagged ({claims})."
    if failed:
        message += f" {len(failed)} could not be: " + "; ".join(r.message for r in failed[:3])
    payload = {
        "results": [
            {
                "suggestion": r.suggestion_id,
                "ok": r.ok,
                "skipped": r.skipped,
                "message": r.message,
                "claim": r.claim_id,
                "appearance": r.appearance_id,
            }
            for r in results
        ]
    }
    return _done(request, article, message, payload)


@require_POST
@login_required
def regenerate(request: HtmxHttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=article_id)
    if not is_analyst(request.user):
        return _failed(
            request,
            article,
            DomainError(
                "Only analysts, editors and admins can re-run suggestions.", code="not_allowed"
            ),
        )
    found = services.suggestions_generate(article=article)
    return _done(
        request,
        article,
        f"{len(found)} suggestion(s) after re-analysis.",
        {"suggestions": [s.pk for s in found]},
    )


@require_safe
@login_required
def claim_differences(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    data = differences_module.claim_differences(claim, store=True)
    if wants_json(request):
        return JsonResponse({"claim": claim.pk, **data})
    return render(request, "claims/_differences.html", {"claim": claim, "differences": data})
