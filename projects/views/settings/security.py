"""Security (spec §8.14 IP allow-lists, §4.14/§5 Secure Data Transfer and the secretKey, §6.5
private mode)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from projects.access import otp_required, project_membership
from projects.actors import Actor
from projects.forms import ConfirmWithCodeForm, SettingsForm
from projects.selectors import secret_key_get
from projects.services import secret_key_issue
from projects.settings_registry import get_setting
from projects.views.settings.common import SettingsArea, area_page, render_area

ALLOWLIST_KEYS = ("api_ip_allowlist", "dashboard_ip_allowlist")
SECURE_TRANSFER_KEYS = ("secure_transfer", "secure_transfer_cipher", "encryption_key")

AREA = SettingsArea(
    url_name="settings_security",
    title="Security",
    template="dashboard/settings/security.html",
    keys=(*ALLOWLIST_KEYS, "privacy_display", *SECURE_TRANSFER_KEYS),
    # The private-mode settings arrive with the token API; until then the page goes without them.
    optional_keys=("liveform_private_mode", "liveform_token_expiry_uses", "liveform_token_expiry_hours"),
)


def _secret_key_context(request: HttpRequest, pid: str, *, confirm_form: ConfirmWithCodeForm,
                        new_secret_key: str = "") -> dict[str, object]:  # fmt: skip
    project = project_membership(request, pid).project
    return {"secret_key": secret_key_get(project=project), "secret_key_form": confirm_form,
            "new_secret_key": new_secret_key}  # fmt: skip


@otp_required
def page(request: HttpRequest, pid: str) -> HttpResponse:
    from idcheck.secure_transfer import ARGOS_CIPHER_WARNING, argos_cipher_in_use

    def warn(form: SettingsForm) -> None:
        # Only on GET: a saved POST redirects here, and the message would show twice.
        if request.method == "GET" and argos_cipher_in_use(project_membership(request, pid).project):
            messages.warning(request, ARGOS_CIPHER_WARNING)

    context = _secret_key_context(request, pid, confirm_form=ConfirmWithCodeForm())
    return area_page(request, pid, AREA, prepare=warn, **context)


@otp_required
@require_POST
def secret_key_issue_page(request: HttpRequest, pid: str) -> HttpResponse:
    """Issue (or reissue) the secretKey and show it this once; needs a fresh TOTP code, as the
    API key's rotation does."""
    membership = project_membership(request, pid, need="manage")
    confirm_form = ConfirmWithCodeForm(request.POST)
    unbound = SettingsForm(settings_list=[get_setting(key) for key in AREA.present_keys()], project=membership.project)
    if not confirm_form.confirms(request.user):
        context = _secret_key_context(request, pid, confirm_form=confirm_form)
        return render_area(request, membership, AREA, unbound, **context)
    issued = secret_key_issue(project=membership.project, actor=Actor.from_request(request))
    context = _secret_key_context(request, pid, confirm_form=ConfirmWithCodeForm(), new_secret_key=issued.plaintext)
    return render_area(request, membership, AREA, unbound, **context)
