"""Security (spec §8.14 IP allow-lists, §4.14 Secure Data Transfer, §6.5 private mode)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse

from idcheck.secure_transfer import ARGOS_CIPHER_WARNING, argos_cipher_in_use
from projects.access import otp_required, project_membership
from projects.forms import SettingsForm
from projects.views.settings.common import SettingsArea, area_page

ALLOWLIST_KEYS = ("api_ip_allowlist", "dashboard_ip_allowlist")

AREA = SettingsArea(
    url_name="settings_security",
    title="Security",
    template="dashboard/settings/security.html",
    keys=(*ALLOWLIST_KEYS, "privacy_display", "webhook_secure_transfer", "webhook_secure_transfer_cipher"),
    # The private-mode settings arrive with the token API; until then the page goes without them.
    optional_keys=("liveform_private_mode", "liveform_token_expiry_uses", "liveform_token_expiry_hours"),
)


@otp_required
def page(request: HttpRequest, pid: str) -> HttpResponse:
    def warn(form: SettingsForm) -> None:
        # Only on GET: a saved POST redirects here, and the message would show twice.
        if request.method == "GET" and argos_cipher_in_use(project_membership(request, pid).project):
            messages.warning(request, ARGOS_CIPHER_WARNING)

    return area_page(request, pid, AREA, prepare=warn)
