"""``DELETE /v3/submission`` (spec §2.5) and ``DELETE /v3/submission/partial`` (§2.6).

Both answer in the newer shape of the original's delete endpoint: ``{"message", "statusCode"}``
with the spec's strings; a bad or missing key is the gateway's ``403 {"message": "Forbidden"}``
as for every operation. The submission id is accepted as ``submission_id`` or ``submissionId``
(§2.5's table and example disagree), the admin as ``admin_name`` or ``adminName``. The partial
deletion's ``fields`` / ``data_fields`` are comma-separated strings, taken from the query string
or, when absent there, from a JSON or form body (§2.6 does not say where they travel).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from idcheck.api_errors import GATEWAY_ERRORS, InvalidQueryString, nul_free
from idcheck.errors import ApplicationError
from projects.actors import Actor
from submissions.services.delete import DATA_FIELDS, PARTIAL_FIELDS, submission_delete, submission_delete_partial

_SPELLINGS = {"submission_id": ("submission_id", "submissionId"), "admin_name": ("admin_name", "adminName")}
# The Idempotency-Key header as the schema shows it; PATCH, the review and the migration take it too.
IDEMPOTENCY_KEY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Up to 255 characters, per project, kept 24 h: a retry with the same key and request "
    "answers success again and changes nothing.",
)
_SUBMISSION_ID = OpenApiParameter("submission_id", str, required=True, description="Also accepted as `submissionId`.")
_RESULT = inline_serializer(
    "SubmissionDeleteResult",
    fields={
        "message": serializers.CharField(),
        "content": serializers.CharField(),
        "statusCode": serializers.IntegerField(),
    },
)
_ERROR = inline_serializer(
    "SubmissionDeleteError",
    fields={
        "message": serializers.CharField(),
        "statusCode": serializers.IntegerField(
            required=False, help_text="absent in the gateway's `Invalid Query String parameters`"
        ),
    },
)
_IDEMPOTENCY_ERRORS = {
    409: OpenApiResponse(_ERROR, description="the first request with this Idempotency-Key is in flight"),
    422: OpenApiResponse(_ERROR, description="the Idempotency-Key was used for another request"),
}


def _error(message: str, status: int = 400) -> Response:
    return Response({"message": message, "statusCode": status}, status=status)


def _params(request: Request, names: set[str], *, body: bool = False) -> dict[str, Any]:
    """The parameters by their canonical names; unknown names or two differing spellings refused."""
    sources: list[Any] = [request.query_params]
    if body:
        try:
            data = request.data
        except exceptions.ParseError:
            raise InvalidQueryString() from None
        if not hasattr(data, "keys"):
            raise InvalidQueryString()
        sources.append(data)
    spellings = {spelling: name for name in names for spelling in _SPELLINGS.get(name, (name,))}
    found: dict[str, Any] = {}
    for source in sources:
        for key in source.keys():
            if key not in spellings:
                raise InvalidQueryString()
            name, value = spellings[key], source.get(key)
            if found.get(name, value) != value:
                raise InvalidQueryString()
            found.setdefault(name, value)
    return found


def _names(value: str, parameter: str) -> tuple[str, ...]:
    """``"a,b"`` → ("a", "b"); spaces around names are ignored, an empty name between commas is not."""
    names = [part.strip() for part in value.split(",")]
    if not any(names):
        raise ApplicationError(f"{parameter} cannot be empty")
    if not all(names):
        raise ApplicationError(f"invalid format for {parameter}: empty name between commas")
    return tuple(names)


class SubmissionDeleteApi(APIView):
    """``DELETE /v3/submission``: wipe one submission's personal data, keep its record (§2.5)."""

    @extend_schema(
        operation_id="submission_delete",
        summary="Delete a submission's personal data (the record stays, marked deleted)",
        parameters=[
            _SUBMISSION_ID,
            OpenApiParameter(
                "admin_name",
                str,
                description="E-mail of the project member deleting it (also `adminName`). The `delete` webhook "
                "is sent only when it names a member of the project.",
            ),
            IDEMPOTENCY_KEY_HEADER,
        ],
        responses={
            200: _RESULT,
            **GATEWAY_ERRORS,
            400: OpenApiResponse(
                _ERROR,
                description="`not Exist Submission ID` (no id given), `not Exist Submission Data` (no such "
                "submission in this project, or deleted already), or the gateway's `Invalid Query String parameters`",
            ),
            **_IDEMPOTENCY_ERRORS,
        },
        examples=[
            OpenApiExample(
                "deleted",
                response_only=True,
                value={
                    "message": "success",
                    "content": "Submission evcka62mes3ugzb_mg deleted successfully.",
                    "statusCode": 200,
                },
            )
        ],
    )
    def delete(self, request: Request) -> Response:
        """Delete every piece of personal data of one submission; its id, dates and result stay."""
        params = _params(request, {"submission_id", "admin_name"})
        if not params.get("submission_id"):
            return _error("not Exist Submission ID")
        try:
            submission = submission_delete(
                project=request.user.project,
                submission_id=nul_free(params["submission_id"]),
                actor=Actor.from_request(request, api_key=request.user.api_key),
                admin_name=nul_free(params.get("admin_name", "")),
                idempotency_key=request.headers.get("Idempotency-Key", ""),
            )
        except ApplicationError as exc:
            return _error(exc.message, exc.http_status)
        return Response(
            {"message": "success", "content": f"Submission {submission.pk} deleted successfully.", "statusCode": 200}
        )


class SubmissionPartialDeleteApi(APIView):
    """``DELETE /v3/submission/partial``: delete the listed components of one submission (§2.6)."""

    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        operation_id="submission_delete_partial",
        summary="Delete the listed components of a submission",
        parameters=[
            _SUBMISSION_ID,
            OpenApiParameter(
                "fields",
                str,
                required=True,
                description=f"Comma-separated, any of: {', '.join(PARTIAL_FIELDS)}. May also come in the body.",
            ),
            OpenApiParameter(
                "data_fields",
                str,
                description="Comma-separated, only with `data` in `fields` (omitted: all of `data`), any of: "
                f"{', '.join(DATA_FIELDS)}. May also come in the body.",
            ),
            OpenApiParameter("admin_name", str, description="E-mail of the project member deleting (recorded)."),
            IDEMPOTENCY_KEY_HEADER,
        ],
        request=inline_serializer(
            "SubmissionPartialDeleteBody",
            # Either may come in the query string instead, so the body's members are all optional.
            fields={
                "fields": serializers.CharField(required=False),
                "data_fields": serializers.CharField(required=False),
            },
        ),
        responses={
            200: _RESULT,
            **GATEWAY_ERRORS,
            400: OpenApiResponse(
                _ERROR,
                description="`submission_id is required`, `fields parameter is required and cannot be empty`, "
                "`fields must be a string`, `data_fields must be a string`, `fields cannot be empty`, "
                "`invalid fields found in fields: …`, `invalid fields found in data_fields: …`, "
                "`data_fields parameter is not allowed when fields does not include data`, "
                "`invalid format for fields: …`, `invalid format for data_fields: …`, `not Exist Submission Data`",
            ),
            **_IDEMPOTENCY_ERRORS,
        },
    )
    def delete(self, request: Request) -> Response:
        """Delete only the listed components; everything else stays."""
        params = _params(request, {"submission_id", "fields", "data_fields", "admin_name"}, body=True)
        if not params.get("submission_id"):
            return _error("submission_id is required")
        fields, data_fields = params.get("fields"), params.get("data_fields")
        if fields is None or fields == "":
            return _error("fields parameter is required and cannot be empty")
        for name, value in (("fields", fields), ("data_fields", data_fields)):
            if value is not None and not isinstance(value, str):
                return _error(f"{name} must be a string")
        try:
            deletion = submission_delete_partial(
                project=request.user.project,
                submission_id=nul_free(str(params["submission_id"])),
                fields=_names(fields, "fields"),
                data_fields=_names(data_fields, "data_fields") if data_fields and data_fields.strip() else None,
                actor=Actor.from_request(request, api_key=request.user.api_key),
                admin_name=nul_free(str(params.get("admin_name", ""))),
                idempotency_key=request.headers.get("Idempotency-Key", ""),
            )
        except ApplicationError as exc:
            return _error(exc.message, exc.http_status)
        content = f"Submission {deletion.submission.pk} partially deleted successfully."
        return Response({"message": "success", "content": content, "statusCode": 200})
