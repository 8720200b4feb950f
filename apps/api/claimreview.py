"""The ClaimReview builder moved to apps/claims/claimreview.py (the public fact-check page,
a claims screen, needs it, and claims sits below api). This re-export keeps
`apps/api/views.py` working until its split imports from apps.claims.claimreview directly;
then delete this module."""

from apps.claims.claimreview import claim_review, claim_review_graph

__all__ = ["claim_review", "claim_review_graph"]
