"""Baseline views for ``manage.py bench_api``: what the framework alone costs per request.

A bare Django view and a bare DRF ``APIView`` (no authentication, no permission, no throttle)
answer a small JSON body, so the bench can put the real ``GET /v3/submission`` beside them on
the same gunicorn. ``idcheck.urls`` routes them only when IDCHECK_BENCH_BASELINE_VIEWS=1 is set
at start-up and the installation is not a production one: they answer anyone, without a key.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

ENV_VARIABLE = "IDCHECK_BENCH_BASELINE_VIEWS"
BODY = {"status": "ok"}


def bare_django(request: HttpRequest) -> JsonResponse:
    return JsonResponse(BODY)


class BareDrf(APIView):
    """DRF's own defaults: none of the API's key check, Secure Data Transfer or versioning."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    renderer_classes = [JSONRenderer]
    content_negotiation_class = DefaultContentNegotiation
    versioning_class = None

    def get(self, request: Request) -> Response:
        return Response(BODY)


app_name = "bench"
urlpatterns = [
    path("django", bare_django, name="django"),
    path("drf", BareDrf.as_view(), name="drf"),
]
