"""``POST /v3/submission/migration`` (spec §2.3): insert a submission whose result the
integrator dictates, without verification (``submissions.services.migration`` says what it
stores). The body is a JSON object of strings, also when sent as ``text/plain``; refusals are
``400 {"errorCode", "message"}`` with the spec's codes and messages, an emergency stop
``403 service_blocked`` as for ``POST /v3/submission``. With Secure Data Transfer
on, the body travels as ``{"data": …}`` (``isEncrypted`` beside it is accepted) and is decrypted
before this view (``idcheck.secure_transfer``); a plain body's ``isEncrypted`` is an unknown parameter.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from idcheck.api_errors import GATEWAY_ERRORS, REFUSAL_403
from idcheck.errors import ApplicationError
from policy.id_types import ID_TYPES
from projects.actors import Actor
from submissions.api.delete import IDEMPOTENCY_KEY_HEADER
from submissions.api.tokens import PlainTextJsonParser
from submissions.services.migration import REQUIRED, submission_migrate

_ERROR = inline_serializer(
    "SubmissionMigrationError", fields={"errorCode": serializers.CharField(), "message": serializers.CharField()}
)


def _text(help_text: str = "", *, required: bool = False) -> serializers.CharField:
    return serializers.CharField(required=required, help_text=help_text)


_BODY = inline_serializer(
    "SubmissionMigrationBody",
    fields={
        "admin": _text("E-mail of a member of the project; becomes the reviewer", required=True),
        "email": serializers.EmailField(help_text="The submitter's e-mail"),
        "fullName": _text(
            "Surname first when firstName/lastName are not given: split at its first space", required=True
        ),
        "firstName": _text(),
        "lastName": _text(),
        "birthDate": _text("YYYY-MM-DD, in the past", required=True),
        "kycStatus": _text("approved or rejected", required=True),
        "idType": serializers.ChoiceField(choices=ID_TYPES, required=False),
        "issuingCountry": _text("ISO 3166-1 alpha-3"),
        "nationality": _text("ISO 3166-1 alpha-3"),
        "gender": serializers.ChoiceField(choices=["female", "male"], required=False),
        "issueDate": _text("YYYY-MM-DD"),
        "expireDate": _text("YYYY-MM-DD"),
        "ipAddress": serializers.IPAddressField(required=False),
        "identityNumber": _text(),
        "documentNumber": _text(),
        "address_city": _text(),
        "address_country": _text("ISO 3166-1 alpha-3"),
        "address_state": _text(),
        "address_street": _text(),
        "address_full": _text("Shown as data.address_formatted"),
        "cf1": _text(),
        "cf2": _text(),
        "cf3": _text(),
        "userid": _text(),
    },
)


class SubmissionMigrationApi(APIView):
    """``POST /v3/submission/migration``: one decided submission, no images, no verification."""

    parser_classes = [JSONParser, PlainTextJsonParser]

    @extend_schema(
        operation_id="submission_migrate",
        summary="Insert an already decided submission without verification (data migration)",
        description="No credit is taken and no webhook is sent; images follow with PUT /v3/submission/image. "
        "See docs/api-migration-and-images.md.",
        request={"application/json": _BODY},
        parameters=[IDEMPOTENCY_KEY_HEADER],
        responses={
            200: inline_serializer(
                "SubmissionMigrated",
                fields={"message": serializers.CharField(), "submissionId": serializers.CharField()},
            ),
            **GATEWAY_ERRORS,
            400: OpenApiResponse(
                _ERROR,
                description="`invalid_payload` `Invalid payload.`, `missing_data` `Required input data is missing` "
                f"(any of {', '.join(REQUIRED)} missing or blank), `invalid_project` `Invalid project` (closed "
                "project), `invalid_admin` `Invalid admin`, `invalid_parameter` `invalid parameter: …`, "
                "`invalid_format` `invalid format: …`, `processing_error` `Failed to complete migration`",
            ),
            403: OpenApiResponse(REFUSAL_403, description="`service_blocked` (emergency stop); gateway refusals"),
            409: OpenApiResponse(_ERROR, description="`idempotency_key_in_use`: the first request is in flight"),
            422: OpenApiResponse(_ERROR, description="`idempotency_key_reused` with a different body"),
        },
        examples=[
            OpenApiExample(
                "migration",
                request_only=True,
                value={
                    "admin": "admin@example.com",
                    "email": "user@example.com",
                    "fullName": "HONG GILDONG",
                    "birthDate": "1992-06-13",
                    "kycStatus": "approved",
                    "idType": "passport",
                    "issuingCountry": "KOR",
                    "gender": "male",
                },
            ),
            OpenApiExample(
                "migrated", response_only=True, value={"message": "success", "submissionId": "evcka62mes3ugzb_mg"}
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        """Store the submission as decided; answer its id."""
        submission = submission_migrate(
            project=request.user.project,
            fields=self._body(request),
            actor=Actor.from_request(request, api_key=request.user.api_key),
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        return Response({"message": "success", "submissionId": submission.id})

    def _body(self, request: Request) -> dict[str, Any]:
        try:
            body = request.data
        except (exceptions.ParseError, exceptions.UnsupportedMediaType):
            body = None
        if not isinstance(body, dict):
            raise ApplicationError("Invalid payload.", code="invalid_payload")
        return body
