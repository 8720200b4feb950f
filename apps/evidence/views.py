"""Browser views for evidence: add it to a claim, correct a source's title, poll for a
fetched title, find a Claimtrack article to cite. Thin: parse, call a service, render.

The claim page belongs to the claims app; these views render it back (with the failed
form and its error, or a notice) through `apps.claims.views.render_claim_page`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from apps.accounts.roles import is_analyst
from apps.articles.models import Article
from apps.claims.article_views import articles_for_list
from apps.claims.factchecks import factcheck_citation
from apps.claims.forms import first_error
from apps.claims.models import Claim, ExternalFactCheck, Suggestion
from apps.claims.suggestions import suggestion_accept
from apps.claims.views import claim_for_page, error_json, render_claim_page
from apps.core.errors import DomainError
from apps.core.negotiation import HtmxHttpRequest, wants_json

from . import services
from .forms import EvidenceForm, SourceDetailsForm
from .models import EvidenceLink, Source
from .templatetags.evidence_ui import prepare_link

ARTICLE_RESULTS = 8


@require_POST
@login_required
def evidence_add(request: HtmxHttpRequest, claim_pk: int) -> HttpResponse:
    claim = claim_for_page(claim_pk)
    form = EvidenceForm(request.POST, auto_id="id_evidence_%s")
    try:
        if not form.is_valid():
            raise DomainError(first_error(form))
        data = form.cleaned_data
        article = None
        if data["article"]:
            article = Article.objects.select_related("outlet").filter(pk=data["article"]).first()
            if article is None:
                raise services.field_error(
                    "That article does not exist (any more); pick another.", "article"
                )
        # evidence_add takes no version: adding a source commutes with other changes.
        services.evidence_add(
            claim=claim,
            by=request.user,
            stance=data["stance"],
            url=data["url"],
            title=data["title"],
            publisher=data["publisher"],
            kind=data["kind"],
            quote=data["quote"],
            note=data["note"],
            article=article,
        )
    except DomainError as exc:
        if wants_json(request):
            return error_json(exc)
        if not form.errors:  # the service refused it: show why next to the field concerned
            form.add_domain_error(exc)
        return render_claim_page(
            request,
            claim_for_page(claim_pk),
            failed_action="evidence",
            failed_form=form,
            error=exc.message,
            status=exc.status,
        )
    done = "Evidence added."
    if wants_json(request):
        return JsonResponse({"claim": claim.pk, "message": done})
    if request.htmx:
        return render_claim_page(request, claim_for_page(claim_pk), notice=done)
    messages.success(request, done)
    return redirect("claims:detail", pk=claim.pk)


def _link(pk: int) -> EvidenceLink:
    return prepare_link(
        get_object_or_404(
            EvidenceLink.objects.select_related("source", "source__article", "linked_by", "claim"),
            pk=pk,
        )
    )


def _render_link(request, link, *, form=None, error="", status=200) -> HttpResponse:
    return render(
        request,
        "evidence/_link.html",
        {
            "link": link,
            "can_edit": is_analyst(request.user),
            "edit_form": form,
            "edit_error": error,
        },
        status=status,
    )


@require_safe
@login_required
def link_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One piece of evidence (htmx): polled while its title is being fetched."""
    return _render_link(request, _link(pk))


@require_POST
@login_required
def source_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Correct the title and publisher of a piece of evidence's source."""
    link = _link(pk)
    form = SourceDetailsForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(first_error(form))
        services.source_update(
            source=link.source,
            by=request.user,
            title=form.cleaned_data["title"],
            publisher=form.cleaned_data["publisher"],
        )
    except DomainError as exc:
        if not request.htmx:
            messages.error(request, exc.message)
            return redirect("claims:detail", pk=link.claim_id)
        return _render_link(request, link, form=form, error=exc.message, status=exc.status)
    if not request.htmx:
        messages.success(request, "Source updated.")
        return redirect("claims:detail", pk=link.claim_id)
    return _render_link(request, _link(pk))


@require_POST
@login_required
def source_refetch(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """ "Fetch title again" on a piece of evidence whose title could not be fetched: the
    fetch is sent after commit and the item shows (and polls) its pending state."""
    link = _link(pk)
    try:
        services.source_refetch(source=link.source, by=request.user)
    except DomainError as exc:
        if not request.htmx:
            messages.error(request, exc.message)
            return redirect("claims:detail", pk=link.claim_id)
        return _render_link(request, link, error=exc.message, status=exc.status)
    if not request.htmx:
        messages.success(request, "Fetching the title again.")
        return redirect(reverse("claims:detail", args=[link.claim_id]) + f"#evidence-{link.pk}")
    return _render_link(request, _link(pk))


@require_safe
@login_required
def article_search(request: HtmxHttpRequest) -> HttpResponse:
    """Articles to cite as evidence, found by words of their title or text."""
    q = request.GET.get("article_q", request.GET.get("q", "")).strip()[:200]
    articles = list(articles_for_list(q=q)[:ARTICLE_RESULTS]) if q else []
    return render(request, "evidence/_article_results.html", {"articles": articles, "q": q})


def _posted_int(request: HtmxHttpRequest, name: str) -> int | None:
    value = (request.POST.get(name) or "").strip()
    return int(value) if value.isdigit() else None


@require_POST
@login_required
def factcheck_cite(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Cite an imported fact-check (ExternalFactCheck) as evidence in one click: its review
    URL becomes a Source with its publisher and title, linked with the stance the analyst
    picked (context by default). POST `claim` (a claim's pk) or `suggestion` (an open
    suggestion: accepted as a new claim first, in the same transaction)."""
    factcheck = get_object_or_404(ExternalFactCheck.objects.defer("vector"), pk=pk)
    stance = request.POST.get("stance") or EvidenceLink.Stance.CONTEXT
    claim_pk, suggestion_pk = _posted_int(request, "claim"), _posted_int(request, "suggestion")
    suggestion = None
    if claim_pk is None:
        suggestion = get_object_or_404(
            Suggestion.objects.select_related("article"), pk=suggestion_pk or 0
        )
    try:
        with transaction.atomic():
            if suggestion is not None:
                claim = suggestion_accept(suggestion=suggestion, by=request.user).claim
            else:
                claim = get_object_or_404(Claim, pk=claim_pk)
            services.evidence_add(
                claim=claim,
                by=request.user,
                stance=stance,
                kind=Source.Kind.ARTICLE,
                **factcheck_citation(factcheck),  # type: ignore[arg-type]  # url, title, …: str
            )
    except DomainError as exc:
        if wants_json(request):
            return error_json(exc)
        if suggestion is not None:
            messages.error(request, exc.message)
            return redirect(
                reverse("articles:detail", args=[suggestion.article_id]) + "#suggestions"
            )
        assert claim_pk is not None  # no suggestion: a claim was posted
        return render_claim_page(
            request, claim_for_page(claim_pk), error=exc.message, status=exc.status
        )
    done = f"Cited {factcheck.publisher or 'the fact-check'}'s review as evidence."
    if suggestion is not None:
        done = f"Claim #{claim.pk} created; {done[0].lower()}{done[1:]}"
    if wants_json(request):
        return JsonResponse({"claim": claim.pk, "message": done})
    if request.htmx and suggestion is None:
        return render_claim_page(request, claim_for_page(claim.pk), notice=done)
    messages.success(request, done)
    return redirect("claims:detail", pk=claim.pk)
