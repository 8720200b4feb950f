"""Tags for the top bar (templates/base.html)."""

from django import template

from ..models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """How many notifications the signed-in user has not read: one COUNT on an index."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
