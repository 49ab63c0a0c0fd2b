"""Security (spec §8.14 IP allow-lists, §4.14 Secure Data Transfer, §6.5 private mode)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from projects.access import otp_required
from projects.views.settings.common import SettingsArea, area_page

ALLOWLIST_KEYS = ("api_ip_allowlist", "dashboard_ip_allowlist")

AREA = SettingsArea(
    url_name="settings_security",
    title="Security",
    template="dashboard/settings/security.html",
    keys=(*ALLOWLIST_KEYS, "webhook_secure_transfer", "webhook_secure_transfer_cipher"),
    # The private-mode settings arrive with the token API; until then the page goes without them.
    optional_keys=("liveform_private_mode", "liveform_token_expiry_uses", "liveform_token_expiry_hours"),
)


@otp_required
def page(request: HttpRequest, pid: str) -> HttpResponse:
    return area_page(request, pid, AREA)
