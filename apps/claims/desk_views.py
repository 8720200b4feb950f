"""The editor's desk in the browser: review queue, work lists with bulk actions, dashboard,
history, editing with conflict handling, notifications. Thin: parse, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.roles import ANALYST, EDITOR, is_analyst, is_editor
from apps.articles.models import Outlet
from apps.core.errors import Conflict, DomainError, NotAllowed
from apps.core.negotiation import HtmxHttpRequest

from . import desk, notifications, services
from .models import Claim, Claimant, Notification, Verdict


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _researchers():
    return (
        User.objects.filter(groups__name__in=[ANALYST, EDITOR], is_active=True)
        .distinct()
        .order_by("username")
    )


def _back_url(request: HtmxHttpRequest, back: str) -> str:
    """The work list a bulk action came from, when it is a path on this site."""
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return reverse("desk:mine")


def _forbidden(request: HtmxHttpRequest, message: str) -> HttpResponse:
    return render(request, "desk/forbidden.html", {"message": message}, status=403)


# --- Review queue -----------------------------------------------------------------------


@require_GET
@login_required
def review_queue(request: HtmxHttpRequest) -> HttpResponse:
    filters = {
        "outlet": _int(request.GET.get("outlet")),
        "claimant": _int(request.GET.get("claimant")),
        "assignee": _int(request.GET.get("assignee")),
        "verdict": request.GET.get("verdict", ""),
        "older_than_days": _int(request.GET.get("older_than_days")),
    }
    claims = desk.review_queue(**filters)  # type: ignore[arg-type]  # each key's type is right
    page = Paginator(claims, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "desk/review_queue.html",
        {
            "page": page,
            "filters": filters,
            "outlets": Outlet.objects.order_by("name"),
            "claimants": Claimant.objects.filter(merged_into__isnull=True).order_by("name")[:500],
            "assignees": _researchers(),
            "verdicts": Verdict.choices,
            "can_review": is_editor(request.user),
        },
    )


@require_POST
@login_required
def review_decide(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Approve or send back from the queue; answers the queue row (htmx) or redirects."""
    claim = get_object_or_404(Claim, pk=pk)
    decision = request.POST.get("decision")
    note = request.POST.get("note", "")
    htmx = bool(request.htmx)
    try:
        if request.POST.get("cancel"):
            if htmx:
                row = desk.review_queue().filter(pk=pk).first() or claim
                return render(
                    request,
                    "desk/_queue_row.html",
                    {"claim": row, "note": note, "can_review": is_editor(request.user)},
                )
            return redirect("desk:review_queue")
        if decision == "approve" and not request.POST.get("confirm"):
            # Publishing is asked twice: a row (htmx) or a page (no JavaScript) says what
            # will be published, and only its "Yes, publish" sends confirm=1.
            override_reason = request.POST.get("override_reason", "")
            services.review_approve_check(
                claim=claim,
                by=request.user,
                override_reason=override_reason,
                version=_int(request.POST.get("version")),
            )
            context = {
                "claims": [claim],
                "action_url": reverse("desk:review_decide", args=[claim.pk]),
                "hidden": [
                    ("decision", "approve"),
                    ("version", request.POST.get("version", "")),
                    ("note", note),
                    ("override_reason", override_reason),
                ],
                "note": note,
                "cancel_url": reverse("desk:review_queue"),
            }
            template = "desk/_queue_confirm.html" if htmx else "desk/confirm_publish.html"
            return render(request, template, context)
        if decision == "approve":
            claim = services.review_approve(
                claim=claim,
                by=request.user,
                note=note,
                override_reason=request.POST.get("override_reason", ""),
                version=_int(request.POST.get("version")),
            )
            outcome = f"Published as {claim.get_verdict_display().lower()}."
        elif decision == "send_back":
            claim = services.review_send_back(
                claim=claim, by=request.user, note=note, version=_int(request.POST.get("version"))
            )
            outcome = "Sent back to researching."
        else:
            raise DomainError("Choose approve or send back.")
    except DomainError as exc:
        if htmx:
            row = desk.review_queue().filter(pk=pk).first() or claim
            return render(
                request,
                "desk/_queue_row.html",
                {
                    "claim": row,
                    "error": exc.message,
                    "note": note,
                    "can_review": is_editor(request.user),
                },
                status=exc.status,
            )
        messages.error(request, exc.message)
        return redirect("desk:review_queue")
    if htmx:
        return render(request, "desk/_queue_done.html", {"claim": claim, "outcome": outcome})
    messages.success(request, f"Claim #{claim.pk}: {outcome}")
    return redirect("desk:review_queue")


# --- Work lists and bulk actions ---------------------------------------------------------


def _work_list(request: HtmxHttpRequest, *, title: str, unassigned: bool) -> HttpResponse:
    claims = desk.work_list(assignee_id=request.user.pk, unassigned=unassigned)
    page = Paginator(claims, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "desk/work_list.html",
        {
            "page": page,
            "title": title,
            "unassigned": unassigned,
            "assignees": _researchers(),
            "bulk_actions": [
                ("assign", "Assign to…"),
                ("add_tag", "Add tag…"),
                ("start_research", "Start research"),
                ("submit", "Submit for review"),
                *(
                    [("approve", "Approve and publish"), ("send_back", "Send back")]
                    if is_editor(request.user)
                    else []
                ),
            ],
            "can_act": is_analyst(request.user),
        },
    )


@require_GET
@login_required
def my_claims(request: HtmxHttpRequest) -> HttpResponse:
    return _work_list(request, title="My claims", unassigned=False)


@require_GET
@login_required
def unassigned(request: HtmxHttpRequest) -> HttpResponse:
    return _work_list(request, title="Unassigned claims", unassigned=True)


@require_POST
@login_required
def bulk(request: HtmxHttpRequest) -> HttpResponse:
    ids = [i for i in request.POST.getlist("claim") if i.isdigit()]
    action = request.POST.get("action", "")
    back = request.POST.get("back") or ""
    if action == "approve" and ids and is_editor(request.user) and not request.POST.get("confirm"):
        claims = list(Claim.objects.filter(pk__in=ids).order_by("-updated_at", "-id"))
        note = request.POST.get("note", "")
        return render(
            request,
            "desk/confirm_publish.html",
            {
                "claims": claims,
                "action_url": reverse("desk:bulk"),
                "hidden": [
                    ("action", "approve"),
                    ("back", back),
                    ("note", note),
                    *(("claim", claim.pk) for claim in claims),
                ],
                "note": note,
                "cancel_url": _back_url(request, back),
            },
        )
    assignee = None
    assignee_id = _int(request.POST.get("assignee"))
    if request.POST.get("action") == "assign" and assignee_id:
        assignee = User.objects.filter(pk=assignee_id).first()
    try:
        results = services.claims_bulk(
            claim_ids=ids,
            action=request.POST.get("action", ""),
            by=request.user,
            assignee=assignee,
            tag=request.POST.get("tag", ""),
            note=request.POST.get("note", ""),
        )
    except NotAllowed as exc:
        return _forbidden(request, exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(request.POST.get("back") or "desk:mine")
    statements = dict(
        Claim.objects.filter(pk__in=[r.claim_id for r in results]).values_list("pk", "statement")
    )
    return render(
        request,
        "desk/bulk_results.html",
        {
            "results": [(r, statements.get(r.claim_id, "")) for r in results],
            "ok": sum(r.ok for r in results),
            "failed": sum(not r.ok for r in results),
            "back": request.POST.get("back") or "",
        },
    )


# --- Dashboard ---------------------------------------------------------------------------


@require_GET
@login_required
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    data = desk.dashboard()
    return render(
        request,
        "desk/dashboard.html",
        {
            **data,
            "status_chart": desk.bar_chart(data["by_status"]),
            "verdict_chart": desk.bar_chart(data["by_verdict"]),
            "week_chart": desk.bar_chart(data["per_week"]),
        },
    )


# --- History and editing -------------------------------------------------------------------


@require_GET
@login_required
def history(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    timeline = desk.claim_snapshots(pk)
    if not timeline:
        return render(request, "desk/forbidden.html", {"message": "No such claim."}, status=404)
    selected_id = _int(request.GET.get("event"))
    selected = next((e for e in timeline if e["id"] == selected_id), None)
    assignee_names = dict(
        User.objects.filter(
            pk__in={e["snapshot"]["assignee_id"] for e in timeline} - {None}
        ).values_list("pk", "username")
    )
    return render(
        request,
        "desk/history.html",
        {
            "claim": Claim.objects.filter(pk=pk).first(),
            "claim_id": pk,
            "timeline": list(reversed(timeline)),
            "selected": selected,
            "assignee_names": assignee_names,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def claim_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim.objects.select_related("assignee"), pk=pk)
    if not is_analyst(request.user):
        return _forbidden(request, "Only analysts, editors and admins can edit claims.")
    context = {"claim": claim, "assignees": _researchers()}
    if request.method == "GET":
        context["form"] = {
            "statement": claim.statement,
            "tags": ", ".join(claim.tags),
            "assignee": claim.assignee_id or "",
            "version": claim.version,
        }
        return render(request, "desk/claim_edit.html", context)
    submitted = {
        "statement": request.POST.get("statement", ""),
        "tags": request.POST.get("tags", ""),
        "assignee": request.POST.get("assignee", ""),
        "version": request.POST.get("version", ""),
    }
    assignee_id = _int(submitted["assignee"])
    proposed = {
        "statement": submitted["statement"],
        "tags": submitted["tags"],
        "assignee": User.objects.filter(pk=assignee_id).first() if assignee_id else None,
    }
    # After a conflict the user chose, field by field, to keep the other person's value.
    kept_theirs = [name for name in proposed if request.POST.get(f"keep_{name}") == "theirs"]
    for name in kept_theirs:
        del proposed[name]
    try:
        services.claim_update_merge(
            claim_id=claim.pk,
            by=request.user,
            base_version=_int(submitted["version"]) or 0,
            proposed=proposed,
        )
    except Conflict as exc:
        claim.refresh_from_db()
        both = exc.details.get("both_changed") or {}
        yours = set(exc.details.get("yours_changed") or ())
        current = {
            "statement": claim.statement,
            "tags": ", ".join(claim.tags),
            "assignee": claim.assignee_id or "",
        }
        # Retry against the current version: what the user changed stays theirs to save,
        # everything else shows (and would save) the current value.
        form = {name: submitted[name] if name in yours else current[name] for name in current}
        context.update(
            form={**form, "version": claim.version},
            both_changed=[
                {"field": name, "label": name.capitalize(), **values}
                for name, values in both.items()
            ],
            error=exc.message,
        )
        return render(request, "desk/claim_edit.html", context, status=409)
    except DomainError as exc:
        if exc.code == "unchanged" and kept_theirs:
            messages.success(request, "Kept their version; you changed nothing else.")
            return redirect("claims:detail", pk=claim.pk)
        context.update(form=submitted, error=exc.message)
        return render(request, "desk/claim_edit.html", context, status=exc.status)
    messages.success(request, "Claim saved.")
    return redirect("claims:detail", pk=claim.pk)


# --- Notifications -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def notification_list(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "POST":
        notifications.notifications_mark_read(user=request.user)
        return redirect("desk:notifications")
    items = Notification.objects.filter(user=request.user).select_related("claim")[:100]
    return render(request, "desk/notifications.html", {"items": items})


@require_POST
@login_required
def claim_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    try:
        services.claim_delete(
            claim=claim, by=request.user, version=_int(request.POST.get("version"))
        )
    except NotAllowed as exc:
        return _forbidden(request, exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("claims:detail", pk=pk)
    messages.success(request, f"Claim #{pk} deleted. Its history is kept.")
    return redirect("claims:list")
