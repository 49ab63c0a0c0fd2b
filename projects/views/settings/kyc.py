"""KYC Process (spec §8.1, §8.3, §8.7, §8.13): how a submission is decided. The custom rules and
their back-test stay on the Policy page, which this page links to."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from projects.access import otp_required
from projects.views.settings.common import SettingsArea, area_page

AREA = SettingsArea(
    url_name="settings_kyc",
    title="KYC Process",
    template="dashboard/settings/kyc.html",
    keys=(
        "policy_pipeline",
        "policy_threshold",
        "policy_automated_processing_only",
        "policy_reviewer",
        "policy_age_limit",
        "policy_reject_expired_id",
        "policy_no_date_of_birth",
        "policy_proof_of_address",
        "policy_max_attempts",
        "policy_incomplete_timeout_hours",
    ),
)


@otp_required
def page(request: HttpRequest, pid: str) -> HttpResponse:
    return area_page(request, pid, AREA)
