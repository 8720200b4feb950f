"""One JSON error shape for every API failure: {"error": {"code", "message", "details"}}.

Statuses: 400 invalid input, 401 no or bad credentials, 403 role or token scope, 404 unknown
id, 409 the `version` in the body is stale, 412 the If-Match header is stale, 413 a body
over the upload limit, 428 If-Match missing where it is required, 429 too many requests
(with Retry-After).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.accounts.authentication import TooManyFailures
from apps.core.errors import DomainError


class PreconditionFailed(DomainError):
    """The If-Match header names a version that is no longer current."""

    code = "precondition_failed"
    status = 412


class PreconditionRequired(DomainError):
    """A write that must say which version it changes came without If-Match."""

    code = "precondition_required"
    status = 428


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `conflict`.")
    message = serializers.CharField(help_text="What went wrong, written for a person.")
    details = serializers.JSONField(
        help_text="Structured context: field errors, versions, allowed actions."
    )


class ErrorSerializer(serializers.Serializer):
    """Documentation only: the shape of every error response."""

    error = ErrorBodySerializer()


def _first_message(detail) -> str:
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    if isinstance(detail, dict) and detail:
        key, value = next(iter(detail.items()))
        text = _first_message(value)
        return text if key == "non_field_errors" else f"{key}: {text}"
    return str(detail)


def error_response(
    code: str, message: str, http_status: int, details=None, headers=None
) -> Response:
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return Response(body, status=http_status, headers=headers)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return error_response(exc.code, exc.message, exc.status, exc.details)
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return error_response(
            "request_too_large",
            f"The request body is larger than the {limit / 1_000_000:g} MB limit "
            f"(DATA_UPLOAD_MAX_BYTES). Send less in one request (an article's `content` "
            "may be up to 5,000,000 characters, sent as UTF-8).",
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            {"limit_bytes": limit},
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found. Check the id; the object may have been deleted.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        code, message, details = "invalid", _first_message(exc.detail), exc.detail
    else:
        detail = getattr(exc, "detail", "")
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        message, details = str(detail), {}
    if response.status_code == status.HTTP_401_UNAUTHORIZED and code == "not_authenticated":
        message = "Authentication required: send 'Authorization: Token <key>' or sign in."
    if isinstance(exc, exceptions.Throttled):
        details = {"retry_after_seconds": int(exc.wait) if exc.wait is not None else None}
        message = (
            str(exc.detail)
            if isinstance(exc, TooManyFailures)
            else "Too many requests for this token; wait as long as the Retry-After header "
            "says, then try again."
        )
    response.data = {"error": {"code": code, "message": message, "details": details}}
    return response
