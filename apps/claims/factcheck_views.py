"""The editors' page for importing other organisations' fact-checks (ClaimReview files):
the same service as `manage.py import_factchecks` and POST /api/factchecks/import."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from apps.accounts.roles import is_editor
from apps.core.errors import DomainError
from apps.core.negotiation import HtmxHttpRequest

from .factcheck_runs import background_threshold, factcheck_import_start
from .factchecks import FactCheckImportError, factchecks_import
from .models import ExternalFactCheck, FactCheckImportRun

SHOWN_SKIPS = 200


@require_http_methods(["GET", "POST"])
@login_required
def factcheck_import(request: HtmxHttpRequest) -> HttpResponse:
    context: dict[str, object] = {"total": ExternalFactCheck.objects.count()}
    if not is_editor(request.user):
        context["forbidden"] = "Only editors can import fact-checks."
        return render(request, "claims/factcheck_import.html", context, status=403)
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = "Choose a file to import."
            status = 400
        elif (upload.size or 0) >= background_threshold():
            # A large file: a task imports it in chunks; the page follows its progress.
            try:
                context["run"] = factcheck_import_start(
                    content=upload.read(), filename=upload.name or "", by=request.user
                )
            except DomainError as exc:
                context["error"] = exc.message
                status = exc.status
        else:
            try:
                result = factchecks_import(upload.read())
            except FactCheckImportError as exc:
                context["error"] = exc.message
                status = 400
            else:
                context.update(
                    result=result,
                    skipped=result.skipped[:SHOWN_SKIPS],
                    more_skipped=max(0, len(result.skipped) - SHOWN_SKIPS),
                    filename=upload.name,
                    total=ExternalFactCheck.objects.count(),
                )
    template = (
        "claims/_factcheck_import_result.html"
        if request.headers.get("X-Requested-With") == "XMLHttpRequest"
        else "claims/factcheck_import.html"
    )
    return render(request, template, context, status=status)


@require_http_methods(["GET"])
@login_required
def factcheck_import_run(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A background import's progress: the fragment polls itself until the run ends."""
    if not is_editor(request.user):
        return render(
            request,
            "claims/factcheck_import.html",
            {"forbidden": "Only editors can import fact-checks."},
            status=403,
        )
    run = get_object_or_404(FactCheckImportRun.objects.defer("content"), pk=pk)
    context = {"run": run, "total": ExternalFactCheck.objects.count()}
    template = (
        "claims/_factcheck_import_run.html" if request.htmx else "claims/factcheck_import.html"
    )
    return render(request, template, context)
