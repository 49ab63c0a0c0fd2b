"""Blacklist Countries (spec §8.8): documents issued by these countries are rejected."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from projects.access import otp_required
from projects.views.settings.common import SettingsArea, area_page

AREA = SettingsArea(
    url_name="settings_blacklist",
    title="Blacklist Countries",
    template="dashboard/settings/blacklist.html",
    keys=("policy_blacklist_countries",),
)


@otp_required
def page(request: HttpRequest, pid: str) -> HttpResponse:
    return area_page(request, pid, AREA)
