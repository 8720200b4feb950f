"""Browser views for claims: thin wrappers that parse a form, call one service and render.

Errors from the services (DomainError) are shown to the user with what they typed kept,
and with the error's HTTP status (400, 403, 409) so htmx and JSON clients can tell.

Evidence comes after claims in the app order, so nothing here imports it: the claim page
shows evidence through the slots of apps/claims/evidence.py (which the evidence app fills),
and the evidence views (apps/evidence/views.py) call `render_claim_page` back when they
need the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from apps.accounts.roles import is_analyst, is_editor
from apps.articles.models import Article
from apps.core.errors import DomainError
from apps.core.negotiation import HtmxHttpRequest, wants_json

from . import selectors, services
from .article_views import render_article_page
from .differences import claims_that_disagree, with_disagreement
from .forms import (
    ApproveForm,
    ClaimantForm,
    ClaimCreateForm,
    NoteForm,
    ProposeVerdictForm,
    SpanForm,
    VersionForm,
    first_error,
    quote_as_in_text,
)
from .models import Claim, Claimant, Status, Verdict

PAGE_SIZE = 50


def error_json(exc: DomainError) -> JsonResponse:
    return JsonResponse({"error": {"code": exc.code, "message": exc.message}}, status=exc.status)


def _int(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() else None


# --- Lists -----------------------------------------------------------------------------


@require_safe
@login_required
def claim_list(request: HtmxHttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    verdict = request.GET.get("verdict", "")
    q = request.GET.get("q", "").strip()[:200]
    disagree = request.GET.get("disagree") == "1"
    claims: QuerySet[Claim] = selectors.claim_list(status=status, verdict=verdict, q=q).annotate(
        evidence_count=selectors.evidence_count_subquery()
    )
    claims = with_disagreement(claims)
    if disagree:
        claims = claims_that_disagree(claims)
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
            "disagree": disagree,
            "q": q,
            "query_string": query.urlencode(),
        },
    )


@require_safe
@login_required
def claim_search(request: HtmxHttpRequest) -> HttpResponse:
    """The "Attach to claim…" list: with nothing typed, the claims most similar to the
    selected quote (as the claim it states, without who says it, when the span is given);
    with words typed, claims like them first, then word matches."""
    q = request.GET.get("q", "").strip()[:200]
    quote = request.GET.get("quote", "")[:2000]
    choices = selectors.attach_list(
        q=q,
        quote=quote,
        article_id=_int(request.GET.get("article")),
        start=_int(request.GET.get("start")),
        end=_int(request.GET.get("end")),
    )
    return render(
        request,
        "claims/_attach_results.html",
        {
            "choices": choices,
            "q": q,
            "quote": quote.strip(),
        },
    )


@require_safe
@login_required
def claimant_autocomplete(request: HtmxHttpRequest) -> HttpResponse:
    """<option>s for the claimant field's datalist: claimants by name or alias."""
    q = request.GET.get("q") or request.GET.get("claimant_name") or ""
    return render(
        request, "claims/_claimant_options.html", {"names": selectors.claimant_names(q=q)}
    )


@require_safe
@login_required
def claimant_candidates(request: HtmxHttpRequest) -> HttpResponse:
    """The names an analyst can pick for the selected span, likeliest first, and the
    statement the span makes without who says it (the create form offers it)."""
    article = get_object_or_404(Article, pk=_int(request.GET.get("article")) or 0)
    start, end = _int(request.GET.get("start")), _int(request.GET.get("end"))
    candidates = selectors.claimant_candidates(article=article, start=start, end=end)
    statement = selectors.span_statement(article.text, start, end)
    return render(
        request,
        "claims/_claimant_candidates.html",
        {"candidates": candidates, "statement": statement},
    )


# --- Creating claims and appearances from a span ----------------------------------------


def _span_article(request: HtmxHttpRequest) -> Article | None:
    raw = request.POST.get("article", "")
    if not raw.isdigit():
        return None
    return Article.objects.select_related("outlet", "duplicate_of").filter(pk=int(raw)).first()


def _span_failed(
    request: HtmxHttpRequest, article: Article | None, mode: str, exc: DomainError, claim_id=None
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


def _span(form, article: Article) -> dict:
    data = form.cleaned_data
    return {
        "start": data["start"],
        "end": data["end"],
        "quote": quote_as_in_text(article.text, data["start"], data["end"], data["quote"]),
        "claimant_name": data["claimant_name"],
    }


@require_POST
@login_required
def claim_create(request: HtmxHttpRequest) -> HttpResponse:
    form = ClaimCreateForm(request.POST)
    article = _span_article(request)
    try:
        if article is None:
            raise DomainError("That article does not exist (any more).", code="not_found")
        if not form.is_valid():
            raise DomainError(first_error(form))
        claim = services.claim_create(
            article=article,
            statement=form.cleaned_data["statement"],
            by=request.user,
            **_span(form, article),
        )
    except DomainError as exc:
        return _span_failed(request, article, "create", exc)
    appearance = claim.appearances.order_by("id").first()
    assert appearance is not None  # claim_create tags the claim where it was made
    url = _article_anchor(article.pk, appearance.pk)
    if wants_json(request):
        return JsonResponse(
            {"claim": claim.pk, "appearance": appearance.pk, "url": url}, status=201
        )
    messages.success(request, f"Claim #{claim.pk} created.")
    return redirect(url)


@require_POST
@login_required
def claim_attach(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    form = SpanForm(request.POST)
    article = _span_article(request)
    try:
        if article is None:
            raise DomainError("That article does not exist (any more).", code="not_found")
        if not form.is_valid():
            raise DomainError(first_error(form))
        appearance = services.appearance_create(
            claim=claim, article=article, by=request.user, **_span(form, article)
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


# --- The reading page's side panel ------------------------------------------------------


@require_safe
@login_required
def claim_panel(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A claim in the reading page's margin (htmx): statement, status, verdict, every
    appearance with its quote in context, and the evidence by stance."""
    data = selectors.claim_panel(pk=pk, article_id=_int(request.GET.get("article")))
    if data is None:
        raise Http404("No such claim.")
    return render(request, "claims/_panel.html", data)


# --- Orphaned appearances ---------------------------------------------------------------


@require_safe
@login_required
def orphaned_list(request: HtmxHttpRequest) -> HttpResponse:
    """Appearances lost when their article's text changed, for an editor to re-tag."""
    if not is_editor(request.user):
        return render(
            request,
            "claims/orphaned.html",
            {"forbidden": "Only editors see the orphaned appearances."},
            status=403,
        )
    page = Paginator(selectors.orphaned_appearances(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "claims/orphaned.html", {"page": page, "query_string": ""})


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
            claim=claim,
            by=by,
            version=d["version"],
            verdict=d["verdict"],
            rationale=d["rationale"],
            merge=True,
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
}


def auto_id(action: str) -> str:
    # Several forms on one page have a "note"; element ids must stay unique.
    return f"id_{action}_%s"


def _blank_forms(claim: Claim) -> dict:
    return {
        "propose": ProposeVerdictForm(
            initial={"verdict": claim.verdict, "rationale": claim.rationale},
            auto_id=auto_id("propose"),
        ),
        "approve": ApproveForm(auto_id=auto_id("approve")),
        "send_back": NoteForm(auto_id=auto_id("send_back")),
        "reopen": NoteForm(auto_id=auto_id("reopen")),
        # The evidence form is the evidence app's (its template tag makes a blank one).
        "evidence": None,
    }


def render_claim_page(
    request: HtmxHttpRequest,
    claim: Claim,
    *,
    failed_action: str = "",
    failed_form=None,
    error: str = "",
    notice: str = "",
    status: int = 200,
    confirm_approve=None,
) -> HttpResponse:
    """The claim page, or its body for htmx. `failed_action`/`failed_form` re-show a form
    with the user's input and `error` next to it (the evidence views use "evidence").
    `confirm_approve` (a valid ApproveForm) shows "Publish this claim?" in its place."""
    forms = _blank_forms(claim)
    if failed_action and failed_form is not None:
        forms[failed_action] = failed_form
    actions = services.allowed_actions(claim=claim, user=request.user)
    can_add_evidence = is_analyst(request.user) and claim.status != Status.PUBLISHED
    shown_forms = {*actions, *(["evidence"] if can_add_evidence else [])}
    appearances = selectors.claim_appearances(claim=claim)
    context = {
        "claim": claim,
        "appearances": appearances,
        "claimants": list({a.claimant_id: a.claimant for a in appearances if a.claimant}.values()),
        "claimant_kinds": Claimant.Kind.choices,
        "evidence_total": getattr(claim, "evidence_total", None),
        "reviews": list(claim.reviews.select_related("editor")),
        "history": selectors.claim_history(claim=claim),
        "actions": actions,
        "can_add_evidence": can_add_evidence,
        "can_edit": is_analyst(request.user),
        "forms": forms,
        "failed_action": failed_action,
        "error": error,
        # An error for a form the user cannot see (no longer allowed) goes on top.
        "error_inline": failed_action in shown_forms,
        "notice": notice,
        "checked_elsewhere": selectors.claim_checked_elsewhere(claim=claim),
        "confirm_approve": confirm_approve.cleaned_data if confirm_approve else None,
    }
    template = "claims/_claim_body.html" if request.htmx else "claims/detail.html"
    return render(request, template, context, status=status)


def claim_for_page(pk: int) -> Claim:
    return get_object_or_404(selectors.claim_for_page(pk=pk))


@require_safe
@login_required
def claim_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return render_claim_page(request, claim_for_page(pk))


@require_POST
@login_required
def claim_action(request: HtmxHttpRequest, pk: int, action: str) -> HttpResponse:
    spec = ACTIONS[action]
    claim = claim_for_page(pk)
    form = spec.form(request.POST, auto_id=auto_id(action))
    try:
        if not form.is_valid():
            raise DomainError(first_error(form))
        if action == "approve" and not form.cleaned_data["confirm"] and not wants_json(request):
            # Publishing is asked twice in the browser, with or without JavaScript; JSON
            # clients (like the API) state their intent once.
            services.review_approve_check(
                claim=claim,
                by=request.user,
                override_reason=form.cleaned_data["override_reason"],
                version=form.cleaned_data["version"],
            )
            return render_claim_page(request, claim, confirm_approve=form)
        spec.run(claim, request.user, form.cleaned_data)
    except DomainError as exc:
        if wants_json(request):
            return error_json(exc)
        return render_claim_page(
            request,
            claim_for_page(pk),
            failed_action=action,
            failed_form=form,
            error=exc.message,
            status=exc.status,
        )
    if wants_json(request):
        return JsonResponse({"claim": claim.pk, "message": spec.done})
    if request.htmx:
        return render_claim_page(request, claim_for_page(pk), notice=spec.done)
    messages.success(request, spec.done)
    return redirect("claims:detail", pk=claim.pk)


@require_POST
@login_required
def claimant_edit(request: HtmxHttpRequest, pk: int, claimant_id: int) -> HttpResponse:
    """Correct a claimant's kind or role from the page of a claim they made."""
    claim = claim_for_page(pk)
    claimant = get_object_or_404(
        Claimant.objects.filter(appearances__claim=claim).distinct(), pk=claimant_id
    )
    form = ClaimantForm(request.POST, auto_id=f"id_claimant{claimant.pk}_%s")
    try:
        if not form.is_valid():
            raise DomainError(first_error(form))
        services.claimant_update(
            claimant=claimant,
            by=request.user,
            kind=form.cleaned_data["kind"],
            role=form.cleaned_data["role"],
        )
    except DomainError as exc:
        if wants_json(request):
            return error_json(exc)
        return render_claim_page(request, claim_for_page(pk), error=exc.message, status=exc.status)
    done = f"{claimant.name} saved."
    if wants_json(request):
        return JsonResponse({"claimant": claimant.pk, "message": done})
    if request.htmx:
        return render_claim_page(request, claim_for_page(pk), notice=done)
    messages.success(request, done)
    return redirect("claims:detail", pk=claim.pk)
