import secrets

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from apps.core.errors import DomainError

from .models import ApiToken
from .roles import ROLES


@transaction.atomic
def roles_ensure() -> None:
    """Create the role groups. Rights are decided in apps.accounts.roles, not by model perms."""
    for name in ROLES:
        Group.objects.get_or_create(name=name)


@transaction.atomic
def user_create_with_role(
    *, username: str, role: str, password: str | None = None
) -> tuple[User, str]:
    if role not in ROLES:
        raise DomainError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    roles_ensure()
    password = password or secrets.token_urlsafe(12)
    user = User.objects.create_user(username=username, password=password)
    user.is_staff = role == "admin"
    user.is_superuser = role == "admin"
    user.save(update_fields=["is_staff", "is_superuser"])
    user.groups.add(Group.objects.get(name=role))
    return user, password


@transaction.atomic
def api_token_create(
    *, user: User, name: str, scope: str = ApiToken.Scope.READ
) -> tuple[ApiToken, str]:
    """Returns the token row and the secret, which is never stored and cannot be shown again."""
    if not name.strip():
        raise DomainError("Give the token a name so you can recognise it later.")
    if scope not in ApiToken.Scope.values:
        raise DomainError("Scope must be 'read' or 'write'.")
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=key[:10],
        key_hash=ApiToken.hash_key(key),
        scope=scope,
    )
    return token, key


def api_token_revoke(*, token: ApiToken, by: User) -> None:
    if token.user_id != by.id and not by.is_superuser:
        raise DomainError("You can only revoke your own tokens.")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
