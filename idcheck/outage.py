"""What a request answers while PostgreSQL, Redis or the media disk is away (G15, issue 11).

A lost database connection, an unreachable Redis or broker is an outage, not a bug: the caller
gets 503 with a clear body and ``Retry-After``, never a 500 and never a traceback. A full media
disk (ENOSPC, EDQUOT) refuses the upload with 507 (the services have removed what they wrote,
so nothing is half-stored). The answers, by surface:

* ``/v3/``: ``{"message": "Service Unavailable"}`` (the gateway shape of spec §1.3, as the rate
  limiter's own 503) or ``{"message": "Insufficient Storage"}``;
* the Liveform (``/form/``): its ``service-unavailable`` error page, ``SE-50011``, for both;
* anything else (dashboard, admin): a plain "temporarily unavailable" page.

None of these touches the database: they are rendered from templates and constants only.
Two places use them: the DRF exception handler (exceptions raised inside a /v3/ view) and
``handler500`` (everything else, including a middleware that reached the database).
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Iterator

import kombu.exceptions
import redis
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger("idcheck.outage")

UNAVAILABLE = "Service Unavailable"
STORAGE_FULL = "Insufficient Storage"
RETRY_AFTER_S = 5  # PostgreSQL and Redis restarts take seconds; the caller may come back soon
STORAGE_RETRY_AFTER_S = 60  # a full disk needs an operator
LIVEFORM_PAGE = "service-unavailable"

# A database whose connection broke or cannot be opened, a Redis or broker that does not answer.
_UNAVAILABLE_ERRORS = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
)
_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and those it was raised from or during (a wrapped psycopg error, say)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def outage_kind(exc: BaseException | None) -> str | None:
    """``"unavailable"``, ``"storage_full"`` or None (not an outage: a bug, answered 500)."""
    if exc is None:
        return None
    for link in _chain(exc):
        if isinstance(link, OSError) and link.errno in _DISK_FULL:
            return "storage_full"
        if isinstance(link, _UNAVAILABLE_ERRORS):
            return "unavailable"
    return None


def api_outage_answer(kind: str) -> tuple[int, dict[str, str], dict[str, str]]:
    """Status, body and headers of a /v3/ answer to an outage of ``kind``."""
    if kind == "storage_full":
        return 507, {"message": STORAGE_FULL}, {"Retry-After": str(STORAGE_RETRY_AFTER_S)}
    return 503, {"message": UNAVAILABLE}, {"Retry-After": str(RETRY_AFTER_S)}


def log_outage(kind: str, exc: BaseException, path: str) -> None:
    # One line, the exception's class only: its text may name hosts, files or SQL.
    logger.warning("%s during %s: %s", kind, path, type(exc).__name__)


def outage_response(request: HttpRequest, kind: str) -> HttpResponse:
    """The answer to an outage outside a DRF view (see the module docstring)."""
    if request.path.startswith("/v3/"):
        status, body, headers = api_outage_answer(kind)
        return JsonResponse(body, status=status, headers=headers)
    if request.path.startswith("/form/"):
        from submissions.flow.errors import ERROR_PAGES

        error = ERROR_PAGES[LIVEFORM_PAGE]
        context = {"page": LIVEFORM_PAGE, "error": error, "project": None, "has_return": False}
        html = render_to_string("liveform/error.html", context)
        return HttpResponse(html, status=error.status, headers={"Retry-After": str(RETRY_AFTER_S)})
    html = render_to_string("errors/503.html")
    return HttpResponse(html, status=503, headers={"Retry-After": str(RETRY_AFTER_S)})
