"""The editors' page for importing other organisations' fact-checks (ClaimReview files):
the same service as `manage.py import_factchecks` and POST /api/factchecks/import."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from apps.accounts.roles import is_editor

from .factchecks import FactCheckImportError, factchecks_import
from .models import ExternalFactCheck

SHOWN_SKIPS = 200


@require_http_methods(["GET", "POST"])
@login_required
def factcheck_import(request: HttpRequest) -> HttpResponse:
    context = {"total": ExternalFactCheck.objects.count()}
    if not is_editor(request.user):
        context["forbidden"] = "Only editors can import fact-checks."
        return render(request, "claims/factcheck_import.html", context, status=403)
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = "Choose a file to import."
            status = 400
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
