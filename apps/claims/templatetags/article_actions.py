"""The reading page's actions that other apps offer (apps/claims/article_actions.py)."""

from django import template

from .. import article_actions

register = template.Library()


@register.filter
def reextract_url(article_id: int) -> str:
    return article_actions.reextract_url(article_id)
