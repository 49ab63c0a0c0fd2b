"""Root URLs: /v3/ (API), /dashboard/ (admins), /form/ (the end user's Liveform), /admin/ (staff, OTP-protected)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dashboard:home", permanent=False)),
    path("v3/", include("idcheck.api", namespace="v3")),
    path("dashboard/", include("projects.urls", namespace="dashboard")),
    path("form/", include("submissions.flow.urls", namespace="liveform")),
    path("admin/", admin.site.urls),
    path("healthz", include("idcheck.health_urls")),
]

handler404 = "idcheck.views.not_found"
handler500 = "idcheck.views.server_error"
