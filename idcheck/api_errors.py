"""Every /v3/ error in the gateway shapes of the original (spec §1.3–1.4), never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from idcheck.errors import ApplicationError
from idcheck.outage import api_outage_answer, log_outage, outage_kind

logger = logging.getLogger("idcheck.api")

FORBIDDEN = "Forbidden"
EXPLICIT_DENY = "User is not authorized to access this resource with an explicit deny"
INVALID_QUERY = "Invalid Query String parameters"
TOO_MANY_REQUESTS = "Too Many Requests"


class ApiKeyRejected(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = FORBIDDEN


class IpAddressDenied(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = EXPLICIT_DENY


class RateLimited(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = TOO_MANY_REQUESTS

    def __init__(self, retry_after: int):
        super().__init__()
        self.retry_after = retry_after


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Service Unavailable"


class InvalidQueryString(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = INVALID_QUERY


def gateway_error_responses() -> dict[int, OpenApiResponse]:
    """The gateway-level errors every /v3/ operation can answer, for the OpenAPI schema."""
    message = inline_serializer("GatewayError", fields={"message": serializers.CharField()})
    return {
        400: OpenApiResponse(message, description=f"`{INVALID_QUERY}`"),
        403: OpenApiResponse(
            message,
            description=f"`{FORBIDDEN}` (key missing, wrong or revoked) or "
            f"`{EXPLICIT_DENY}` (caller outside the IP allow-list)",
        ),
        429: OpenApiResponse(message, description=f"`{TOO_MANY_REQUESTS}`; see the `Retry-After` header"),
        503: OpenApiResponse(
            message,
            description="`Service Unavailable`: the database, Redis or the rate-limit store is unreachable "
            "(see `Retry-After`)",
        ),
    }


# The answer of an operation that stores images, when the media disk is full (idcheck.outage).
STORAGE_FULL_507 = OpenApiResponse(
    inline_serializer("StorageFull", fields={"message": serializers.CharField()}),
    description="`Insufficient Storage`: the media disk is full; nothing was stored or charged (see `Retry-After`)",
)

# The 403 of an operation that also refuses in its own words (``service_blocked``…): the gateway's
# refusals have no errorCode, so it cannot be required.
REFUSAL_403 = inline_serializer(
    "Refusal403",
    fields={
        "errorCode": serializers.CharField(required=False, help_text="absent in the gateway's refusals"),
        "message": serializers.CharField(),
    },
)

# Built once: drf-spectacular refuses two different inline "GatewayError" serializers, and every
# app's API (submissions, projects) lists these same answers.
GATEWAY_ERRORS = gateway_error_responses()


def nul_free(value: Any) -> Any:
    """An id or e-mail to look up, with any NUL replaced by U+FFFD. PostgreSQL text cannot hold
    NUL (the query itself fails), so such a value names nothing stored; with U+FFFD it still names
    nothing, and the operation answers its own not-found instead of a 500."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


def _message(status_code: int, message: str, **headers: str) -> Response:
    return Response({"message": message}, status=status_code, headers=headers or None)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        return _message(403, FORBIDDEN)
    if isinstance(exc, RateLimited):
        return _message(429, TOO_MANY_REQUESTS, **{"Retry-After": str(exc.retry_after)})
    if isinstance(exc, ServiceUnavailable):
        return _message(503, "Service Unavailable", **{"Retry-After": "1"})
    if isinstance(exc, ApplicationError):
        return Response({"errorCode": exc.code, "message": exc.message}, status=exc.http_status)
    if isinstance(exc, RequestDataTooBig):  # a JSON body past DATA_UPLOAD_MAX_MEMORY_SIZE, read by request.data
        return _message(413, "Request Entity Too Large")
    if isinstance(exc, (TooManyFilesSent, TooManyFieldsSent)):  # past DATA_UPLOAD_MAX_NUMBER_FILES / _FIELDS
        return Response({"errorCode": "invalid_payload", "message": "Too many files or fields in the request."},
                        status=400)  # fmt: skip
    if isinstance(exc, exceptions.ValidationError):
        return _message(400, INVALID_QUERY)
    if isinstance(exc, (Http404, exceptions.NotFound)):
        return _message(404, "Not Found")
    if isinstance(exc, DjangoPermissionDenied):
        return _message(403, FORBIDDEN)
    if isinstance(exc, exceptions.APIException):
        return _message(exc.status_code, str(exc.detail) if isinstance(exc.detail, str) else "Bad Request")
    kind = outage_kind(exc)
    if kind is not None:  # PostgreSQL, Redis or the media disk is away: not a bug (idcheck.outage)
        log_outage(kind, exc, context["request"].path if context.get("request") else "-")
        status_code, body, headers = api_outage_answer(kind)
        return Response(body, status=status_code, headers=headers)
    logger.exception("unhandled error in %s", type(context.get("view")).__name__)
    return _message(500, "Internal Server Error")
