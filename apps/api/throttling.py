"""Rate limits: per API token (each token its own budget), per user for browser sessions,
per address for anonymous requests. Over the limit: 429 with Retry-After.

Counts live in the Django cache; with several web processes give them a shared cache
(Redis) so the limit holds across processes.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from apps.accounts.models import ApiToken


class ApiRateThrottle(SimpleRateThrottle):
    scope = "token"

    def __init__(self):
        # The rate depends on the request (token or anonymous) and is read at request time,
        # not import time, so settings overrides apply.
        pass

    def allow_request(self, request, view):
        self.scope = self._scope_for(request)
        rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
        self.rate = rates.get(self.scope)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    @staticmethod
    def _scope_for(request) -> str:
        user = getattr(request, "user", None)
        return "token" if user is not None and user.is_authenticated else "anon"

    def get_cache_key(self, request, view):
        token = request.auth
        if isinstance(token, ApiToken):
            ident = f"token:{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"addr:{self.get_ident(request)}"
        return f"throttle:{self.scope}:{ident}"
