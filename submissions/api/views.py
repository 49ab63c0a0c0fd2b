"""v3 submission endpoints (one APIView per operation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from idcheck.api_errors import GATEWAY_ERRORS, InvalidQueryString
from idcheck.timeformat import format_compact, parse_compact, parse_day
from submissions.api.serializers import REQUEST_TYPES, SubmissionItemSerializer, item_slice
from submissions.selectors import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    SubmissionView,
    submission_get,
    submission_list,
    submission_view,
    submission_views,
)


class NextPageKeySerializer(serializers.Serializer):
    id = serializers.CharField()
    created_at = serializers.CharField()


class SubmissionListOutputSerializer(serializers.Serializer):
    Items = SubmissionItemSerializer(many=True)  # noqa: N815 (wire name)
    nextpageKey = NextPageKeySerializer(required=False)  # noqa: N815 (wire name)


class SubmissionListApi(APIView):
    """``GET /v3/submission``: one submission, or the project's submissions newest first."""

    ACCEPTED_PARAMETERS = {
        "submission_id", "userid", "email", "count", "nextpage_id", "nextpage_date", "start_date", "end_date",
        "request_type",
    }  # fmt: skip

    class InputSerializer(serializers.Serializer):
        submission_id = serializers.CharField(required=False, max_length=64)
        userid = serializers.CharField(required=False, max_length=255)
        email = serializers.CharField(required=False, max_length=254)
        request_type = serializers.ChoiceField(required=False, choices=REQUEST_TYPES)
        count = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)
        nextpage_id = serializers.CharField(required=False, max_length=64)
        nextpage_date = serializers.CharField(required=False, max_length=32)
        start_date = serializers.CharField(required=False, max_length=10)
        end_date = serializers.CharField(required=False, max_length=10)

    @extend_schema(
        operation_id="submission_list",
        parameters=[
            OpenApiParameter("submission_id", str, description="Return exactly this submission."),
            OpenApiParameter("userid", str, description="Only submissions with exactly this userid."),
            OpenApiParameter("email", str, description="Only submissions with this e-mail (any letter case)."),
            OpenApiParameter("count", int, description=f"Page size, 1–{MAX_PAGE_SIZE}, default {DEFAULT_PAGE_SIZE}."),
            OpenApiParameter("nextpage_id", str, description="`nextpageKey.id` of the previous page."),
            OpenApiParameter("nextpage_date", str, description="`nextpageKey.created_at` of the previous page."),
            OpenApiParameter("start_date", str, description="Created on or after this UTC day (YYYY-MM-DD)."),
            OpenApiParameter("end_date", str, description="Created on or before this UTC day (YYYY-MM-DD)."),
            OpenApiParameter(
                "request_type",
                str,
                enum=REQUEST_TYPES,
                description="Only one slice of each item, with its `submission_id`: `kyc` (kyc, argos_score, "
                "recognition_score, reviewer, pending_at, kyc_result_at, idcheck), `data` (email, userid, data, "
                "review), `others` (every other field), `aml` (`aml`: the screening result).",
            ),
        ],
        responses={200: SubmissionListOutputSerializer, **GATEWAY_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """One submission (``submission_id``), or the project's submissions newest first."""
        params = self._parse(request)
        project = request.user.project
        if "submission_id" in params:
            found = submission_get(project=project, submission_id=params["submission_id"])
            items = [submission_view(found)] if found else []
            return Response({"Items": self._items(items, params)})
        page = submission_list(
            project=project,
            count=params.get("count", DEFAULT_PAGE_SIZE),
            after=params.get("after"),
            created_from=params.get("created_from"),
            created_before=params.get("created_before"),
            email=params.get("email", ""),
            userid=params.get("userid", ""),
        )
        body: dict[str, Any] = {"Items": self._items(submission_views(page.items), params)}
        if page.next_key is not None:
            body["nextpageKey"] = {"id": page.next_key.id, "created_at": format_compact(page.next_key.created_at)}
        return Response(body)

    @staticmethod
    def _items(views: list[SubmissionView], params: dict[str, Any]) -> list[dict[str, Any]]:
        items = SubmissionItemSerializer(views, many=True).data
        if "request_type" not in params:
            return items
        return [item_slice(item, params["request_type"]) for item in items]

    def _parse(self, request: Request) -> dict[str, Any]:
        if set(request.query_params) - self.ACCEPTED_PARAMETERS:
            raise InvalidQueryString()
        serializer = self.InputSerializer(data=request.query_params.dict())
        if not serializer.is_valid():
            raise InvalidQueryString()
        params = dict(serializer.validated_data)
        if ("nextpage_id" in params) != ("nextpage_date" in params):
            raise InvalidQueryString()
        if "nextpage_id" in params:
            created_at = parse_compact(params["nextpage_date"])
            if created_at is None:
                raise InvalidQueryString()
            params["after"] = (created_at, params["nextpage_id"])
        for name, key, shift in (("start_date", "created_from", 0), ("end_date", "created_before", 1)):
            if name in params:
                day = parse_day(params[name])
                if day is None:
                    raise InvalidQueryString()
                params[key] = dt.datetime.combine(day + dt.timedelta(days=shift), dt.time(), tzinfo=dt.UTC)
        return params
