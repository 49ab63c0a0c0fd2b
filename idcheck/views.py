"""Error pages and the health probe; /v3/ paths always answer JSON."""

from __future__ import annotations

import sys

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from idcheck.outage import log_outage, outage_kind, outage_response
from idcheck.redis import redis_client


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/v3/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        # An unknown resource at the original's gateway is refused like a missing key.
        return JsonResponse({"message": "Forbidden"}, status=403)
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception: an outage (a middleware or a page that
    # reached a database that is down) is answered 503, not 500 (idcheck.outage).
    exc = sys.exc_info()[1]
    kind = outage_kind(exc)
    if kind is not None:
        log_outage(kind, exc, request.path)
        return outage_response(request, kind)
    if _is_api(request):
        return JsonResponse({"message": "Internal Server Error"}, status=500)
    return render(request, "errors/500.html", status=500)


def health(request: HttpRequest) -> JsonResponse:
    """Liveness of the database and, when configured, Redis (for load balancers)."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 (any failure means "not ok"; the detail stays in logs)
        checks["database"] = "error"
    client = redis_client()
    if client is not None:
        try:
            client.ping()
            checks["redis"] = "ok"
        except Exception:  # noqa: BLE001
            checks["redis"] = "error"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
