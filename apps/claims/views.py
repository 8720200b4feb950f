"""Browser views for claims: thin wrappers that parse a form, call one service and render.

Errors from the services (DomainError) are shown to the user with what they typed kept,
and with the error's HTTP status (400, 403, 409) so htmx and JSON clients can tell.

The claim page also shows and adds evidence. `evidence` sits after `claims` in the
dependency order; this page is the one place the two meet, so the import below is the
exception (see the report/decisions: an apps/evidence view included from config/urls.py
would remove it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from apps.accounts.roles import is_analyst
from apps.articles.models import Article
from apps.articles.views import is_web_url, render_article_page
from apps.core.errors import DomainError
from apps.evidence import services as evidence_services
from apps.evidence.forms import EvidenceForm
from apps.evidence.models import EvidenceLink

from . import selectors, services
from .forms import (
    ApproveForm,
    ClaimCreateForm,
    NoteForm,
    ProposeVerdictForm,
    SpanForm,
    VersionForm,
    first_error,
)
from .models import Claim, Status, Verdict

PAGE_SIZE = 50


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def wants_json(request: HttpRequest) -> bool:
    return not is_htmx(request) and "application/json" in request.headers.get("Accept", "")


def error_json(exc: DomainError) -> JsonResponse:
    return JsonResponse({"error": {"code": exc.code, "message": exc.message}}, status=exc.status)


# --- Lists -----------------------------------------------------------------------------


def _evidence_count() -> Coalesce:
    counts = (
        EvidenceLink.objects.filter(claim=OuterRef("pk"))
        .order_by()
        .values("claim")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


@require_safe
@login_required
def claim_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    verdict = request.GET.get("verdict", "")
    q = request.GET.get("q", "").strip()[:200]
    claims = selectors.claim_list(status=status, verdict=verdict, q=q).annotate(
        evidence_count=_evidence_count()
    )
    page = Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "claims/list.html",
        {
            "page": page,
            "statuses": Status.choices,
            "verdicts": Verdict.choices,
            "selected_status": status,
            "selected_verdict": verdict,
            "q": q,
            "query_string": query.urlencode(),
        },
    )


@require_safe
@login_required
def claim_search(request: HttpRequest) -> HttpResponse:
    """The "Attach to claim…" list: a fragment of claims matching the text typed."""
    q = request.GET.get("q", "").strip()[:200]
    return render(
        request,
        "claims/_attach_results.html",
        {"claims": selectors.claims_for_attach(q=q), "q": q},
    )


# --- Creating claims and appearances from a span ----------------------------------------


def _span_article(request: HttpRequest) -> Article | None:
    raw = request.POST.get("article", "")
    if not raw.isdigit():
        return None
    return Article.objects.select_related("outlet", "duplicate_of").filter(pk=int(raw)).first()


def _span_failed(
    request: HttpRequest, article: Article | None, mode: str, exc: DomainError, claim_id=None
) -> HttpResponse:
    """Back to the reading page with the panel open and the user's input in it."""
    if wants_json(request) or article is None:
        if article is None and not wants_json(request):
            messages.error(request, exc.message)
            return redirect("articles:list")
        return error_json(exc)
    selection = {
        "mode": mode,
        "start": request.POST.get("start", ""),
        "end": request.POST.get("end", ""),
        "quote": request.POST.get("quote", ""),
        "statement": request.POST.get("statement", ""),
        "claimant_name": request.POST.get("claimant_name", ""),
        "claim_id": claim_id,
        "error": exc.message,
    }
    return render_article_page(request, article, selection=selection, status=exc.status)


def _article_anchor(article_id: int, appearance_id: int) -> str:
    return f"{reverse('articles:detail', args=[article_id])}#appearance-{appearance_id}"


@require_POST
@login_required
def claim_create(request: HttpRequest) -> HttpResponse:
    form = ClaimCreateForm(request.POST)
    article = _span_article(request)
    try:
        if article is None:
            raise DomainError("That article does not exist (any more).", code="not_found")
        if not form.is_valid():
            raise DomainError(first_error(form))
        data = form.cleaned_data
        claim = services.claim_create(
            article=article,
            start=data["start"],
            end=data["end"],
            quote=data["quote"],
            statement=data["statement"],
            claimant_name=data["claimant_name"],
            by=request.user,
        )
    except DomainError as exc:
        return _span_failed(request, article, "create", exc)
    appearance = claim.appearances.order_by("id").first()
    url = _article_anchor(article.pk, appearance.pk)
    if wants_json(request):
        return JsonResponse(
            {"claim": claim.pk, "appearance": appearance.pk, "url": url}, status=201
        )
    messages.success(request, f"Claim #{claim.pk} created.")
    return redirect(url)


@require_POST
@login_required
def claim_attach(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    form = SpanForm(request.POST)
    article = _span_article(request)
    try:
        if article is None:
            raise DomainError("That article does not exist (any more).", code="not_found")
        if not form.is_valid():
            raise DomainError(first_error(form))
        data = form.cleaned_data
        appearance = services.appearance_create(
            claim=claim,
            article=article,
            start=data["start"],
            end=data["end"],
            quote=data["quote"],
            claimant_name=data["claimant_name"],
            by=request.user,
        )
    except DomainError as exc:
        return _span_failed(request, article, "attach", exc, claim_id=claim.pk)
    url = _article_anchor(article.pk, appearance.pk)
    if wants_json(request):
        return JsonResponse(
            {"claim": claim.pk, "appearance": appearance.pk, "url": url}, status=201
        )
    messages.success(request, f"Attached to claim #{claim.pk}.")
    return redirect(url)


# --- The claim page and its workflow ----------------------------------------------------


@dataclass(frozen=True)
class Action:
    form: type
    run: Callable  # (claim, user, cleaned_data) -> None
    done: str  # message after success


ACTIONS: dict[str, Action] = {
    "start_research": Action(
        VersionForm,
        lambda claim, by, d: services.claim_start_research(
            claim=claim, by=by, version=d["version"]
        ),
        "Research started.",
    ),
    "propose": Action(
        ProposeVerdictForm,
        lambda claim, by, d: services.claim_propose_verdict(
            claim=claim, by=by, version=d["version"], verdict=d["verdict"], rationale=d["rationale"]
        ),
        "Verdict proposed.",
    ),
    "submit": Action(
        VersionForm,
        lambda claim, by, d: services.claim_submit_for_review(
            claim=claim, by=by, version=d["version"]
        ),
        "Submitted for review.",
    ),
    "approve": Action(
        ApproveForm,
        lambda claim, by, d: services.review_approve(
            claim=claim,
            by=by,
            version=d["version"],
            note=d["note"],
            override_reason=d["override_reason"],
        ),
        "Approved and published.",
    ),
    "send_back": Action(
        NoteForm,
        lambda claim, by, d: services.review_send_back(
            claim=claim, by=by, version=d["version"], note=d["note"]
        ),
        "Sent back to research.",
    ),
    "reopen": Action(
        NoteForm,
        lambda claim, by, d: services.claim_reopen(
            claim=claim, by=by, version=d["version"], note=d["note"]
        ),
        "Reopened.",
    ),
    "evidence": Action(
        EvidenceForm,
        # evidence_add takes no version: adding a source commutes with other changes.
        lambda claim, by, d: evidence_services.evidence_add(
            claim=claim,
            by=by,
            stance=d["stance"],
            url=d["url"],
            title=d["title"],
            publisher=d["publisher"],
            kind=d["kind"],
            quote=d["quote"],
            note=d["note"],
        ),
        "Evidence added.",
    ),
}


def _auto_id(action: str) -> str:
    # Several forms on one page have a "note"; element ids must stay unique.
    return f"id_{action}_%s"


def _blank_forms(claim: Claim) -> dict:
    return {
        "propose": ProposeVerdictForm(
            initial={"verdict": claim.verdict, "rationale": claim.rationale},
            auto_id=_auto_id("propose"),
        ),
        "approve": ApproveForm(auto_id=_auto_id("approve")),
        "send_back": NoteForm(auto_id=_auto_id("send_back")),
        "reopen": NoteForm(auto_id=_auto_id("reopen")),
        "evidence": EvidenceForm(auto_id=_auto_id("evidence")),
    }


def _evidence_by_stance(claim: Claim) -> list[dict]:
    links = list(claim.evidence.select_related("source", "linked_by").order_by("created_at", "id"))
    groups = []
    for stance, label in EvidenceLink.Stance.choices:
        items = [link for link in links if link.stance == stance]
        for link in items:
            link.safe_url = link.source.url if is_web_url(link.source.url) else ""
        groups.append({"stance": stance, "label": label, "links": items})
    return groups


def render_claim_page(
    request: HttpRequest,
    claim: Claim,
    *,
    failed_action: str = "",
    failed_form=None,
    error: str = "",
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    forms = _blank_forms(claim)
    if failed_action and failed_form is not None:
        forms[failed_action] = failed_form
    evidence = _evidence_by_stance(claim)
    actions = services.allowed_actions(claim=claim, user=request.user)
    can_add_evidence = is_analyst(request.user) and claim.status != Status.PUBLISHED
    shown_forms = {*actions, *(["evidence"] if can_add_evidence else [])}
    context = {
        "claim": claim,
        "appearances": selectors.claim_appearances(claim=claim),
        "evidence_groups": evidence,
        "evidence_total": sum(len(g["links"]) for g in evidence),
        "reviews": list(claim.reviews.select_related("editor")),
        "history": selectors.claim_history(claim=claim),
        "actions": actions,
        "can_add_evidence": can_add_evidence,
        "forms": forms,
        "failed_action": failed_action,
        "error": error,
        # An error for a form the user cannot see (no longer allowed) goes on top.
        "error_inline": failed_action in shown_forms,
        "notice": notice,
    }
    template = "claims/_claim_body.html" if is_htmx(request) else "claims/detail.html"
    return render(request, template, context, status=status)


@require_safe
@login_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(selectors.claim_for_page(pk=pk))
    return render_claim_page(request, claim)


@require_POST
@login_required
def claim_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    spec = ACTIONS[action]
    claim = get_object_or_404(selectors.claim_for_page(pk=pk))
    form = spec.form(request.POST, auto_id=_auto_id(action))
    try:
        if not form.is_valid():
            raise DomainError(first_error(form))
        spec.run(claim, request.user, form.cleaned_data)
    except DomainError as exc:
        if wants_json(request):
            return error_json(exc)
        claim = get_object_or_404(selectors.claim_for_page(pk=pk))
        return render_claim_page(
            request,
            claim,
            failed_action=action,
            failed_form=form,
            error=exc.message,
            status=exc.status,
        )
    if wants_json(request):
        return JsonResponse({"claim": claim.pk, "message": spec.done})
    if is_htmx(request):
        claim = get_object_or_404(selectors.claim_for_page(pk=pk))
        return render_claim_page(request, claim, notice=spec.done)
    messages.success(request, spec.done)
    return redirect("claims:detail", pk=claim.pk)
