from functools import cache

from django.db import connections
from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import ApiToken


@cache
def _token_query() -> tuple[str, list[str], list[str]]:
    """The token-and-user lookup as SQL, with the attribute names of its columns: written
    from the models' metadata once per process. The ORM compiled the same select_related
    query on every API request, which took longer than running it."""
    user_model = ApiToken._meta.get_field("user").related_model
    token_fields = ApiToken._meta.concrete_fields
    user_fields = user_model._meta.concrete_fields
    qn = connections[ApiToken.objects.db].ops.quote_name

    def column(model, name: str) -> str:
        return qn(model._meta.get_field(name).column)

    columns = [f"t.{qn(f.column)}" for f in token_fields]
    columns += [f"u.{qn(f.column)}" for f in user_fields]
    # Identifiers come from the models' metadata, quoted; the key hash is a parameter.
    template = (
        "SELECT {columns} FROM {tokens} t JOIN {users} u ON u.{user_pk} = t.{user_id} "
        "WHERE t.{key_hash} = %s AND t.{revoked_at} IS NULL"
    )
    sql = template.format(
        columns=", ".join(columns),
        tokens=qn(ApiToken._meta.db_table),
        users=qn(user_model._meta.db_table),
        user_pk=qn(user_model._meta.pk.column),
        user_id=column(ApiToken, "user"),
        key_hash=column(ApiToken, "key_hash"),
        revoked_at=column(ApiToken, "revoked_at"),
    )
    return sql, [f.attname for f in token_fields], [f.attname for f in user_fields]


def find_active_token(key: str) -> ApiToken | None:
    """The unrevoked token with this key, its user loaded, or None."""
    sql, token_names, user_names = _token_query()
    db = ApiToken.objects.db
    with connections[db].cursor() as cursor:
        cursor.execute(sql, [ApiToken.hash_key(key)])
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(token_names)
    token = ApiToken.from_db(db, token_names, row[:split])
    token.user = ApiToken._meta.get_field("user").related_model.from_db(db, user_names, row[split:])
    return token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token ct_...` (or Bearer). Sets request.auth to the ApiToken."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header: use 'Token <key>'."
            )
        token = find_active_token(header[1])
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked API token.")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return "Token"
