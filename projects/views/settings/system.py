"""System Operation (spec §8.14): name, status, Emergency Stop and the API rate limits."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from projects.access import otp_required
from projects.views.settings.common import SettingsArea, area_page

AREA = SettingsArea(
    url_name="project_settings",
    title="System Operation",
    template="dashboard/settings/system.html",
    keys=("name", "status", "emergency_stop", "submission_period_start", "submission_period_end",
          "rate_limit_per_second", "rate_limit_per_day"),
)


@otp_required
def page(request: HttpRequest, pid: str) -> HttpResponse:
    return area_page(request, pid, AREA)
