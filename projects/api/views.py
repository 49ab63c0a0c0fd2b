"""``/v3/projection`` and ``/v3/projection/{projectionId}`` (spec §2.13): a project's
projections, named lists of fields hidden from the GET /v3/submission items and the submit,
approved and rejected webhooks of the Liveform sessions that chose one.

Every answer is ``{"message": ...}`` with the spec's strings where it has one (404, 405, 409,
500); the refusals it does not list (a malformed body) are 400 with a sentence naming the
problem. A bad or missing key stays the gateway's ``403 {"message": "Forbidden"}``. The id
travels in the path only: ``DELETE /v3/projection?projectionId=…`` is answered 405, as the spec
says. POST's answer, which the spec leaves open, is the GET item with the id repeated at the
top (docs/projections.md).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from idcheck.api_errors import GATEWAY_ERRORS, InvalidQueryString, nul_free
from projects.actors import Actor
from projects.selectors import projection_get, projection_list
from projects.services import ProjectionError, ProjectionNotFound, projection_delete, projection_save
from projects.services.projections import ALLOWED_FIELDS, MAX_PER_PROJECT, projection_item

logger = logging.getLogger("idcheck.api")

METHOD_NOT_ALLOWED = "Method not allowed for /projections/projectionId path"
BODY_MEMBERS = ("name", "mode", "fields")
_MESSAGE = inline_serializer("ProjectionMessage", fields={"message": serializers.CharField()})
_ITEM = inline_serializer(
    "Projection",
    fields={
        "projection_id": serializers.CharField(help_text="13 lowercase letters and digits"),
        "name": serializers.CharField(),
        "mode": serializers.CharField(help_text="exclude"),
        "fields": serializers.ListField(child=serializers.CharField()),
        "created_at": serializers.CharField(help_text="ISO-8601 UTC with milliseconds"),
    },
)
_IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Up to 255 characters, per project, kept 24 h: a retry with the same key and request gets the "
    "first answer again and changes nothing.",
)
_PROJECTION_ID = OpenApiParameter(
    "projection_id", str, location=OpenApiParameter.PATH, description="e.g. 55sqp8ma0jvwh"
)
_EXAMPLE_ITEM = {"projection_id": "55sqp8ma0jvwh", "name": "aml_minimal_v1", "mode": "exclude",
                 "fields": ["gender", "nationality"], "created_at": "2026-11-26T07:30:00.000Z"}  # fmt: skip


def _errors(**described: str) -> dict[int, OpenApiResponse]:
    # drf-spectacular wants one "GatewayError" component: the one the submission endpoints built.
    responses = dict(GATEWAY_ERRORS)
    for status, description in described.items():
        code = int(status.removeprefix("e"))
        responses[code] = OpenApiResponse(_MESSAGE, description=description)
    responses[405] = OpenApiResponse(_MESSAGE, description=f"`{METHOD_NOT_ALLOWED}`")
    responses[500] = OpenApiResponse(_MESSAGE, description="`Internal server error`")
    return responses


_IDEMPOTENCY_ERRORS = {
    "e409": "the first request with this Idempotency-Key is in flight (only on SQLite)",
    "e422": "`This Idempotency-Key was used with a different request.`",
}


def _message(message: str, status: int) -> Response:
    return Response({"message": message}, status=status)


class _ProjectionApi(APIView):
    def http_method_not_allowed(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise exceptions.MethodNotAllowed(request.method or "")

    def handle_exception(self, exc: Exception) -> Response:
        """The spec's ``{"message"}`` envelope for refusals and failures; the gateway's answers
        (403, 413, 429, 503) stay as for every operation."""
        if isinstance(exc, ProjectionError):
            return _message(exc.message, exc.http_status)
        if isinstance(exc, exceptions.MethodNotAllowed):
            return _message(METHOD_NOT_ALLOWED, 405)
        if isinstance(exc, (exceptions.ParseError, exceptions.UnsupportedMediaType)):
            return _message("The body must be a JSON object.", 400)
        if isinstance(exc, (exceptions.APIException, RequestDataTooBig)):
            return super().handle_exception(exc)
        logger.exception("unhandled error in the projection API")
        return _message("Internal server error", 500)

    def actor(self, request: Request) -> Actor:
        return Actor.from_request(request, api_key=request.user.api_key)


class ProjectionApi(_ProjectionApi):
    """``/v3/projection``: GET lists the project's projections, POST saves one."""

    @extend_schema(
        operation_id="projection_list",
        summary="List the project's projections",
        responses={
            200: inline_serializer(
                "ProjectionList", fields={"items": _ITEM.__class__(many=True), "message": serializers.CharField()}
            ),
            **_errors(),
        },
        examples=[
            OpenApiExample(
                "listed", response_only=True, value={"items": [_EXAMPLE_ITEM], "message": "Get projection list success"}
            )
        ],
    )
    def get(self, request: Request) -> Response:
        """Every projection of the project, oldest first."""
        if request.query_params:
            raise InvalidQueryString()  # the id travels in the path: GET /v3/projection/{projectionId}
        items = [projection_item(projection) for projection in projection_list(project=request.user.project)]
        return Response({"items": items, "message": "Get projection list success"})

    @extend_schema(
        operation_id="projection_create",
        summary="Create a projection, or replace the fields of the one with this name",
        description=f"At most {MAX_PER_PROJECT} per project. `name`: 1–64 lowercase letters, digits and underscores, "
        "unique in the project; saving a name the project has already replaces its `mode` and `fields` and keeps its "
        "`projection_id` (submissions made with it keep the fields they were made with). `mode`: `exclude`. "
        f"`fields`: a non-empty array of: {', '.join(f'`{name}`' for name in ALLOWED_FIELDS)}.",
        parameters=[_IDEMPOTENCY],
        request=inline_serializer(
            "ProjectionBody",
            fields={
                "name": serializers.CharField(),
                "mode": serializers.ChoiceField(choices=["exclude"]),
                "fields": serializers.ListField(child=serializers.ChoiceField(choices=ALLOWED_FIELDS)),
            },
        ),
        responses={
            200: inline_serializer(
                "ProjectionSaved",
                fields={"projection_id": serializers.CharField(), "item": _ITEM, "message": serializers.CharField()},
            ),
            **_errors(
                e400="`The body must be a JSON object.`, `unknown members: …`, `name is required`, `name must be 1 "
                "to 64 lowercase letters, digits or underscores`, `mode is required`, `mode must be exclude`, "
                "`fields is required`, `fields must be a non-empty array of field names`, `fields not allowed in a "
                "projection: …`, `invalid format: Idempotency-Key`",
                e409=f"`Projection count limit exceeded` (the project has {MAX_PER_PROJECT}); or "
                + _IDEMPOTENCY_ERRORS["e409"],
                e422=_IDEMPOTENCY_ERRORS["e422"],
            ),
        },
        examples=[
            OpenApiExample(
                "created",
                response_only=True,
                value={"projection_id": "55sqp8ma0jvwh", "item": _EXAMPLE_ITEM, "message": "Create projection success"},
            )
        ],
    )
    def post(self, request: Request) -> Response:
        """Save a projection; an Idempotency-Key replays the first answer."""
        data = request.data
        if not isinstance(data, dict):
            raise ProjectionError("The body must be a JSON object.")
        unknown = sorted(set(data) - set(BODY_MEMBERS))
        if unknown:
            raise ProjectionError(f"unknown members: {', '.join(name[:40] for name in unknown[:5])}")
        saved = projection_save(
            project=request.user.project,
            name=data.get("name"),
            mode=data.get("mode"),
            fields=data.get("fields"),
            actor=self.actor(request),
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        message = "Create projection success" if saved.created else "Update projection success"
        return Response({"projection_id": saved.item["projection_id"], "item": saved.item, "message": message})


class ProjectionItemApi(_ProjectionApi):
    """``/v3/projection/{projectionId}``: GET reads one projection, DELETE deletes it."""

    @extend_schema(
        operation_id="projection_get",
        summary="Read one projection",
        parameters=[_PROJECTION_ID],
        responses={
            200: inline_serializer("ProjectionOne", fields={"item": _ITEM, "message": serializers.CharField()}),
            **_errors(e404="`Projection not found`"),
        },
        examples=[
            OpenApiExample(
                "found", response_only=True, value={"item": _EXAMPLE_ITEM, "message": "Get projection success"}
            )
        ],
    )
    def get(self, request: Request, projection_id: str) -> Response:
        """One projection of the project."""
        projection = projection_get(project=request.user.project, projection_id=nul_free(projection_id))
        if projection is None:
            raise ProjectionNotFound()
        return Response({"item": projection_item(projection), "message": "Get projection success"})

    @extend_schema(
        operation_id="projection_delete",
        summary="Delete a projection",
        description="The submissions made with it show every field again in GET /v3/submission and in webhooks "
        "delivered from now on.",
        parameters=[_PROJECTION_ID, _IDEMPOTENCY],
        responses={
            200: _MESSAGE,
            **_errors(
                e404="`Projection not found`",
                e409=_IDEMPOTENCY_ERRORS["e409"],
                e422=_IDEMPOTENCY_ERRORS["e422"],
            ),
        },
        examples=[OpenApiExample("deleted", response_only=True, value={"message": "Delete projection success"})],
    )
    def delete(self, request: Request, projection_id: str) -> Response:
        """Delete one projection of the project; an Idempotency-Key replays the first answer."""
        projection_delete(
            project=request.user.project,
            projection_id=nul_free(projection_id),
            actor=self.actor(request),
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        return Response({"message": "Delete projection success"})
