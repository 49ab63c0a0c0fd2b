"""``PATCH /v3/submission`` (spec §2.4): an admin changes a submission's data or decided status.

The body is JSON: ``submissionId``, ``admin`` (a project member's e-mail) and ``data``, an
object of the properties to change by their §4.7 names (``submission_update`` says what each one
does). ID Check also takes an optional ``comment``: the rejection's comment when ``kycStatus``
becomes ``rejected``. Every refusal is ``400 {"errorCode": "<sentence>"}`` as in the spec's
examples, with the spec's sentences where it has one; a bad or missing key is the gateway's
``403 {"message": "Forbidden"}`` as for every operation, so the spec's ``API-Key is required.``
and ``projectId or x-api-key is required.`` never reach this view.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from idcheck.api_errors import GATEWAY_ERRORS, nul_free
from idcheck.errors import ApplicationError
from projects.actors import Actor
from submissions.api.delete import IDEMPOTENCY_KEY_HEADER
from submissions.services.update import NOT_HELD, PATCHABLE, submission_update

SUCCESS = "Data Processing Success."
PARSE_ERROR = "data parsing error. please check input data."
BODY_KEYS = {"submissionId", "admin", "data", "comment"}
_ERROR = inline_serializer("SubmissionPatchError", fields={"errorCode": serializers.CharField()})


def _refused(sentence: str, status: int = 400) -> Response:
    return Response({"errorCode": sentence}, status=status)


class SubmissionPatchApi(APIView):
    """``PATCH /v3/submission``: change the listed properties of one submission (§2.4, §4.7)."""

    @extend_schema(
        operation_id="submission_patch",
        summary="Change a submission's data or its decided status (sends the updated webhook)",
        request={
            "application/json": inline_serializer(
                "SubmissionPatchBody",
                fields={
                    "submissionId": serializers.CharField(),
                    "admin": serializers.EmailField(help_text="E-mail of a member of the project"),
                    "data": serializers.DictField(
                        help_text=f"At least one of: {', '.join(PATCHABLE)}. Refused: {', '.join(NOT_HELD)} "
                        "(ID Check holds no such value). kycStatus: approved or rejected, of a decided submission."
                    ),
                    "comment": serializers.CharField(
                        required=False, help_text="ID Check: the comment of a change to rejected (code other)"
                    ),
                },
            )
        },
        parameters=[IDEMPOTENCY_KEY_HEADER],
        responses={
            200: inline_serializer("SubmissionPatchResult", fields={"message": serializers.CharField()}),
            **GATEWAY_ERRORS,
            400: OpenApiResponse(
                _ERROR,
                description=f"`{PARSE_ERROR}`, `submissionId is required.`, `admin is required.`, "
                "`At least one property to modify is required.`, `not Exist Submission Data`, "
                "`admin is not a member of this project.`, `Unknown property: …`, `Invalid value for …`, "
                "`Data Processing Error.` and the refusals of a status change (docs/review.md)",
            ),
            409: OpenApiResponse(_ERROR, description="the first request with this Idempotency-Key is in flight"),
            422: OpenApiResponse(_ERROR, description="the Idempotency-Key was used for another request"),
        },
        examples=[
            OpenApiExample(
                "change",
                request_only=True,
                value={
                    "submissionId": "evcka62mes3ugzb_mg",
                    "admin": "admin@example.com",
                    "data": {"kycStatus": "rejected", "documentNumber": "M12345678"},
                },
            ),
            OpenApiExample("changed", response_only=True, value={"message": SUCCESS}),
        ],
    )
    def patch(self, request: Request) -> Response:
        """Change the properties in ``data``; the ``updated`` webhook lists the ones that changed."""
        body = self._body(request)
        if body is None:
            return _refused(PARSE_ERROR)
        if not body.get("submissionId"):
            return _refused("submissionId is required.")
        if not body.get("admin"):
            return _refused("admin is required.")
        if not body.get("data"):
            return _refused("At least one property to modify is required.")
        try:
            submission_update(
                project=request.user.project,
                submission_id=nul_free(body["submissionId"]),
                changes=body["data"],
                admin=nul_free(body["admin"]),
                comment=body.get("comment", ""),
                actor=Actor.from_request(request, api_key=request.user.api_key),
                idempotency_key=request.headers.get("Idempotency-Key", ""),
            )
        except ApplicationError as exc:
            return _refused(exc.message, exc.http_status)
        return Response({"message": SUCCESS})

    def _body(self, request: Request) -> dict[str, Any] | None:
        """The JSON body when it has the expected shape, else None (the spec's parsing error)."""
        try:
            body = request.data
        except exceptions.ParseError:
            return None
        if not isinstance(body, dict) or set(body) - BODY_KEYS:
            return None
        texts = ("submissionId", "admin", "comment")
        if any(not isinstance(body.get(name, ""), str) for name in texts):
            return None
        if "\x00" in body.get("comment", ""):  # stored as text, which cannot hold NUL
            return None
        if not isinstance(body.get("data", {}), dict):
            return None
        return body
