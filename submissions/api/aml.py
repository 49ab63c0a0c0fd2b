"""``POST /v3/submission/aml`` (spec §2.14, path chosen here: the spec did not capture it) and
``GET /v3/report/aml?resourceId=…`` (§2.15). docs/aml.md describes both.

POST screens one approved submission now, with ``amlThreshold`` or the project's
``aml_threshold``, through the same service as the screening on approval
(``submissions.services.aml``): the result replaces the stored one and the ``aml`` webhook
follows. Refusals are ``400 {"errorCode", "message"}`` with the spec's codes and messages.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from idcheck.api_errors import GATEWAY_ERRORS, nul_free
from idcheck.errors import ApplicationError, NotFound
from projects.actors import Actor
from submissions.api.migration import SubmissionMigrationApi
from submissions.api.tokens import PlainTextJsonParser
from submissions.services.aml import aml_json, aml_report, aml_result_open, submission_aml_screen

_ERROR = inline_serializer(
    "AmlError", fields={"errorCode": serializers.CharField(), "message": serializers.CharField()}
)
ERRORS = (
    "`invalid_payload` `Invalid payload.`, `missing_parameter` `submissionId is required.`, "
    "`invalid_submissionId` `Cannot find submission.`, `invalid_country` `The nationality is invalid : {nationality}`, "
    "`request_failed` `Fail to search AML.` (not approved, or no name to screen), "
    "`invalid_aml_threshold` `Invalid AML Threshold.` (not a whole number 0–100)"
)


def _threshold(body: dict[str, Any]) -> int | None:
    if "amlThreshold" not in body or body["amlThreshold"] is None:
        return None
    value = body["amlThreshold"]
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ApplicationError("Invalid AML Threshold.", code="invalid_aml_threshold")
    return value


class SubmissionAmlApi(APIView):
    """``POST /v3/submission/aml``: screen an approved submission against the watch lists now."""

    parser_classes = [JSONParser, PlainTextJsonParser]

    @extend_schema(
        operation_id="submission_aml_screen",
        summary="Screen an approved submission against the AML watch lists",
        request={
            "application/json": inline_serializer(
                "SubmissionAmlBody",
                fields={
                    "submissionId": serializers.CharField(),
                    "amlThreshold": serializers.IntegerField(
                        required=False, min_value=0, max_value=100, help_text="Default: the project's aml_threshold"
                    ),
                },
            )
        },
        responses={
            200: inline_serializer(
                "SubmissionAmlResult",
                fields={
                    "message": serializers.CharField(),
                    "result": serializers.DictField(help_text="GET's aml object: status, summary, matches"),
                    "raw_data": serializers.DictField(help_text="the screened person and each match explained"),
                },
            ),
            **GATEWAY_ERRORS,
            400: OpenApiResponse(_ERROR, description=ERRORS),
        },
        examples=[
            OpenApiExample(
                "screen", request_only=True, value={"submissionId": "evcka62mes3ugzb_mg", "amlThreshold": 90}
            )
        ],
    )
    def post(self, request: Request) -> Response:
        """Screen and store; the ``aml`` webhook follows."""
        body = self._body(request)
        submission_id = body.get("submissionId")
        if submission_id in (None, ""):
            raise ApplicationError("submissionId is required.", code="missing_parameter")
        if not isinstance(submission_id, str):
            raise ApplicationError("Invalid payload.", code="invalid_payload")
        screening = submission_aml_screen(
            project=request.user.project,
            submission_id=nul_free(submission_id),
            actor=Actor.from_request(request, api_key=request.user.api_key),
            threshold=_threshold(body),
        )
        return Response(
            {"message": "success", "result": aml_json(screening.submission), "raw_data": aml_result_open(screening)}
        )

    _body = SubmissionMigrationApi._body  # the same JSON object (or text/plain JSON), else invalid_payload


class AmlReportApi(APIView):
    """``GET /v3/report/aml?resourceId=…``: the PDF report of one matched profile."""

    @extend_schema(
        operation_id="aml_report",
        summary="The PDF report of one matched AML profile",
        parameters=[OpenApiParameter("resourceId", str, required=True, description="from the submission's aml data")],
        responses={
            (200, "application/pdf"): OpenApiResponse(description="report.pdf"),
            **GATEWAY_ERRORS,
            400: OpenApiResponse(_ERROR, description="`missing_parameter` `resourceId is required.`"),
            404: OpenApiResponse(_ERROR, description="`not_found` `Cannot find report.`"),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        resource_id = request.query_params.get("resourceId", "").strip()
        if not resource_id:
            raise ApplicationError("resourceId is required.", code="missing_parameter")
        pdf = aml_report(project=request.user.project, resource_id=nul_free(resource_id))
        if pdf is None:
            raise NotFound("Cannot find report.")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="report.pdf"'
        response["Cache-Control"] = "no-store"
        return response
