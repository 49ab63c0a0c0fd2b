"""Dashboard URLs (namespace ``dashboard``). Every page but sign-in needs an OTP session."""

from __future__ import annotations

from django.urls import include, path

from projects.views import admins, auth, event_log, home, project_pages, staff
from projects.views.settings import (
    additional_info,
    anti_fraud,
    authentication,
    blacklist,
    integration,
    kyc,
    liveform,
    security,
    system,
)

app_name = "dashboard"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.sign_in, name="login"),
    path("otp/", auth.otp_verify, name="otp"),
    path("otp/setup/", auth.otp_setup, name="otp_setup"),
    path("logout/", auth.sign_out, name="logout"),
    path("invitations/<str:token>/", auth.invitation_accept_page, name="invitation_accept"),
    path("staff/projects/", staff.staff_projects, name="staff_projects"),
    path("staff/projects/new/", staff.project_new, name="project_new"),
    path("staff/projects/<str:pid>/credits/", staff.staff_credits_top_up, name="staff_credits_top_up"),
    path("p/<str:pid>/", project_pages.project_overview, name="project_overview"),
    path("p/<str:pid>/events/", event_log.event_log, name="event_log"),
    path("p/<str:pid>/credits/", project_pages.credits_page, name="credits"),
    path("p/<str:pid>/admins/", admins.admin_settings, name="admin_settings"),
    path("p/<str:pid>/admins/remove/", admins.member_remove, name="member_remove"),
    path("p/<str:pid>/admins/role/", admins.member_role, name="member_role"),
    path("p/<str:pid>/admins/invitations/withdraw/", admins.invitation_cancel, name="invitation_cancel"),
    path("p/<str:pid>/integration/", integration.integration_info, name="integration_info"),
    path("p/<str:pid>/integration/rotate-key/", integration.api_key_rotate, name="api_key_rotate"),
    path("p/<str:pid>/settings/", system.page, name="project_settings"),
    path("p/<str:pid>/settings/kyc/", kyc.page, name="settings_kyc"),
    path("p/<str:pid>/settings/blacklist/", blacklist.page, name="settings_blacklist"),
    path("p/<str:pid>/settings/anti-fraud/", anti_fraud.page, name="settings_anti_fraud"),
    path("p/<str:pid>/settings/authentication/", authentication.page, name="settings_authentication"),
    path("p/<str:pid>/settings/additional-info/", additional_info.page, name="settings_additional_info"),
    path("p/<str:pid>/settings/security/", security.page, name="settings_security"),
    path("p/<str:pid>/settings/security/secret-key/", security.secret_key_issue_page, name="secret_key_issue"),
    path("p/<str:pid>/settings/liveform/", liveform.page, name="settings_liveform"),
    path("p/<str:pid>/settings/policy/", include("policy.urls")),
    path("p/<str:pid>/webhooks/", include("webhooks.urls")),
    path("p/<str:pid>/submissions/", include("submissions.dashboard_urls")),
    path("p/<str:pid>/preverification/", include("submissions.preverification.urls")),
]
