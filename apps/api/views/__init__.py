"""The client API. Views stay thin: they validate input and call the services that the
browser and the workers use, so no client can bypass a rule."""

from .appearances import AppearanceViewSet, ClaimantViewSet
from .articles import ACCEPTED, ArticleViewSet, OutletViewSet
from .base import (
    IF_MATCH,
    IF_MATCH_REQUIRED,
    ConditionalMixin,
    ListRetrieveCreateViewSet,
    api_not_found,
)
from .claims import CLAIM_SEARCH_PARAMS, ClaimViewSet
from .evidence import EvidenceViewSet
from .ingestion import FeedViewSet, IngestJobViewSet, IsAdminRole

__all__ = [
    "ACCEPTED",
    "CLAIM_SEARCH_PARAMS",
    "IF_MATCH",
    "IF_MATCH_REQUIRED",
    "AppearanceViewSet",
    "ArticleViewSet",
    "ClaimViewSet",
    "ClaimantViewSet",
    "ConditionalMixin",
    "EvidenceViewSet",
    "FeedViewSet",
    "IngestJobViewSet",
    "IsAdminRole",
    "ListRetrieveCreateViewSet",
    "OutletViewSet",
    "api_not_found",
]
