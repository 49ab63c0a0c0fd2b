"""Settings › Blacklist Countries (spec §8.8)."""

from __future__ import annotations

from projects.views.settings.blacklist import AREA
from tests.projects.settings.helpers import SettingsPage, settings_events

PAGE = SettingsPage("settings/blacklist/", tuple(list(AREA.keys)))


def test_it_shows_the_current_list(project, dashboard_client):
    # given
    dashboard_client.post(PAGE.url(project), {"policy_blacklist_countries": "PRK, IRN"})
    # when
    page = dashboard_client.get(PAGE.url(project))
    # then
    assert page.status_code == 200
    assert 'id="id_policy_blacklist_countries">\nPRK, IRN</textarea>' in page.content.decode()


def test_it_saves_the_countries_in_capitals_and_logs_them(project, dashboard_client):
    # when
    response = dashboard_client.post(PAGE.url(project), {"policy_blacklist_countries": "prk\nirn"}, follow=True)
    # then
    assert "Saved." in response.content.decode()
    assert PAGE.values(project) == {"policy_blacklist_countries": ["PRK", "IRN"]}
    assert settings_events(project) == [
        {
            "changed": ["policy_blacklist_countries"],
            "before": {"policy_blacklist_countries": []},
            "after": {"policy_blacklist_countries": ["PRK", "IRN"]},
        }
    ]


def test_a_code_that_is_not_alpha_3_is_refused(project, dashboard_client):
    # when
    response = dashboard_client.post(PAGE.url(project), {"policy_blacklist_countries": "PRK, KP"})
    # then
    assert response.status_code == 200
    assert "blacklist_countries[1]: &#x27;KP&#x27; is not alpha-3." in response.content.decode()
    assert PAGE.values(project) == {"policy_blacklist_countries": []}
    assert settings_events(project) == []


def test_a_viewer_cannot_change_the_list(project):
    PAGE.viewer_is_refused(project, {"policy_blacklist_countries": "PRK"})


def test_another_projects_owner_gets_404(project):
    PAGE.other_owner_gets_404(project, PAGE.form(project, policy_blacklist_countries="PRK"))
