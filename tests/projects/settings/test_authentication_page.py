"""Settings › Authentication Data: Custom DI fields, duplicate-user prevention, re-submission periods."""

from __future__ import annotations

from projects.views.settings.authentication import AREA
from tests.projects.settings.helpers import SettingsPage, settings_events

PAGE = SettingsPage("settings/authentication/", tuple(list(AREA.keys)))


def test_it_shows_the_current_values(project, dashboard_client):
    page = dashboard_client.get(PAGE.url(project)).content.decode()

    assert "<h1>Authentication Data</h1>" in page
    assert 'id="id_custom_di_fields">\n</textarea>' in page
    assert 'name="policy_approve_period_days" value="0"' in page
    assert "Duplicate user prevention" in page


def test_it_saves_custom_di_and_periods_and_logs_them(project, dashboard_client):
    # when
    data = PAGE.form(project, custom_di_fields="email, documentNumber", policy_reject_duplicate_user="true",
                     policy_reject_period_days="30")  # fmt: skip
    dashboard_client.post(PAGE.url(project), data)
    # then
    saved = PAGE.values(project)
    assert saved["custom_di_fields"] == ["documentNumber", "email"]
    assert (saved["policy_reject_duplicate_user"], saved["policy_reject_period_days"]) == (True, 30)
    assert settings_events(project) == [
        {
            "changed": ["custom_di_fields", "policy_reject_duplicate_user", "policy_reject_period_days"],
            "before": {"custom_di_fields": [], "policy_reject_duplicate_user": False, "policy_reject_period_days": 0},
            "after": {"custom_di_fields": ["documentNumber", "email"], "policy_reject_duplicate_user": True,
                      "policy_reject_period_days": 30},
        }
    ]  # fmt: skip


def test_an_unknown_custom_di_field_is_refused(project, dashboard_client):
    # when
    data = PAGE.form(project, custom_di_fields="email, shoe_size", policy_reject_duplicate_user="true")
    response = dashboard_client.post(PAGE.url(project), data)
    # then
    assert "Unknown fields: shoe_size." in response.content.decode()
    assert PAGE.values(project)["policy_reject_duplicate_user"] is False
    assert settings_events(project) == []


def test_a_viewer_cannot_change_them(project):
    PAGE.viewer_is_refused(project, PAGE.form(project, policy_reject_duplicate_user="true"))


def test_another_projects_owner_gets_404(project):
    PAGE.other_owner_gets_404(project, PAGE.form(project, policy_reject_duplicate_user="true"))
