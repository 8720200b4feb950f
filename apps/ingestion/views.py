"""Ingestion pages: add articles (one URL, pasted text or a file, or a batch), follow jobs,
manage feeds.

Everyone logged in can look; analysts (and up) can add articles and retry jobs; editors
and admins manage feeds. Views parse input, call one service, and render; the services
check the roles again, so no page can bypass them.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.roles import is_analyst, is_editor
from apps.core.errors import DomainError
from apps.core.negotiation import HtmxHttpRequest

from . import selectors, services
from .forms import AddArticleForm, AddContentForm, BatchForm, FeedForm, PauseForm
from .models import Feed, IngestBatch, IngestJob, Reextraction

PAGE_SIZE = 50


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "ingestion/forbidden.html", {"message": message}, status=403)


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# --- jobs -----------------------------------------------------------------------------


@require_GET
@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    page = _page(request, selectors.job_list(user=request.user, status=status, channel=channel))
    query = urlencode({k: v for k, v in {"status": status, "channel": channel}.items() if v})
    return render(
        request,
        "ingestion/jobs.html",
        {
            "page": page,
            "status": status,
            "channel": channel,
            "statuses": IngestJob.Status.choices,
            "channels": IngestJob.Channel.choices,
            "query_string": query,
            "section": "jobs",
        },
    )


@require_GET
@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(
        selectors.for_display(
            selectors.jobs_visible_to(request.user).select_related("feed", "batch", "created_by")
        ),
        pk=pk,
    )
    return render(request, "ingestion/job_detail.html", {"job": job, "section": "jobs"})


def _say_job_state(request: HttpRequest, job: IngestJob, *, retried: bool = False) -> None:
    """The message after adding or retrying a job says what happened to it by now: with
    tasks run in-process (no broker) it may have finished, or failed, before the page."""
    job.refresh_from_db(fields=["status", "failure_reason", "attempts"])
    S = IngestJob.Status
    what = f"Job #{job.pk}" if retried else "The article"
    if job.status == S.FAILED:
        messages.error(
            request,
            f"Job #{job.pk} was tried again and failed again."
            if retried
            else "The article could not be added: its job failed (the reason is below).",
        )
    elif job.status == S.DONE:
        messages.success(request, f"{what} is done: the article is stored.")
    elif job.status == S.DUPLICATE:
        messages.success(request, f"{what} is done: the article was already stored.")
    elif retried:
        messages.success(request, f"Job #{job.pk} is queued again; this page follows it.")
    else:
        messages.success(request, "The article is queued; this page follows it.")


@require_POST
@login_required
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_analyst(request.user):
        return _forbidden(request, "Only analysts, editors and admins can retry jobs.")
    job = get_object_or_404(selectors.jobs_visible_to(request.user), pk=pk)
    try:
        services.job_retry(job=job, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        _say_job_state(request, job, retried=True)
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("ingestion:job_detail", pk=job.pk)


# --- adding articles ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def article_add(request: HttpRequest) -> HttpResponse:
    if not is_analyst(request.user):
        return _forbidden(request, "Only analysts, editors and admins can add articles.")
    form = AddArticleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = services.job_submit_url(url=form.cleaned_data["url"], by=request.user)
            except DomainError as exc:
                form.add_error("url", exc.message)
            else:
                _say_job_state(request, job)
                return redirect("ingestion:job_detail", pk=job.pk)
        status = 400
    return render(
        request, "ingestion/add_article.html", {"form": form, "section": "add"}, status=status
    )


def _keep_uploaded(form: AddContentForm) -> AddContentForm:
    """A file that was read but not submitted (another field is wrong) is not lost: the
    form comes back with the file's text in the text box, and the file's title, outlet,
    address, date and language in the fields left empty."""
    record = form.record
    if record is None or form.cleaned_data.get("file") is None:
        return form
    data = form.data.copy()
    data["text"], data["format"] = record.content, record.fmt
    for key in ("title", "outlet", "url", "language", "published_at"):
        value = record.metadata.get(key)
        if value and not (data.get(key) or "").strip():
            data[key] = str(value)[:10] if key == "published_at" else str(value)
    kept = AddContentForm(data)
    kept.is_valid()
    kept.kept_file = record.name
    return kept


@require_http_methods(["GET", "POST"])
@login_required
def article_add_content(request: HttpRequest) -> HttpResponse:
    """An article whose address cannot be fetched: pasted text or an uploaded file, with
    its title, outlet, address, date and language, queued as a file-import job through
    the same service as `import_articles` and the API's push."""
    if not is_analyst(request.user):
        return _forbidden(request, "Only analysts, editors and admins can add articles.")
    form = AddContentForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            record = form.record
            try:
                job = services.job_submit_content(
                    name=record.name,
                    content=record.content,
                    fmt=record.fmt,
                    metadata=record.metadata,
                    by=request.user,
                    channel=IngestJob.Channel.FILE,
                )
            except DomainError as exc:
                form = _keep_uploaded(form)
                form.add_error("url" if record.metadata.get("url") else None, exc.message)
            else:
                _say_job_state(request, job)
                return redirect("ingestion:job_detail", pk=job.pk)
        else:
            form = _keep_uploaded(form)
        status = 400
    return render(
        request,
        "ingestion/add_content.html",
        {"form": form, "section": "add", "kept_file": getattr(form, "kept_file", "")},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def batch_new(request: HttpRequest) -> HttpResponse:
    if not is_analyst(request.user):
        return _forbidden(request, "Only analysts, editors and admins can add articles.")
    form = BatchForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = services.batch_submit_urls(
                    text=form.cleaned_data["text"],
                    by=request.user,
                    label=form.cleaned_data.get("label", ""),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                note = f"{len(result.jobs)} address(es) queued."
                if result.repeats:
                    note += f" {result.repeats} repeated address(es) were queued once."
                messages.success(request, note)
                for problem in result.problems[:20]:
                    messages.warning(request, f"Skipped: {problem}")
                if len(result.problems) > 20:
                    messages.warning(request, f"… and {len(result.problems) - 20} more lines.")
                return redirect("ingestion:batch_detail", pk=result.batch.pk)
        status = 400
    return render(
        request, "ingestion/batch_new.html", {"form": form, "section": "add"}, status=status
    )


@require_GET
@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.batch_list())
    for batch in page.object_list:
        batch.progress = selectors.listed_progress(batch)
    return render(request, "ingestion/batches.html", {"page": page, "section": "batches"})


def _batch_context(request: HttpRequest, batch: IngestBatch) -> dict:
    jobs = selectors.for_display(batch.jobs.all())
    return {
        "batch": batch,
        "batch_url": reverse("ingestion:batch_detail", args=[batch.pk]),
        "progress": selectors.batch_progress(batch),
        "page": _page(request, jobs.order_by("id")),
        "section": "batches",
    }


@require_GET
@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(IngestBatch.objects.select_related("created_by"), pk=pk)
    return render(request, "ingestion/batch_detail.html", _batch_context(request, batch))


@require_GET
@login_required
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The fragment htmx polls every 2 s; it drops the polling trigger once every job is
    final, so the page stops asking by itself."""
    batch = get_object_or_404(IngestBatch, pk=pk)
    return render(request, "ingestion/_batch_progress.html", _batch_context(request, batch))


# --- feeds ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def feed_list(request: HttpRequest) -> HttpResponse:
    can_manage = is_editor(request.user)
    form = FeedForm(request.POST or None) if can_manage else None
    status = 200
    if request.method == "POST":
        if not can_manage:
            return _forbidden(request, "Only editors and admins can add feeds.")
        if form.is_valid():
            try:
                feed = services.feed_create(
                    url=form.cleaned_data["url"],
                    by=request.user,
                    title=form.cleaned_data.get("title", ""),
                    outlet=form.cleaned_data.get("outlet"),
                    poll_interval_minutes=form.cleaned_data["poll_interval_minutes"],
                )
            except DomainError as exc:
                form.add_error("url", exc.message)
            else:
                messages.success(request, "Feed added; its first poll is queued.")
                return redirect("ingestion:feed_detail", pk=feed.pk)
        status = 400
    return render(
        request,
        "ingestion/feeds.html",
        {
            "feeds": selectors.feed_list(),
            "form": form,
            "can_manage": can_manage,
            "section": "feeds",
        },
        status=status,
    )


@require_GET
@login_required
def feed_detail(request: HttpRequest, pk: int) -> HttpResponse:
    feed = get_object_or_404(Feed.objects.select_related("outlet"), pk=pk)
    jobs = selectors.for_display(feed.jobs.all())
    status = request.GET.get("status", "")
    if status in IngestJob.Status.values:
        jobs = jobs.filter(status=status)
    return render(
        request,
        "ingestion/feed_detail.html",
        {
            "feed": feed,
            "page": _page(request, jobs.order_by("-created_at", "-id")),
            "status": status,
            "statuses": IngestJob.Status.choices,
            "query_string": urlencode({"status": status}) if status else "",
            "can_manage": is_editor(request.user),
            "pause_form": PauseForm(),
            "section": "feeds",
        },
    )


@require_POST
@login_required
def feed_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    feed = get_object_or_404(Feed, pk=pk)
    if not is_editor(request.user):
        return _forbidden(request, "Only editors and admins can manage feeds.")
    try:
        if action == "pause":
            form = PauseForm(request.POST)
            reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
            services.feed_pause(feed=feed, by=request.user, reason=reason)
            messages.success(request, "The feed is paused.")
        elif action == "resume":
            services.feed_resume(feed=feed, by=request.user)
            messages.success(request, "The feed is active again; a poll is queued.")
        else:  # poll
            if services.feed_poll_now(feed=feed, by=request.user):
                messages.success(request, "A poll is queued.")
            else:
                messages.info(request, "A poll is already under way.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("ingestion:feed_detail", args=[feed.pk]))


@require_POST
@login_required
def article_reextract(request: HttpRequest, pk: int) -> HttpResponse:
    """Records the request and hands it to a worker; the editor follows it on its page."""
    from apps.articles.models import Article

    article = get_object_or_404(Article, pk=pk)
    try:
        reextraction = services.reextraction_request(article=article, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("articles:detail", pk=pk)
    return redirect("ingestion:reextraction", pk=reextraction.pk)


@require_GET
@login_required
def reextraction_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The request's state; htmx polls the fragment every 2 s until it is final (the page's
    Refresh link does the same without JavaScript)."""
    reextraction = get_object_or_404(
        Reextraction.objects.select_related("article", "requested_by"), pk=pk
    )
    template = (
        "ingestion/_reextraction_state.html" if request.htmx else "ingestion/reextraction.html"
    )
    return render(request, template, {"reextraction": reextraction})
