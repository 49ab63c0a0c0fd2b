"""Settings › Security: IP allow-lists, Secure Data Transfer, and the private-mode settings once
the token API registers them."""

from __future__ import annotations

from projects import settings_registry
from projects.actors import Actor
from projects.settings_registry import ProjectSetting, parse_bool
from projects.views.settings.security import AREA
from tests.projects.settings.helpers import SettingsPage, settings_events
from webhooks.models import WebhookEndpoint

PAGE = SettingsPage("settings/security/", tuple(AREA.present_keys()))
ACTOR = Actor.system("test")


def test_it_shows_the_allow_lists_and_secure_transfer(project, dashboard_client):
    page = dashboard_client.get(PAGE.url(project)).content.decode()

    assert "<h1>Security</h1>" in page
    for label in ["API IP allow-list", "Dashboard IP allow-list", "Secure Data Transfer (API bodies and webhooks)",
                  "Secure Data Transfer cipher", "Encryption key", "Issue secretKey"]:  # fmt: skip
        assert label in page


def test_a_private_mode_setting_shows_once_it_is_registered(project, dashboard_client, monkeypatch):
    # given: the token API's setting, registered by its app
    setting = ProjectSetting("liveform_private_mode", "Private mode", "Only registered tokens open the Liveform.",
                             parse_bool, bool, lambda project: False, lambda project, value: None)  # fmt: skip
    monkeypatch.setitem(settings_registry._REGISTRY, "liveform_private_mode", setting)
    # when
    page = dashboard_client.get(PAGE.url(project)).content.decode()
    # then
    assert 'name="liveform_private_mode"' in page
    assert "Only registered tokens open the Liveform." in page


def test_it_saves_an_allow_list_and_secure_transfer_without_a_webhook_url_and_logs_them(project, dashboard_client):
    # given: no webhook endpoint at all
    assert not WebhookEndpoint.objects.filter(project=project).exists()
    # when
    data = PAGE.form(project, api_ip_allowlist="10.0.0.0/8", secure_transfer="true", secure_transfer_cipher="cbc")
    dashboard_client.post(PAGE.url(project), data)
    # then
    assert PAGE.values(project)["api_ip_allowlist"] == ["10.0.0.0/8"]
    project.refresh_from_db()
    assert (project.secure_transfer, project.secure_transfer_cipher, project.encryption_key) == (True, "cbc", "api_key")
    assert settings_events(project) == [
        {
            "changed": ["api_ip_allowlist", "secure_transfer", "secure_transfer_cipher"],
            "before": {"api_ip_allowlist": [], "secure_transfer": False, "secure_transfer_cipher": "gcm"},
            "after": {"api_ip_allowlist": ["10.0.0.0/8"], "secure_transfer": True, "secure_transfer_cipher": "cbc"},
        }
    ]
    assert not WebhookEndpoint.objects.filter(project=project).exists()


def test_an_allow_list_that_locks_the_owner_out_is_refused(project, dashboard_client):
    # given
    before = PAGE.values(project)
    # when: the list excludes 127.0.0.1, the test client's address
    response = dashboard_client.post(PAGE.url(project), PAGE.form(project, dashboard_ip_allowlist="192.0.2.0/24"))
    # then
    assert "Your address 127.0.0.1 is not in this list: you would lock yourself out." in response.content.decode()
    assert PAGE.values(project) == before
    assert settings_events(project) == []


def test_the_secret_key_as_encryption_key_without_a_secret_key_is_refused(project, dashboard_client):
    # given
    before = PAGE.values(project)
    # when
    data = PAGE.form(project, api_ip_allowlist="10.0.0.0/8", secure_transfer="true", encryption_key="secret_key")
    response = dashboard_client.post(PAGE.url(project), data)
    # then: on its field, and the valid values beside it are not saved either
    assert '<p class="error">Issue a secretKey first (Security page).</p>' in response.content.decode()
    assert PAGE.values(project) == before
    assert settings_events(project) == []


def test_a_viewer_cannot_change_the_allow_lists(project):
    PAGE.viewer_is_refused(project, PAGE.form(project, api_ip_allowlist="10.0.0.0/8"))


def test_another_projects_owner_gets_404(project):
    PAGE.other_owner_gets_404(project, PAGE.form(project, api_ip_allowlist="10.0.0.0/8"))
