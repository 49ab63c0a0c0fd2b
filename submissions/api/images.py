"""``GET /v3/image`` (spec §2.8) and ``PUT /v3/submission/image`` (§2.9): an integrator reads
one stored image of a submission, or adds and replaces its images.

GET answers the image itself (``image/jpeg``: every stored image is ID Check's own re-encoding)
with ``Cache-Control: no-store``. The submission id is accepted as ``submission_id`` or
``submissionId`` (§2.8's table and example disagree). Whatever keeps an image from being given
(an unknown submission, another project's, a deleted one, an image never sent or deleted) is the
one answer ``404 {"errorCode": "image_not_found", "message": "Image not found."}``, so the
endpoint tells nobody which submissions exist elsewhere.

PUT takes a multipart (or urlencoded, or JSON) form of base64 strings, as ``POST
/v3/submission`` takes them; refusals are ``{"errorCode", "message"}`` with the spec's codes
and messages (``submissions.services.images.submission_images_update`` says what it changes).
With Secure Data Transfer on, the JSON answers travel as ``{"data": …}``
(``idcheck.secure_transfer``); the PUT's multipart form and the image bytes stay plain.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from idcheck.api_errors import GATEWAY_ERRORS, STORAGE_FULL_507, nul_free
from idcheck.errors import ApplicationError
from policy.id_types import ID_TYPES
from projects.actors import Actor
from submissions.api.create import IMAGE_FIELDS, PayloadTooLarge, uploaded_image
from submissions.services.images import submission_image_read, submission_images_update

SUCCESS = "complete to update image."
PUT_FIELDS = ("submissionId", "admin", "idType", *IMAGE_FIELDS)
_ERROR = inline_serializer(
    "ImageError", fields={"errorCode": serializers.CharField(), "message": serializers.CharField()}
)


def _invalid_parameter(name: str) -> ApplicationError:
    return ApplicationError(f"invalid parameter: {name[:40]}", code="invalid_parameter")


class _FirstRenderer(BaseContentNegotiation):
    """The image is answered whatever the ``Accept`` header says (an ``image/*`` client must not
    get 406); refusals are JSON."""

    def select_renderer(self, request: Request, renderers: list[Any], format_suffix: str | None = None) -> tuple:
        return renderers[0], renderers[0].media_type

    def select_parser(self, request: Request, parsers: list[Any]) -> Any:
        return parsers[0] if parsers else None


class ImageApi(APIView):
    """``GET /v3/image?submission_id=…&type=…``: one image, decrypted from the sealed store."""

    content_negotiation_class = _FirstRenderer

    @extend_schema(
        operation_id="image_get",
        summary="Download one image of a submission",
        parameters=[
            OpenApiParameter("submission_id", str, required=True, description="Also accepted as `submissionId`."),
            OpenApiParameter("type", str, required=True, enum=list(IMAGE_FIELDS)),
        ],
        responses={
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The image (no-store)"),
            **GATEWAY_ERRORS,
            400: OpenApiResponse(
                _ERROR,
                description="`missing_data` `Required input data is missing.` (no id or no type), "
                "`invalid_format` `invalid format: type`, `invalid_parameter` `invalid parameter: …`",
            ),
            404: OpenApiResponse(
                _ERROR,
                description="`image_not_found` `Image not found.`: no such image of a submission of this project "
                "(never sent, deleted, or the submission is unknown, another project's or deleted)",
            ),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        """The image bytes with their content type; every read is recorded in the Event Log."""
        params = request.query_params
        for name in params:
            if name not in ("submission_id", "submissionId", "type"):
                raise _invalid_parameter(name)
        spellings = {params[name] for name in ("submission_id", "submissionId") if params.get(name)}
        if len(spellings) > 1:
            raise _invalid_parameter("submissionId")
        if not spellings or not params.get("type"):
            raise ApplicationError("Required input data is missing.", code="missing_data")
        if params["type"] not in IMAGE_FIELDS:
            raise ApplicationError("invalid format: type", code="invalid_format", extra={"field": "type"})
        image = submission_image_read(
            project=request.user.project,
            submission_id=nul_free(spellings.pop()),
            kind=IMAGE_FIELDS[params["type"]],
            actor=Actor.from_request(request, api_key=request.user.api_key),
        )
        response = HttpResponse(image.data, content_type=image.content_type)
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class SubmissionImageApi(APIView):
    """``PUT /v3/submission/image``: add or replace images of a submission (base64 strings)."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="submission_image_put",
        summary="Add or replace images of a submission (all or nothing; nothing is re-verified)",
        request={
            "multipart/form-data": inline_serializer(
                "SubmissionImageBody",
                fields={
                    "submissionId": serializers.CharField(),
                    "admin": serializers.EmailField(help_text="E-mail of a member of the project"),
                    "idType": serializers.ChoiceField(
                        choices=ID_TYPES, required=False, help_text="Required with idImage or idBackImage"
                    ),
                    **{
                        name: serializers.CharField(required=False, help_text="Base64 JPEG or PNG (or a file)")
                        for name in IMAGE_FIELDS
                    },
                },
            )
        },
        responses={
            200: inline_serializer("SubmissionImageUpdated", fields={"message": serializers.CharField()}),
            **GATEWAY_ERRORS,
            400: OpenApiResponse(
                _ERROR,
                description="`invalid_payload` `Fail to parse the input data.`, `missing_data` "
                "`Required input data is missing.` or `The idType is required when submit idImage or idBackImage.`, "
                "`invalid_project` `Invalid project.` (closed project), `invalid_admin` `Invalid admin.`, "
                "`invalid_submission` `Invalid submission.` (unknown, another project's or deleted), `invalid_data` "
                "`At least one image parameter is required.`, `invalid_parameter`, `invalid_format` (idType, or a "
                "base64 string that does not decode), or an image refused at intake: `unsupported_format`, "
                "`image_too_large`, `too_many_pixels`, `corrupt_image`, `image_too_small`",
            ),
            409: OpenApiResponse(_ERROR, description="`submission_in_progress`: its verification is queued or running"),
            413: OpenApiResponse(description="`Request Entity Too Large`"),
            507: STORAGE_FULL_507,
        },
        examples=[OpenApiExample("updated", response_only=True, value={"message": SUCCESS})],
    )
    def put(self, request: Request) -> Response:
        """Store the given images in place of those of the same types; answer the spec's sentence."""
        fields = self._fields(request)
        images = {IMAGE_FIELDS[name]: uploaded_image(name, fields[name]) for name in IMAGE_FIELDS if name in fields}
        submission_images_update(
            project=request.user.project,
            submission_id=nul_free(fields.get("submissionId", "")),
            images=images,
            admin=nul_free(fields.get("admin", "")),
            id_type=fields.get("idType", ""),
            actor=Actor.from_request(request, api_key=request.user.api_key),
        )
        return Response({"message": SUCCESS})

    def _fields(self, request: Request) -> dict[str, Any]:
        """The form's fields, blank ones left out (a form may send every field, empty)."""
        try:
            raw = request.data
        except RequestDataTooBig:
            raise PayloadTooLarge() from None
        except (exceptions.ParseError, exceptions.UnsupportedMediaType):
            raw = None
        if not hasattr(raw, "keys"):
            raise ApplicationError("Fail to parse the input data.", code="invalid_payload")
        fields: dict[str, Any] = {}
        for name in raw.keys():
            if name not in PUT_FIELDS:
                raise _invalid_parameter(name)
            value = raw[name]
            if isinstance(value, str):
                value = value.strip()
            elif name not in IMAGE_FIELDS or isinstance(value, (dict, list, int, float, bool)):
                raise ApplicationError(f"invalid format: {name}", code="invalid_format", extra={"field": name})
            if value:
                fields[name] = value
        return fields
