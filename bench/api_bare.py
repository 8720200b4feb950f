"""The framework's floor: a plain Django view returning the same 50 claims as
GET /api/claims/?status=..., with the same queries and the same JSON (it builds them with
the same code, apps.api.selectors, and writes them with orjson as the API does), but no DRF:
no authentication, throttling, content negotiation, filter sets, pagination links or ETag.
The API's throughput is compared with this view's in the same run."""

import orjson
from django.http import HttpResponse

from apps.api.selectors import claim_representations, claim_rows
from apps.claims.models import Claim


def bare_claims(request):
    claims = Claim.objects.all()
    status = request.GET.get("status")
    if status:
        claims = claims.filter(status=status)
    page = list(claim_rows(claims.order_by("-id"))[:51])
    body = {
        "next": None,
        "resume": None,
        "results": claim_representations(page[:50], request=request),
    }
    return HttpResponse(orjson.dumps(body), content_type="application/json")
