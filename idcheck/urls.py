"""Root URLs: /v3/ (API), /dashboard/ (admins), /form/ (the end user's Liveform), /admin/ (staff, OTP-protected)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from idcheck.lib.env import env_bool

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dashboard:home", permanent=False)),
    path("v3/", include("idcheck.api", namespace="v3")),
    path("dashboard/", include("projects.urls", namespace="dashboard")),
    path("form/", include("submissions.flow.urls", namespace="liveform")),
    path("admin/", admin.site.urls),
    path("healthz", include("idcheck.health_urls")),
]

# manage.py bench_api's baselines answer without a key: only when asked for, never in production.
if env_bool("IDCHECK_BENCH_BASELINE_VIEWS", False) and not env_bool("IDCHECK_PRODUCTION", False):
    urlpatterns.append(path("bench-baseline/", include("idcheck.bench_views", namespace="bench")))

handler404 = "idcheck.views.not_found"
handler500 = "idcheck.views.server_error"
