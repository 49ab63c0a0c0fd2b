"""Settings › Anti-fraud: face duplication, Proxy & VPN detection and levels, device verification."""

from __future__ import annotations

from projects.views.settings.anti_fraud import AREA
from tests.projects.settings.helpers import SettingsPage, settings_events

PAGE = SettingsPage("settings/anti-fraud/", tuple(list(AREA.keys)))


def test_it_shows_every_setting_with_its_current_value(project, dashboard_client):
    page = dashboard_client.get(PAGE.url(project)).content.decode()

    for label in ["Face duplication check", "Proxy &amp; VPN detection", "VPN connections", "Device verification",
                  "Approvals allowed per device", "Over the device limit"]:  # fmt: skip
        assert label in page
    assert '<option value="medium" selected>Medium</option>' in page
    assert 'name="policy_device_duplicate_period_days" value="30"' in page


def test_it_saves_detection_and_levels_and_logs_them(project, dashboard_client):
    # when
    data = PAGE.form(project, policy_network_detection="true", policy_network_level_vpn="high",
                     policy_device_duplicate_period_days="all")  # fmt: skip
    dashboard_client.post(PAGE.url(project), data)
    # then
    saved = PAGE.values(project)
    assert (saved["policy_network_detection"], saved["policy_network_level_vpn"]) == (True, "high")
    assert saved["policy_device_duplicate_period_days"] is None
    assert settings_events(project) == [
        {
            "changed": ["policy_network_detection", "policy_network_level_vpn", "policy_device_duplicate_period_days"],
            "before": {"policy_network_detection": False, "policy_network_level_vpn": "medium",
                       "policy_device_duplicate_period_days": 30},
            "after": {"policy_network_detection": True, "policy_network_level_vpn": "high",
                      "policy_device_duplicate_period_days": None},
        }
    ]  # fmt: skip


def test_a_device_limit_out_of_range_is_refused(project, dashboard_client):
    # given
    before = PAGE.values(project)
    # when
    data = PAGE.form(project, policy_network_detection="true", policy_device_duplicate_limit="0")
    response = dashboard_client.post(PAGE.url(project), data)
    # then
    assert "device_duplicate_limit: must be 1 to 1000." in response.content.decode()
    assert PAGE.values(project) == before
    assert settings_events(project) == []


def test_a_viewer_cannot_turn_detection_on(project):
    PAGE.viewer_is_refused(project, PAGE.form(project, policy_network_detection="true"))


def test_another_projects_owner_gets_404(project):
    PAGE.other_owner_gets_404(project, PAGE.form(project, policy_network_detection="true"))
