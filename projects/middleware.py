"""Idle timeout for dashboard sessions (G20); the absolute limit is SESSION_COOKIE_AGE."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

LAST_SEEN_KEY = "idcheck_last_seen"
STARTED_KEY = "idcheck_session_started"


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not request.path.startswith("/v3/"):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            started = request.session.setdefault(STARTED_KEY, now)
            idle_expired = now - last_seen > settings.IDCHECK_SESSION_IDLE_SECONDS
            absolute_expired = now - started > settings.SESSION_COOKIE_AGE
            if idle_expired or absolute_expired:
                logout(request)
            else:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
