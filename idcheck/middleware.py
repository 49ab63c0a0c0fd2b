"""Request ids, an access log without query strings, and the security headers (G21)."""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("idcheck.access")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "style-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# Path segments that are secrets themselves (invitation links) never reach the log.
_SECRET_PATH_SEGMENTS = [(re.compile(r"^/dashboard/invitations/[^/]+/"), "/dashboard/invitations/<token>/")]


def loggable_path(path: str) -> str:
    for pattern, replacement in _SECRET_PATH_SEGMENTS:
        path = pattern.sub(replacement, path)
    return path.encode("unicode_escape").decode("ascii")


def audit_path(path: str) -> str:
    """A refused request's path as the target of its Event Log row (64 characters at most)."""
    return loggable_path(path)[:64]


def current_request_id() -> str:
    return _request_id.get()


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class RequestIdMiddleware:
    """Tags each request with an id (the caller's ``X-Request-ID`` when well-formed)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if _SAFE_REQUEST_ID.match(offered) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            # Path only: compatibility endpoints carry e-mail addresses in the query string.
            access_log.info(
                "%s %s %s %.1fms",
                request.method,
                loggable_path(request.path),
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
        finally:
            _request_id.reset(token)
        return response


class SecurityHeadersMiddleware:
    """CSP, Permissions-Policy and ``no-store`` on every dynamic response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if not request.path.startswith("/static/") and "no-store" not in response.get("Cache-Control", ""):
            # Every dynamic page may show personal data: never let a cache keep it (a view may
            # say more, as the dashboard's images do with ``private, no-store``).
            response["Cache-Control"] = "no-store"
        return response
