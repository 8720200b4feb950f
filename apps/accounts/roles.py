"""Roles are Django groups. Permissions that matter to the workflow are checked here only."""

from django.contrib.auth.models import AnonymousUser, User

# Whoever is asking: a request's user (signed in or anonymous), a service's `by`, or nobody.
AnyUser = User | AnonymousUser | None

ANALYST = "analyst"
EDITOR = "editor"
ADMIN = "admin"
ROLES = (ANALYST, EDITOR, ADMIN)


def _groups(user: AnyUser) -> set[str]:
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return set()
    cached = getattr(user, "_claimtrack_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._claimtrack_groups = cached  # type: ignore[attr-defined]  # a per-request cache
    return cached


def is_admin(user: AnyUser) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or ADMIN in _groups(user)))


def is_editor(user: AnyUser) -> bool:
    return is_admin(user) or EDITOR in _groups(user)


def is_analyst(user: AnyUser) -> bool:
    """Analysts tag and research; editors and admins can do everything analysts can."""
    return is_editor(user) or ANALYST in _groups(user)


def role_of(user: AnyUser) -> str:
    if is_admin(user):
        return ADMIN
    if is_editor(user):
        return EDITOR
    if is_analyst(user):
        return ANALYST
    return "reader" if user and user.is_authenticated else "anonymous"
