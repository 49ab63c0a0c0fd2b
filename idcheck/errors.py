"""The one exception type services raise; interfaces map it to HTTP or form errors."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A business rule refused the action. ``code`` is stable; ``message`` is for people."""

    code = "application_error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extra = extra or {}


class NotFound(ApplicationError):
    code = "not_found"
    http_status = 404


class PermissionDeniedError(ApplicationError):
    code = "permission_denied"
    http_status = 403


class ConflictError(ApplicationError):
    code = "conflict"
    http_status = 409
