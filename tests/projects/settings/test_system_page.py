"""Settings › System Operation: name, status, Emergency Stop, rate limits, and a link to Admins."""

from __future__ import annotations

from projects.views.settings.system import AREA
from tests.projects.settings.helpers import SettingsPage, page_url, settings_events

PAGE = SettingsPage("settings/", tuple(list(AREA.keys)))


def test_it_shows_the_current_values_and_links_to_admins(project, dashboard_client):
    page = dashboard_client.get(PAGE.url(project)).content.decode()

    assert "<h1>System Operation</h1>" in page
    assert f'name="name" value="{project.name}"' in page
    assert '<option value="false" selected>Normal operation</option>' in page
    assert f'href="{page_url(project, "admins/")}"' in page


def test_an_emergency_stop_is_saved_and_logged(project, dashboard_client):
    # when
    response = dashboard_client.post(PAGE.url(project), PAGE.form(project, emergency_stop="true"), follow=True)
    # then
    assert "Saved." in response.content.decode()
    assert PAGE.values(project)["emergency_stop"] is True
    assert settings_events(project) == [
        {"changed": ["emergency_stop"], "before": {"emergency_stop": False}, "after": {"emergency_stop": True}}
    ]


def test_an_empty_name_is_refused(project, dashboard_client):
    # given
    before = PAGE.values(project)
    # when
    response = dashboard_client.post(PAGE.url(project), PAGE.form(project, name=" ", emergency_stop="true"))
    # then
    assert "The project name must have 1 to 120 characters." in response.content.decode()
    assert PAGE.values(project) == before
    assert settings_events(project) == []


def test_a_viewer_cannot_stop_the_project(project):
    PAGE.viewer_is_refused(project, PAGE.form(project, emergency_stop="true"))


def test_another_projects_owner_gets_404(project):
    PAGE.other_owner_gets_404(project, PAGE.form(project, emergency_stop="true"))
