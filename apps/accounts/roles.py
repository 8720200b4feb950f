"""Roles are Django groups. Permissions that matter to the workflow are checked here only."""

from django.contrib.auth.models import AnonymousUser, User

ANALYST = "analyst"
EDITOR = "editor"
ADMIN = "admin"
ROLES = (ANALYST, EDITOR, ADMIN)


def _groups(user) -> set[str]:
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return set()
    cached = getattr(user, "_claimtrack_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._claimtrack_groups = cached
    return cached


def is_admin(user: User) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or ADMIN in _groups(user)))


def is_editor(user: User) -> bool:
    return is_admin(user) or EDITOR in _groups(user)


def is_analyst(user: User) -> bool:
    """Analysts tag and research; editors and admins can do everything analysts can."""
    return is_editor(user) or ANALYST in _groups(user)


def role_of(user: User) -> str:
    if is_admin(user):
        return ADMIN
    if is_editor(user):
        return EDITOR
    if is_analyst(user):
        return ANALYST
    return "reader" if user and user.is_authenticated else "anonymous"
