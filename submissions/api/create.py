"""``POST /v3/submission``: a submission with its images, verified asynchronously."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from idcheck.api_errors import GATEWAY_ERRORS, REFUSAL_403, STORAGE_FULL_507
from idcheck.errors import ApplicationError
from network.device import DeviceSignals
from network.models import IpOrigin
from network.services import ClientInfo
from policy.id_types import ID_TYPES
from projects.actors import Actor
from submissions.models import ImageKind, SubmissionSource
from submissions.services import SubmissionDetails, submission_create

IMAGE_FIELDS = {
    "idImage": ImageKind.ID_FRONT,
    "idBackImage": ImageKind.ID_BACK,
    "selfieImage": ImageKind.SELFIE,
    "addressImage": ImageKind.ADDRESS,
}
_DATA_URL = re.compile(r"^data:image/[a-z0-9.+-]+;base64,", re.IGNORECASE)


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request Entity Too Large"


def _invalid_format(name: str) -> ApplicationError:
    return ApplicationError(f"invalid format: {name}", code="invalid_format", extra={"field": name})


def uploaded_image(name: str, value: Any) -> bytes:
    """An uploaded file, or a base64 string (optionally a ``data:image/…;base64,`` URL)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if isinstance(value, UploadedFile):
        if value.size is not None and value.size > limit:
            raise PayloadTooLarge()
        return value.read()
    if not isinstance(value, str) or not value:
        raise _invalid_format(name)
    try:
        data = base64.b64decode(_DATA_URL.sub("", value.strip()), validate=True)
    except (binascii.Error, ValueError):
        raise _invalid_format(name) from None
    if len(data) > limit:
        raise PayloadTooLarge()
    return data


_ERRORS = inline_serializer(
    "SubmissionCreateError", fields={"errorCode": serializers.CharField(), "message": serializers.CharField()}
)


class SubmissionCreateInputSerializer(serializers.Serializer):
    """The body of ``POST /v3/submission`` (field names are the wire names)."""

    idImage = serializers.CharField(help_text="ID front: a file (multipart) or base64 (JSON)")  # noqa: N815
    idBackImage = serializers.CharField(required=False, help_text="ID back, for cards")  # noqa: N815
    selfieImage = serializers.CharField(  # noqa: N815
        required=False, help_text="Selfie; uploaded selfies are always liveness not_performed"
    )
    addressImage = serializers.CharField(  # noqa: N815
        required=False,
        help_text="Proof of address (utility bill, bank statement) naming the document's holder, issued within "
        "6 months: required when the project's policy_proof_of_address is on, refused when it is off",
    )
    email = serializers.EmailField(required=False, max_length=254)
    userid = serializers.CharField(required=False, max_length=200)
    cf1 = serializers.CharField(required=False, max_length=200)
    cf2 = serializers.CharField(required=False, max_length=200)
    cf3 = serializers.CharField(required=False, max_length=200)
    issuingCountry = serializers.RegexField(r"^[A-Z]{3}$", required=False)  # noqa: N815
    idType = serializers.ChoiceField(choices=ID_TYPES, required=False)  # noqa: N815
    # The end user's client, relayed by the integrator (this request comes from its server, whose
    # address says nothing about the end user). Without them VPN/proxy detection and device
    # verification are "not checked" for this submission.
    ipAddress = serializers.IPAddressField(  # noqa: N815
        required=False, help_text="The end user's IP address (IPv4 or IPv6), for VPN/proxy/TOR/hosting detection"
    )
    userAgent = serializers.CharField(  # noqa: N815
        required=False, max_length=512, help_text="The end user's browser User-Agent, for device verification"
    )


class SubmissionCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="submission_create",
        summary="Create a submission from images; it is verified asynchronously",
        request={
            "multipart/form-data": SubmissionCreateInputSerializer,
            "application/json": SubmissionCreateInputSerializer,
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                location=OpenApiParameter.HEADER,
                required=False,
                description="Up to 255 characters, per project, kept 24 h: a retry with the same key and "
                "request returns the same submissionId and creates nothing.",
            )
        ],
        responses={
            200: inline_serializer("SubmissionCreated", fields={"submissionId": serializers.CharField()}),
            **GATEWAY_ERRORS,
            400: OpenApiResponse(
                _ERRORS,
                description="`missing_data` (no idImage, or no addressImage where proof of address is required), "
                "`invalid_parameter` (unknown field, or addressImage where it is not), `invalid_format` "
                "(a field or base64 image that does not parse), `invalid_payload`, or an image refused at intake: "
                "`unsupported_format`, `image_too_large`, `too_many_pixels`, `corrupt_image`, `image_too_small`",
            ),
            402: OpenApiResponse(_ERRORS, description="`insufficient_credits`"),
            403: OpenApiResponse(
                REFUSAL_403,
                description="`service_blocked` (emergency stop), `project_closed` or `out_of_period` (outside the submission period); gateway `{message}` refusals "
                "as for every operation",
            ),
            409: OpenApiResponse(_ERRORS, description="`idempotency_key_in_use`: the first request is in flight"),
            413: OpenApiResponse(description="`Request Entity Too Large`"),
            422: OpenApiResponse(_ERRORS, description="`idempotency_key_reused` with a different request"),
            507: STORAGE_FULL_507,
        },
        examples=[OpenApiExample("created", value={"submissionId": "evcka62mes3ugzb_mg"}, response_only=True)],
    )
    def post(self, request: Request) -> Response:
        """Create a submission from its images; the verification runs asynchronously."""
        fields = self._fields(request)
        images = {
            IMAGE_FIELDS[name]: uploaded_image(name, fields.pop(name)) for name in list(fields) if name in IMAGE_FIELDS
        }
        client = ClientInfo(
            ip=fields.pop("ipAddress", ""),
            ip_origin=IpOrigin.DECLARED,
            signals=DeviceSignals(user_agent=fields.pop("userAgent", "")),
        )
        submission = submission_create(
            project=request.user.project,
            source=SubmissionSource.API,
            actor=Actor.from_request(request, api_key=request.user.api_key),
            images=images,
            details=SubmissionDetails(**{_DETAIL_NAMES.get(k, k): v for k, v in fields.items()}),
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            client=client,
        )
        return Response({"submissionId": submission.id})

    def _fields(self, request: Request) -> dict[str, Any]:
        try:
            raw = request.data
        except RequestDataTooBig:
            raise PayloadTooLarge() from None
        except exceptions.ParseError:
            raise ApplicationError("Invalid payload.", code="invalid_payload") from None
        if not isinstance(raw, Mapping):  # JSON that parses but is no object: null, a list, a number
            raise ApplicationError("Invalid payload.", code="invalid_payload")
        names = list(raw.keys())
        unknown = [name for name in names if name not in SubmissionCreateInputSerializer().fields]
        if unknown:
            raise ApplicationError(f"invalid parameter: {unknown[0]}", code="invalid_parameter")
        if "idImage" not in names:
            raise ApplicationError("Required input data is missing", code="missing_data", extra={"field": "idImage"})
        text = {name: raw[name] for name in names if name not in IMAGE_FIELDS}
        serializer = SubmissionCreateInputSerializer(
            data={**text, **{name: "-" for name in names if name in IMAGE_FIELDS}}
        )
        if not serializer.is_valid():
            raise _invalid_format(next(iter(serializer.errors)))
        return {**{k: v for k, v in serializer.validated_data.items() if k not in IMAGE_FIELDS},
                **{name: raw[name] for name in names if name in IMAGE_FIELDS}}  # fmt: skip


_DETAIL_NAMES = {"issuingCountry": "issuing_country", "idType": "id_type"}
