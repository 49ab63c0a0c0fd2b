"""``POST /v3/submission/review`` (spec §2.7): the integrator approves or rejects a pending
submission, when the project's reviewer setting is Client API (``submission_review_by_client``
says what is checked, in which order, and what is written).

Every refusal is ``400 {"message": "<sentence>"}`` with the spec's sentence; a body that is not a
JSON object with text fields (and an object ``updateFields``) is ``Invalid data format.``, the
spec's only sentence about a malformed request [UNKNOWN beyond it].
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
from submissions.services.client_review import UPDATE_FIELDS, submission_review_by_client

SUCCESS = "Success to review submission."
MALFORMED = "Invalid data format."
TEXT_KEYS = ("admin", "submissionId", "status", "rejectComment")
_ERROR = inline_serializer("SubmissionReviewError", fields={"message": serializers.CharField()})


def _refused(message: str, status: int = 400) -> Response:
    return Response({"message": message}, status=status)


class SubmissionReviewApi(APIView):
    """``POST /v3/submission/review``: decide a pending submission as the project's reviewer."""

    @extend_schema(
        operation_id="submission_review",
        summary="Approve or reject a pending submission (reviewer setting: Client API)",
        request={
            "application/json": inline_serializer(
                "SubmissionReviewBody",
                fields={
                    "admin": serializers.EmailField(help_text="E-mail of a member of the project"),
                    "submissionId": serializers.CharField(),
                    "status": serializers.ChoiceField(choices=["approved", "rejected"]),
                    "rejectComment": serializers.CharField(required=False, help_text="Required to reject (code other)"),
                    "updateFields": serializers.DictField(
                        required=False, help_text=f"Corrections made while reviewing: {', '.join(UPDATE_FIELDS)}"
                    ),
                },
            )
        },
        parameters=[IDEMPOTENCY_KEY_HEADER],
        responses={
            200: inline_serializer(
                "SubmissionReviewResult",
                fields={
                    "submissionId": serializers.CharField(),
                    "message": serializers.CharField(),
                    "finalStatus": serializers.CharField(),
                },
            ),
            **GATEWAY_ERRORS,
            400: OpenApiResponse(
                _ERROR,
                description="`admin is required.`, `Access denied. The admin is not registered in the project.`, "
                "`Submission Id is required.`, `Invalid Submission Id.`, "
                "`Only submissions in pending status can be reviewed`, `This submission cannot be reviewed by client`, "
                "`Invalid status`, `Invalid data format.`, `Reject comment is required`, "
                "and a refused correction in updateFields (as PATCH words it)",
            ),
            409: OpenApiResponse(_ERROR, description="another reviewer decided it at the same moment"),
            422: OpenApiResponse(_ERROR, description="the Idempotency-Key was used for another request"),
        },
        examples=[
            OpenApiExample(
                "reject",
                request_only=True,
                value={
                    "admin": "admin@example.com",
                    "submissionId": "evcka62mes3ugzb_mg",
                    "status": "rejected",
                    "rejectComment": "The photo of the document is not the person's.",
                },  # fmt: skip
            ),
            OpenApiExample(
                "reviewed",
                response_only=True,
                value={"submissionId": "evcka62mes3ugzb_mg", "message": SUCCESS, "finalStatus": "rejected"},
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        """Approve or reject; the ``approved`` / ``rejected`` webhook follows."""
        body = self._body(request)
        if body is None:
            return _refused(MALFORMED)
        try:
            submission = submission_review_by_client(
                project=request.user.project,
                submission_id=nul_free(body.get("submissionId", "")),
                admin=nul_free(body.get("admin", "")),
                status=body.get("status", ""),
                reject_comment=body.get("rejectComment", ""),
                update_fields=body.get("updateFields"),
                actor=Actor.from_request(request, api_key=request.user.api_key),
                idempotency_key=request.headers.get("Idempotency-Key", ""),
            )
        except ApplicationError as exc:
            return _refused(exc.message, exc.http_status)
        return Response({"submissionId": submission.pk, "message": SUCCESS, "finalStatus": submission.status})

    def _body(self, request: Request) -> dict[str, Any] | None:
        try:
            body = request.data
        except exceptions.ParseError:
            return None
        if not isinstance(body, dict) or any(not isinstance(body.get(name, ""), str) for name in TEXT_KEYS):
            return None
        if "\x00" in body.get("rejectComment", ""):  # stored as text, which cannot hold NUL
            return None
        return body
