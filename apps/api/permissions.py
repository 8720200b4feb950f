from rest_framework.permissions import SAFE_METHODS, BasePermission

from apps.accounts.models import ApiToken
from apps.accounts.roles import is_analyst


class RoleScopePermission(BasePermission):
    """Reads need a signed-in user or a token; writes need the analyst role (or above) and,
    through a token, the write scope. Workflow rules (who may publish) live in services."""

    message = "Sign in or send 'Authorization: Token <key>'."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        token = request.auth
        if isinstance(token, ApiToken) and token.scope != ApiToken.Scope.WRITE:
            self.message = "This API token is read-only; create a read-write token to make changes."
            return False
        if not is_analyst(user):
            self.message = "Only analysts, editors and admins can make changes."
            return False
        return True
