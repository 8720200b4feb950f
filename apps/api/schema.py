"""drf-spectacular: the token scheme, and the responses every operation can give that the
views do not declare one by one: errors in the one JSON shape, 304 for conditional GETs,
429 with Retry-After."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter

from .errors import ErrorSerializer


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "API token created in the browser (/account/tokens/), sent as "
            "`Token <key>`.",
        }


ERROR_DESCRIPTIONS = {
    "400": "Invalid input: a filter, field, cursor or rule of the workflow.",
    "401": "No credentials, or an unknown or revoked token.",
    "403": "Your role or your token's scope does not allow this.",
    "404": "No such object (or it is not published, for ClaimReview).",
    "409": "The `version` in the body is not the claim's current version.",
    "412": "The If-Match header names a version that is no longer current.",
    "428": "If-Match is required for this write.",
    "429": "Too many requests; wait for Retry-After seconds.",
}

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="An ETag from an earlier response; 304 with no body when still current.",
)


class ClaimtrackAutoSchema(AutoSchema):
    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "GET":
            parameters.append(IF_NONE_MATCH)
        return parameters

    def _error_codes(self) -> list[str]:
        codes = ["401", "403", "429"]
        detail = "{" in self.path
        if detail:
            codes.append("404")
        codes.append("400")  # a bad filter, cursor or ?format= on any request
        if self.method == "GET":
            return codes
        if detail:
            codes += ["409", "412"]
        if self.method in ("PUT", "PATCH"):
            codes.append("428")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        if self.method == "GET":
            responses.setdefault(
                "304", {"description": "Not modified: If-None-Match names the current ETag."}
            )
        for code in self._error_codes():
            if code not in responses:
                body = self._get_response_for_code(
                    ErrorSerializer, code, media_types=["application/json"]
                )
                body["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = body
        return responses

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        if str(status_code) == "429":
            headers["Retry-After"] = {
                "schema": {"type": "integer"},
                "description": "Seconds to wait before the next request.",
            }
        return headers
