"""The claim workflow as POSTs on a claim: research, verdicts, review, reopening, and the
same actions on many claims at once (bulk). Each runs the claim service of that step."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.claims import services as claim_services

from .. import serializers
from ..conditional import expected_version, run_versioned
from .base import IF_MATCH


class ClaimWorkflowActions:
    """ClaimViewSet's workflow actions; the viewset provides get_object() and _respond()."""

    def _run(self, request, service, **fields):
        claim = self.get_object()
        data = serializers.WorkflowInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        kwargs = {name: values.get(name, default) for name, default in fields.items()}
        expected = expected_version(request, values.get("version"), require_header=False)
        run_versioned(
            expected,
            lambda version: service(claim=claim, by=request.user, version=version, **kwargs),
        )
        return self._respond(claim.pk)

    @extend_schema(
        summary="Apply one action to many claims; each succeeds or fails on its own",
        request=serializers.BulkInput,
        responses={200: serializers.BulkOutput},
    )
    @action(detail=False, methods=["post"], url_path="bulk", filterset_class=None)
    def bulk(self, request):
        data = serializers.BulkInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        results = claim_services.claims_bulk(
            claim_ids=values["ids"],
            action=values["action"],
            by=request.user,
            assignee=values.get("assignee"),
            tag=values["tag"],
            note=values["note"],
        )
        return Response(serializers.BulkOutput({"results": results}).data)

    @extend_schema(
        summary="Start research on a new claim",
        request=serializers.WorkflowInput,
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"], url_path="start-research")
    def start_research(self, request, pk=None):
        return self._run(request, claim_services.claim_start_research)

    @extend_schema(
        summary="Propose a verdict (verdict, rationale)",
        request=serializers.WorkflowInput,
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        return self._run(request, claim_services.claim_propose_verdict, verdict="", rationale="")

    @extend_schema(
        summary="Submit the proposed verdict for review",
        request=serializers.WorkflowInput,
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._run(request, claim_services.claim_submit_for_review)

    @extend_schema(
        summary="Approve and publish (editors; note, override_reason)",
        request=serializers.WorkflowInput,
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._run(request, claim_services.review_approve, note="", override_reason="")

    @extend_schema(
        summary="Send back to research (editors; note)",
        request=serializers.WorkflowInput,
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        return self._run(request, claim_services.review_send_back, note="")

    @extend_schema(
        summary="Reopen a published claim (editors; note)",
        request=serializers.WorkflowInput,
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._run(request, claim_services.claim_reopen, note="")
