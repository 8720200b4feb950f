"""Rate limits: per API token (each token its own budget), per user for browser sessions,
per address for anonymous requests. Over the limit: 429 with Retry-After.

A fixed-window counter: one integer per client and window (`cache.add` then `cache.incr`,
atomic in Redis and in the local-memory cache), instead of DRF's default list of every
request's time, which each request read, changed and wrote back whole (up to 1,200 times
per minute per token, racing between processes). The cost: a client may send up to twice
its rate across the boundary of two windows.

Counts live in the Django cache; with several web processes give them a shared cache
(Redis) so the limit holds across processes.
"""

import math

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from apps.accounts.models import ApiToken


class ApiRateThrottle(SimpleRateThrottle):
    scope = "token"

    def __init__(self):
        # The rate depends on the request (token or anonymous) and is read at request time,
        # not import time, so settings overrides apply.
        self.wait_seconds = None

    def allow_request(self, request, view):
        self.scope = self._scope_for(request)
        rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
        self.rate = rates.get(self.scope)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.rate is None:
            return True
        now = self.timer()
        window = math.floor(now / self.duration)
        key = f"{self.get_cache_key(request, view)}:{window}"
        # The key outlives its window a little, so a late incr never finds it gone.
        if self.cache.add(key, 1, timeout=self.duration + 5):
            count = 1
        else:
            try:
                count = self.cache.incr(key)
            except ValueError:  # evicted between add and incr: start again
                self.cache.add(key, 1, timeout=self.duration + 5)
                count = 1
        if count > self.num_requests:
            self.wait_seconds = (window + 1) * self.duration - now
            return False
        return True

    def wait(self):
        return self.wait_seconds

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
