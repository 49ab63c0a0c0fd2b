"""``/v3/submission/tokens``: private mode's token pool (spec §2.10–§2.12, §6.5).

POST registers Token IDs, GET reads one, a page or the count, DELETE removes listed ids or, by
time, every token registered before an instant. Bodies are JSON, also when sent as
``text/plain`` (the spec advises it). Errors use the token endpoints' envelope
``{"errorCode", "errorMessage", "details"?}``; a bad or missing key stays the gateway's
``403 {"message": "Forbidden"}`` as for every operation. Shapes the spec leaves open (the list
and count answers, time-based deletion's parameters) are ours and listed in docs/private-mode.md.
With Secure Data Transfer on, the JSON bodies travel as ``{"data": …}`` both ways
(``idcheck.secure_transfer``, docs/secure-data-transfer.md); this view sees them plain.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from idcheck.api_errors import GATEWAY_ERRORS, nul_free
from idcheck.timeformat import format_iso
from projects.actors import Actor
from projects.models import LiveformToken
from projects.selectors import TOKEN_PAGE_MAX, liveform_token_count, liveform_token_get, liveform_token_page
from projects.services import (
    TokenError,
    liveform_tokens_delete,
    liveform_tokens_delete_before,
    liveform_tokens_register,
)
from projects.services.tokens import MAX_PER_REQUEST, TokenFailure

logger = logging.getLogger("idcheck.api")

_ERROR = inline_serializer(
    "TokenError",
    fields={
        "errorCode": serializers.CharField(),
        "errorMessage": serializers.CharField(),
        "details": serializers.ListField(required=False),
    },
)
_TOKEN_IDS = inline_serializer(
    "TokenIdsBody", fields={"tokenId": serializers.ListField(child=serializers.CharField(), max_length=500)}
)
_COMMON_ERRORS = (
    "`invalid_payload` (the body is not a JSON object, or has unknown members), `invalid_token_id` "
    "(`tokenId` missing, empty or not an array), `invalid_token_id_format` (no id follows the rules), "
    f"`request_token_limit_exceeded` (more than {MAX_PER_REQUEST} ids), `invalid_path` (another method)"
)


class PlainTextJsonParser(JSONParser):
    """JSON sent as ``text/plain``: the spec advises that content type when ``application/json`` fails."""

    media_type = "text/plain"


def _error(exc: TokenError) -> Response:
    body: dict[str, Any] = {"errorCode": exc.code, "errorMessage": exc.message}
    if exc.extra.get("details"):
        body["details"] = exc.extra["details"]
    return Response(body, status=exc.http_status)


def _payload_error(message: str = "The body must be a JSON object.") -> TokenError:
    return TokenError("invalid_payload", message)


def _failed(failures: list[TokenFailure]) -> list[dict[str, Any]]:
    return [{"tokenId": item.token_id, "errorCode": item.code, "errorMessage": item.message} for item in failures]


def _key_time(moment: dt.datetime) -> str:
    """The continuation's time to the microsecond: ``updateTime``'s milliseconds could skip or
    repeat tokens registered within the same millisecond."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _token_data(token: LiveformToken) -> dict[str, Any]:
    data: dict[str, Any] = {"tokenId": token.token_id, "updateTime": format_iso(token.updated_at)}
    if token.expired_at is not None:
        data.update(expired=True, expiredAt=format_iso(token.expired_at), expiredCondition=token.expired_condition)
    return data


class _TokenApi(APIView):
    parser_classes = [JSONParser, PlainTextJsonParser]

    def http_method_not_allowed(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise TokenError("invalid_path", f"{request.method} is not supported on /v3/submission/tokens.")

    def handle_exception(self, exc: Exception) -> Response:
        """The token envelope for refusals and for failures; the gateway's answers (403, 429)
        stay as for every operation."""
        if isinstance(exc, TokenError):
            return _error(exc)
        if isinstance(exc, (exceptions.ParseError, exceptions.UnsupportedMediaType)):
            return _error(_payload_error("The body must be JSON (application/json or text/plain)."))
        if isinstance(exc, (exceptions.APIException, RequestDataTooBig)):
            return super().handle_exception(exc)
        logger.exception("unhandled error in the token API")
        return _error(TokenError("internal_server_error", "Internal server error.", http_status=500))

    def body(self, request: Request, allowed: set[str]) -> dict[str, Any]:
        data = request.data
        if not isinstance(data, dict):
            raise _payload_error()
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise _payload_error(f"Unknown members: {', '.join(unknown)}.")
        return data

    def actor(self, request: Request) -> Actor:
        return Actor.from_request(request, api_key=request.user.api_key)


class TokenRegisterApi(_TokenApi):
    @extend_schema(
        operation_id="tokens_register",
        summary="Register Token IDs in the project's pool (private mode)",
        description="At most 500 ids per call and 100,000 per pool. A Token ID has 8–64 characters among "
        "`a-z A-Z 0-9 - _ .`, starting and ending with a letter or digit. Partial: malformed ids are listed in "
        "`details.failed`, the others registered; an id already in the pool is overwritten (its use history "
        "starts afresh). The body may be sent as `text/plain`.",
        request=_TOKEN_IDS,
        responses={
            200: OpenApiResponse(description="`summary` (and `details.failed` when some ids were malformed)"),
            **GATEWAY_ERRORS,
            400: OpenApiResponse(_ERROR, description=f"{_COMMON_ERRORS}, `token_pool_limit_exceeded`"),
            500: OpenApiResponse(_ERROR, description="`internal_server_error`"),
        },
        examples=[
            OpenApiExample(
                "registered",
                response_only=True,
                value={
                    "success": True,
                    "message": "All tokens are now in the pool",
                    "summary": {"totalSubmitted": 4, "currentCount": 3504, "processed": 4, "failed": 0},
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        """Put the listed Token IDs in the pool."""
        data = self.body(request, {"tokenId"})
        result = liveform_tokens_register(
            project=request.user.project, token_ids=data.get("tokenId"), actor=self.actor(request)
        )
        summary = {"totalSubmitted": result.total_submitted, "currentCount": result.current_count,
                   "processed": result.processed, "failed": len(result.failed)}  # fmt: skip
        if not result.failed:
            return Response({"success": True, "message": "All tokens are now in the pool", "summary": summary})
        message = f"{result.processed} of {result.total_submitted} tokens are now in the pool"
        details = {"failed": _failed(result.failed)}
        return Response({"success": True, "message": message, "summary": summary, "details": details})


class TokenQueryApi(_TokenApi):
    ACCEPTED = {"tokenId", "type", "limit", "nextPageKeyId", "nextPageKeyTime"}

    @extend_schema(
        operation_id="tokens_get",
        summary="Read one token, a page of the pool, or its count",
        parameters=[
            OpenApiParameter("tokenId", str, description="One token: `{success, tokenId, data}`."),
            OpenApiParameter("type", str, enum=["count"], description="`count`: `{success, count, expiredCount}`."),
            OpenApiParameter("limit", int, description=f"List page size, 1–{TOKEN_PAGE_MAX:,} (default)."),
            OpenApiParameter("nextPageKeyId", str, description="From the previous page, with `nextPageKeyTime`."),
            OpenApiParameter("nextPageKeyTime", str, description="From the previous page, with `nextPageKeyId`."),
        ],
        responses={
            200: OpenApiResponse(
                description="One token: `{success, tokenId, data: {tokenId, updateTime, expired?, expiredAt?, "
                "expiredCondition?}}`. A page: `{success, count, data: [...], nextPageKeyId?, nextPageKeyTime?}`, "
                "in updateTime order, the keys present when more follow. Count: `{success, count, expiredCount}`."
            ),
            **GATEWAY_ERRORS,
            400: OpenApiResponse(_ERROR, description="`invalid_payload` (unknown or malformed parameter)"),
            404: OpenApiResponse(_ERROR, description="`token_not_found`"),
            500: OpenApiResponse(_ERROR, description="`internal_server_error`"),
        },
    )
    def get(self, request: Request) -> Response:
        """One token, a page of the pool, or how many it holds."""
        params = request.query_params
        unknown = sorted(set(params) - self.ACCEPTED)
        if unknown:
            raise _payload_error(f"Unknown parameters: {', '.join(unknown)}.")
        project = request.user.project
        count, after = _limit(params), _after(params)  # refused when malformed, also where unused
        if "tokenId" in params:
            token = liveform_token_get(project=project, token_id=nul_free(params["tokenId"]))
            if token is None:
                raise TokenError("token_not_found", "Token not found.", http_status=404)
            return Response({"success": True, "tokenId": token.token_id, "data": _token_data(token)})
        if "type" in params:
            if params["type"] != "count":
                raise _payload_error("type must be count.")
            total, expired = liveform_token_count(project=project)
            return Response({"success": True, "count": total, "expiredCount": expired})
        items, last = liveform_token_page(project=project, count=count, after=after)
        body: dict[str, Any] = {"success": True, "count": len(items), "data": [_token_data(t) for t in items]}
        if last is not None:
            body.update(nextPageKeyId=last.token_id, nextPageKeyTime=_key_time(last.updated_at))
        return Response(body)


def _limit(params: Any) -> int:
    text = params.get("limit", str(TOKEN_PAGE_MAX))
    if not text.isdigit() or not 1 <= int(text) <= TOKEN_PAGE_MAX:
        raise _payload_error(f"limit must be a whole number from 1 to {TOKEN_PAGE_MAX:,}.")
    return int(text)


def _after(params: Any) -> tuple[dt.datetime, str] | None:
    key_id, key_time = params.get("nextPageKeyId"), params.get("nextPageKeyTime")
    if key_id is None and key_time is None:
        return None
    moment = _utc_instant(key_time)
    if not key_id or moment is None:
        raise _payload_error("nextPageKeyId and nextPageKeyTime come together, as the previous page gave them.")
    return moment, nul_free(key_id)


def _utc_instant(text: Any) -> dt.datetime | None:
    """An ISO-8601 UTC instant ending in ``Z``, or None."""
    if not isinstance(text, str) or not text.endswith("Z"):
        return None
    try:
        return dt.datetime.fromisoformat(text[:-1] + "+00:00")
    except ValueError:
        return None


class TokenDeleteApi(_TokenApi):
    @extend_schema(
        operation_id="tokens_delete",
        summary="Delete tokens from the pool, by id or by time",
        description="Irreversible. Either `tokenId` (at most 500 ids; ids not in the pool are listed in "
        "`details.notFound`), or `updatedBefore` (an ISO-8601 UTC instant ending in `Z`: every token last "
        "registered before it) with optional `expiredOnly` (true: only the expired ones among them).",
        request=inline_serializer(
            "TokenDeleteBody",
            fields={
                "tokenId": serializers.ListField(child=serializers.CharField(), required=False, max_length=500),
                "updatedBefore": serializers.CharField(required=False),
                "expiredOnly": serializers.BooleanField(required=False),
            },
        ),
        responses={
            200: OpenApiResponse(description="`{success, message, summary, details?}`"),
            **GATEWAY_ERRORS,
            400: OpenApiResponse(
                _ERROR,
                description=f"{_COMMON_ERRORS}, `token_id_not_found` (none of the ids is in the pool; `details` "
                "lists them), `invalid_payload` also for both or neither mode, or a bad `updatedBefore`",
            ),
            500: OpenApiResponse(_ERROR, description="`internal_server_error`"),
        },
        examples=[
            OpenApiExample(
                "deleted",
                response_only=True,
                value={
                    "success": True,
                    "message": "Successfully deleted 2 tokens",
                    "summary": {"totalSubmitted": 3, "deleted": 2, "notFound": 1, "failed": 0},
                    "details": {"notFound": ["tokenD01"]},
                },
            )
        ],
    )
    def delete(self, request: Request) -> Response:
        """Delete the listed tokens, or those registered before an instant."""
        data = self.body(request, {"tokenId", "updatedBefore", "expiredOnly"})
        if "updatedBefore" in data:
            return self._delete_before(request, data)
        if "expiredOnly" in data:
            raise _payload_error("expiredOnly goes with updatedBefore.")
        result = liveform_tokens_delete(
            project=request.user.project, token_ids=data.get("tokenId"), actor=self.actor(request)
        )
        body: dict[str, Any] = {
            "success": True,
            "message": f"Successfully deleted {result.deleted} tokens",
            "summary": {"totalSubmitted": result.total_submitted, "deleted": result.deleted,
                        "notFound": len(result.not_found), "failed": len(result.failed)},
        }  # fmt: skip
        details = {"notFound": result.not_found, "failed": _failed(result.failed)}
        if any(details.values()):
            body["details"] = {name: value for name, value in details.items() if value}
        return Response(body)

    def _delete_before(self, request: Request, data: dict[str, Any]) -> Response:
        if "tokenId" in data:
            raise _payload_error("Send either tokenId or updatedBefore, not both.")
        before, expired_only = _utc_instant(data["updatedBefore"]), data.get("expiredOnly", False)
        if before is None:
            raise _payload_error("updatedBefore must be an ISO-8601 UTC instant ending in Z.")
        if not isinstance(expired_only, bool):
            raise _payload_error("expiredOnly must be true or false.")
        deleted = liveform_tokens_delete_before(
            project=request.user.project, updated_before=before, expired_only=expired_only, actor=self.actor(request)
        )
        return Response(
            {"success": True, "message": f"Successfully deleted {deleted} tokens", "summary": {"deleted": deleted}}
        )


class TokensApi(TokenQueryApi, TokenRegisterApi, TokenDeleteApi):
    """``/v3/submission/tokens`` serves three operations: GET reads, POST registers, DELETE deletes."""
