"""``GET /v3/submission/applicant?applicant_id=…`` (spec §2.2): the submissions of one person.

The answer is the spec's bare JSON array, one ``{"submission_id", "duplicated_information",
"email"}`` per submission of the caller's project sharing the applicant id, oldest first (the
person's history in the order it happened). A key without a value (no DI, no e-mail, or deleted)
is left out, as in ``GET /v3/submission``. An applicant id the project does not know answers
``[]``; a missing, blank or repeated ``applicant_id`` or any other parameter is the gateway's
``400 {"message": "Invalid Query String parameters"}``. At most ``MAX_PAGE_SIZE`` (2000)
submissions are returned: the spec has no paging here, and one person has far fewer.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from idcheck.api_errors import GATEWAY_ERRORS, InvalidQueryString
from submissions.selectors import submission_view, submissions_of_applicant


class ApplicantSubmissionSerializer(serializers.Serializer):
    submission_id = serializers.CharField()
    duplicated_information = serializers.CharField(required=False, help_text="absent when the DI could not be made")
    email = serializers.CharField(required=False, help_text="absent when none was given or it was deleted")


class ApplicantSubmissionsApi(APIView):
    """``GET /v3/submission/applicant``: every submission of the project with this applicant id."""

    class InputSerializer(serializers.Serializer):
        applicant_id = serializers.CharField(max_length=64)

    @extend_schema(
        operation_id="submission_applicant_list",
        parameters=[OpenApiParameter("applicant_id", str, required=True, description="The person's applicant id.")],
        responses={200: ApplicantSubmissionSerializer(many=True), **GATEWAY_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The submissions sharing ``applicant_id``, oldest first, as a bare array."""
        if set(request.query_params) != {"applicant_id"} or len(request.query_params.getlist("applicant_id")) != 1:
            raise InvalidQueryString()
        serializer = self.InputSerializer(data=request.query_params.dict())
        if not serializer.is_valid():
            raise InvalidQueryString()
        found = submissions_of_applicant(
            project=request.user.project, applicant_id=serializer.validated_data["applicant_id"]
        )
        views = [submission_view(submission, load_client=False) for submission in found]
        return Response([_entry(view.submission.pk, view.submission.duplicated_information, view.metadata)
                         for view in views])  # fmt: skip


def _entry(submission_id: str, duplicated_information: str, metadata: dict[str, Any]) -> dict[str, str]:
    entry = {
        "submission_id": submission_id,
        "duplicated_information": duplicated_information,
        "email": metadata.get("email") or "",
    }
    return {key: value for key, value in entry.items() if value}
