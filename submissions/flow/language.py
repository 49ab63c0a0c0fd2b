"""The Liveform's language: the link's ``lang`` (spec §6.2), kept for the browser's session,
else the browser's Accept-Language, else English. Only the Liveform is translated; the
dashboard and the API stay English, so the middleware acts under ``/form/`` only.

Right-to-left languages (Arabic) get ``dir="rtl"`` from ``templates/liveform/base.html``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

SESSION_KEY = "liveform_language"
PREFIX = "/form/"


def liveform_language(request: HttpRequest) -> str:
    """A ``lang`` the Liveform has wins and is remembered; an unknown one is ignored."""
    asked = request.GET.get("lang", "").strip()
    if asked:
        try:
            chosen = translation.get_supported_language_variant(asked.lower())
        except LookupError:
            chosen = ""
        if chosen:
            request.session[SESSION_KEY] = chosen
            return chosen
    kept = request.session.get(SESSION_KEY)
    if kept:
        return kept
    return translation.get_language_from_request(request)


class LiveformLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        language = liveform_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers["Vary"] = ", ".join(filter(None, [response.headers.get("Vary", ""), "Accept-Language"]))
        return response
