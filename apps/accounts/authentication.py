import math
import time
from functools import cache as memoize

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.throttling import BaseThrottle

from .models import ApiToken


@memoize
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
        failures = _FailureCount(request)
        failures.refuse_if_over()
        if len(header) != 2:
            failures.add()
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header: use 'Token <key>'."
            )
        token = find_active_token(header[1])
        if token is None or not token.user.is_active:
            failures.add()
            raise exceptions.AuthenticationFailed("Invalid or revoked API token.")
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return "Token"


class TooManyFailures(exceptions.Throttled):
    """429 for an address past its failed-authentication limit; its message is its own."""


class _FailureCount:
    """Failed token authentications per client address (API_AUTH_FAILURE_RATE, default
    30/minute), in a fixed window in the cache: past the limit every token attempt from the
    address answers 429 until the window ends, so keys cannot be guessed at speed. The
    address is DRF's (REMOTE_ADDR, or X-Forwarded-For behind NUM_PROXIES)."""

    def __init__(self, request):
        from rest_framework.throttling import SimpleRateThrottle

        rate = getattr(settings, "API_AUTH_FAILURE_RATE", "30/minute")
        self.limit, self.duration = SimpleRateThrottle.parse_rate(None, rate)
        now = time.time()
        self.window = math.floor(now / self.duration)
        self.wait = (self.window + 1) * self.duration - now
        ident = BaseThrottle().get_ident(request)
        self.key = f"throttle:auth-failures:{ident}:{self.window}"

    def refuse_if_over(self) -> None:
        if (cache.get(self.key) or 0) >= self.limit:
            raise TooManyFailures(
                wait=self.wait,
                detail=(
                    f"Too many failed authentications from this address ({self.limit} a "
                    f"window of {self.duration} s); wait as long as Retry-After says, then "
                    "check the token."
                ),
            )

    def add(self) -> None:
        if not cache.add(self.key, 1, timeout=self.duration + 5):
            try:
                cache.incr(self.key)
            except ValueError:  # evicted between add and incr
                cache.add(self.key, 1, timeout=self.duration + 5)
