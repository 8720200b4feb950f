"""The API token page: create (named, scoped), see when each was last used, revoke. The
secret is shown once, in the response to the POST that created it, and never stored."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.core.errors import DomainError

from .models import ApiToken
from .roles import is_analyst
from .services import api_token_create, api_token_revoke


def _page(request, *, secret: str = "", new_token=None, error: str = "", status: int = 200):
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": tokens,
            "secret": secret,
            "new_token": new_token,
            "error": error,
            "scopes": ApiToken.Scope.choices,
            "can_write": is_analyst(request.user),
        },
        status=status,
    )


@never_cache
@login_required
def token_list(request):
    if request.method != "POST":
        return _page(request)
    scope = request.POST.get("scope", ApiToken.Scope.READ)
    if scope == ApiToken.Scope.WRITE and not is_analyst(request.user):
        return _page(
            request,
            error="Only analysts, editors and admins can create read-write tokens.",
            status=403,
        )
    try:
        token, secret = api_token_create(
            user=request.user, name=request.POST.get("name", ""), scope=scope
        )
    except DomainError as exc:
        return _page(request, error=exc.message, status=400)
    return _page(request, secret=secret, new_token=token, status=201)


@require_POST
@login_required
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token, by=request.user)
    messages.success(request, f"Token “{token.name}” is revoked; requests with it now get 401.")
    return redirect("accounts:tokens")
