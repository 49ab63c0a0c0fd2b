"""Authentication Data (spec §8.6): what makes two submissions the same person, and what
happens then; the third-party data providers that check the document's data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from projects.access import otp_required
from projects.views.settings.common import SettingsArea, area_page

AREA = SettingsArea(
    url_name="settings_authentication",
    title="Authentication Data",
    template="dashboard/settings/authentication.html",
    keys=(
        "custom_di_fields",
        "policy_reject_duplicate_user",
        "policy_approve_period_days",
        "policy_reject_period_days",
        "third_party_providers",
    ),
)


@otp_required
def page(request: HttpRequest, pid: str) -> HttpResponse:
    return area_page(request, pid, AREA)
