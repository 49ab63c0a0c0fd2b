"""AML Ongoing Monitoring API (spec §2.16): register approved submissions in a worklist, read one
record, delete records. docs/aml.md describes the bodies and the refusals.

Whole-request refusals are ``{"errorCode", "message"}`` (400, or 500 ``all_submissions_failed``
with the per-item results, as §2.16 lists it) and change nothing; one failed item among others
is reported in ``failedResults`` while the rest are registered.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from idcheck.api_errors import GATEWAY_ERRORS, nul_free
from idcheck.errors import ApplicationError, NotFound
from projects.actors import Actor
from submissions.api.tokens import PlainTextJsonParser
from submissions.services.aml_monitoring import (
    MAX_ITEMS,
    aml_monitor_record_json,
    aml_monitor_records_delete,
    aml_monitor_register,
    aml_worklist_usable,
)

_WORKLIST_ID = re.compile(r"[A-Za-z0-9_-]{1,20}")
_ERROR = inline_serializer(
    "AmlMonitorError", fields={"errorCode": serializers.CharField(), "message": serializers.CharField()}
)
_RESULT_FIELDS = {
    "submissionId": serializers.CharField(),
    "recordIds": serializers.ListField(child=serializers.CharField()),
    "status": serializers.CharField(help_text="success | failed"),
    "error": serializers.CharField(required=False),
}
_ITEM_RESULTS = inline_serializer("AmlMonitorItemResult", fields=_RESULT_FIELDS, many=True)
_REGISTERED = inline_serializer(
    "AmlMonitorRegistered",
    fields={
        "success": serializers.BooleanField(),
        "successCount": serializers.IntegerField(),
        "failedCount": serializers.IntegerField(),
        "successResults": _ITEM_RESULTS,
        "failedResults": _ITEM_RESULTS,
    },
)
COMMON_ERRORS = (
    "`invalid_path` (no or a malformed worklistId), `missing_required_parameters`, "
    "`invalid_project` (ongoing monitoring off), `invalid_worklist` (unknown or inactive)"
)


def _ids_request(name: str, ids_key: str) -> dict[str, Any]:
    fields = {
        ids_key: serializers.ListField(child=serializers.CharField(), min_length=1, max_length=MAX_ITEMS),
        "admin": serializers.EmailField(),
    }
    return {"application/json": inline_serializer(name, fields=fields)}


def _worklist_id(worklist_id: str) -> str:
    if not _WORKLIST_ID.fullmatch(worklist_id):
        raise ApplicationError("Invalid path: worklistId is not valid.", code="invalid_path")
    return worklist_id


def _body(request: Request, ids_key: str) -> tuple[list[str], str]:
    """``(ids, admin)`` from a JSON object ``{ids_key: [1–25 ids], "admin": e-mail}``."""
    try:
        body = request.data
    except (exceptions.ParseError, exceptions.UnsupportedMediaType):
        body = None
    if not isinstance(body, dict) or body.get(ids_key) in (None, "") or body.get("admin") in (None, ""):
        raise ApplicationError(f"{ids_key} and admin are required.", code="missing_required_parameters")
    ids = body[ids_key]
    if (
        not isinstance(ids, list)
        or not 1 <= len(ids) <= MAX_ITEMS
        or not all(isinstance(item, str) and item.strip() for item in ids)
    ):
        raise ApplicationError(f"{ids_key} must be an array of 1 to {MAX_ITEMS} ids.", code=f"invalid_{ids_key}")
    admin = body["admin"]
    try:
        validate_email(admin if isinstance(admin, str) else "")
    except ValidationError:
        raise ApplicationError("admin must be an e-mail address.", code="invalid_admin") from None
    return list(dict.fromkeys(nul_free(item.strip()) for item in ids)), admin


class AmlMonitorMissingWorklistApi(APIView):
    """``/v3/submission/aml/monitor`` without a worklistId: §2.16's ``invalid_path``."""

    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        raise ApplicationError("Invalid path: worklistId is required.", code="invalid_path")

    delete = get = post


class AmlMonitorApi(APIView):
    """``POST`` registers submissions in the worklist, ``DELETE`` removes records from it."""

    parser_classes = [JSONParser, PlainTextJsonParser]

    @extend_schema(
        operation_id="aml_monitor_register",
        summary="Register approved submissions for AML ongoing monitoring",
        request=_ids_request("AmlMonitorRegisterBody", "submissionIds"),
        responses={
            200: _REGISTERED,
            **GATEWAY_ERRORS,
            400: OpenApiResponse(_ERROR, description=f"{COMMON_ERRORS}, `invalid_submissionIds`, `invalid_admin`"),
            500: OpenApiResponse(_REGISTERED, description="`all_submissions_failed`: every item failed"),
        },
        examples=[
            OpenApiExample(
                "register",
                request_only=True,
                value={"submissionIds": ["evcka62mes3ugzb_mg"], "admin": "admin@company.com"},
            )
        ],  # fmt: skip
    )
    def post(self, request: Request, worklistId: str) -> Response:  # noqa: N803  the spec's path name
        worklist_id = _worklist_id(worklistId)
        submission_ids, admin = _body(request, "submissionIds")
        outcome = aml_monitor_register(
            project=request.user.project,
            worklist_id=worklist_id,
            submission_ids=submission_ids,
            admin=admin,
            actor=Actor.from_request(request, api_key=request.user.api_key),
        )
        body: dict[str, Any] = {
            "success": bool(outcome.success),
            "successCount": len(outcome.success),
            "failedCount": len(outcome.failed),
            "successResults": outcome.success,
            "failedResults": outcome.failed,
        }
        if not outcome.success:
            return Response(
                {"errorCode": "all_submissions_failed", "message": "All submissions failed.", **body}, status=500
            )
        return Response(body)

    @extend_schema(
        operation_id="aml_monitor_delete",
        summary="Delete AML monitoring records",
        description='JSON body `{"recordIds": [1 to 25 record ids], "admin": e-mail}`.',
        request=_ids_request("AmlMonitorDeleteBody", "recordIds"),
        responses={
            200: inline_serializer("AmlMonitorDeleted", fields={"message": serializers.CharField()}),
            **GATEWAY_ERRORS,
            400: OpenApiResponse(
                _ERROR,
                description=f"{COMMON_ERRORS}, `invalid_recordIds`, `invalid_admin`; `invalid_record` "
                "`{errorCode, errorMessage, details}` when some records do not exist (the others are deleted)",
            ),
        },
    )
    def delete(self, request: Request, worklistId: str) -> Response:  # noqa: N803  the spec's path name
        worklist_id = _worklist_id(worklistId)
        record_ids, admin = _body(request, "recordIds")
        missing = aml_monitor_records_delete(
            project=request.user.project,
            worklist_id=worklist_id,
            record_ids=record_ids,
            admin=admin,
            actor=Actor.from_request(request, api_key=request.user.api_key),
        )
        if missing:
            details = [
                {
                    "recordId": record_id,
                    "statusCode": 404,
                    "error": {"code": "MAPI-001", "message": "Resource not found"},
                }
                for record_id in missing
            ]
            return Response(
                {"errorCode": "invalid_record", "errorMessage": "Some records do not exist", "details": details},
                status=400,
            )
        return Response({"message": "records deleted successfully"})


class AmlMonitorRecordApi(APIView):
    """``GET /v3/submission/aml/monitor/{worklistId}/{recordId}``: one record (§2.16's body)."""

    @extend_schema(
        operation_id="aml_monitor_record",
        summary="Read one AML monitoring record",
        responses={
            200: inline_serializer(
                "AmlMonitorRecord",
                fields={
                    **{
                        name: serializers.CharField()
                        for name in (
                            "name",
                            "id",
                            "submissionId",
                            "nationality",
                            "dob",
                            "email",
                            "memo",
                            "admin",
                            "updateTime",
                        )
                    },
                    "status": serializers.CharField(help_text="screenedNoMatches | screenedMatches"),
                    "tags": serializers.ListField(child=serializers.CharField()),
                    **{
                        name: serializers.IntegerField()
                        for name in ("openCount", "falsePositiveCount", "truePositiveCount", "discardedCount")
                    },
                },
            ),  # fmt: skip
            **GATEWAY_ERRORS,
            400: OpenApiResponse(_ERROR, description=COMMON_ERRORS),
            404: OpenApiResponse(_ERROR, description="`invalid_record` `Resource not found`"),
        },
    )
    def get(self, request: Request, worklistId: str, recordId: str) -> Response:  # noqa: N803  the spec's path names
        worklist_id = _worklist_id(worklistId)
        aml_worklist_usable(project=request.user.project, worklist_id=worklist_id)
        found = aml_monitor_record_json(
            project=request.user.project, worklist_id=worklist_id, record_id=nul_free(recordId)
        )
        if found is None:
            raise NotFound("Resource not found", code="invalid_record")
        return Response(found)
