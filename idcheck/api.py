"""The /v3/ URL list: each app's ``api/urls.py``, plus the OpenAPI schema and its docs page."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from idcheck.middleware import CONTENT_SECURITY_POLICY

app_name = "v3"


def api_docs_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Swagger UI styles itself inline; only its page gets that allowance in the CSP."""

    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "style-src 'self'", "style-src 'self' 'unsafe-inline'"
        )
        return response

    return wrapped


urlpatterns = [
    path("", include("submissions.api.urls")),
    path("", include("projects.api.urls")),
]

if settings.IDCHECK_PUBLIC_API_DOCS:
    _public = {"authentication_classes": [], "permission_classes": []}
    urlpatterns += [
        path("schema/", SpectacularAPIView.as_view(api_version="v3", **_public), name="schema"),
        path("docs/", api_docs_page(SpectacularSwaggerSplitView.as_view(url_name="v3:schema", **_public)), name="docs"),
    ]
