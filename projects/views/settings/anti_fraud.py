"""Anti-fraud (spec §8.6 face duplication, §8.10 Proxy & VPN, §8.11 device verification, §8.12 AML)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from projects.access import otp_required
from projects.views.settings.common import SettingsArea, area_page

AREA = SettingsArea(
    url_name="settings_anti_fraud",
    title="Anti-fraud",
    template="dashboard/settings/anti_fraud.html",
    keys=(
        "policy_reject_duplicate_face",
        "policy_network_detection",
        "policy_network_level_proxy",
        "policy_network_level_vpn",
        "policy_network_level_tor",
        "policy_network_level_hosting",
        "policy_device_verification",
        "policy_device_duplicate_limit",
        "policy_device_duplicate_period_days",
        "policy_device_duplicate_policy",
        "aml_screening",
        "aml_threshold",
        "aml_monitoring",
    ),
)


@otp_required
def page(request: HttpRequest, pid: str) -> HttpResponse:
    return area_page(request, pid, AREA)
