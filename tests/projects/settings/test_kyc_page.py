"""Settings › KYC Process: threshold, automated processing, reviewer, age limit, document checks."""

from __future__ import annotations

from projects.views.settings.kyc import AREA
from tests.projects.settings.helpers import SettingsPage, page_url, settings_events

PAGE = SettingsPage("settings/kyc/", tuple(list(AREA.keys)))


def test_it_shows_the_current_values(project, dashboard_client):
    # when
    page = dashboard_client.get(PAGE.url(project))
    # then
    text = page.content.decode()
    assert page.status_code == 200
    assert "<h1>KYC Process</h1>" in text
    assert 'name="policy_threshold" value="conservative"' in text
    assert 'name="policy_age_limit" value="13"' in text
    assert f'href="{page_url(project, "settings/policy/")}"' in text


def test_it_saves_and_logs_the_values_before_and_after(project, dashboard_client):
    # when
    response = dashboard_client.post(
        PAGE.url(project), PAGE.form(project, policy_threshold="65", policy_age_limit="18"), follow=True
    )
    # then
    assert "Saved." in response.content.decode()
    assert (PAGE.values(project)["policy_threshold"], PAGE.values(project)["policy_age_limit"]) == (65, 18)
    assert settings_events(project) == [
        {
            "changed": ["policy_threshold", "policy_age_limit"],
            "before": {"policy_threshold": "conservative", "policy_age_limit": 13},
            "after": {"policy_threshold": 65, "policy_age_limit": 18},
        }
    ]


def test_saving_the_same_values_says_nothing_changed(project, dashboard_client):
    response = dashboard_client.post(PAGE.url(project), PAGE.form(project), follow=True)

    assert "Nothing changed." in response.content.decode()
    assert settings_events(project) == []


def test_an_invalid_value_is_shown_on_its_field_and_nothing_changes(project, dashboard_client):
    # given
    before = PAGE.values(project)
    # when: a valid change beside an invalid one
    response = dashboard_client.post(
        PAGE.url(project), PAGE.form(project, policy_threshold="55", policy_age_limit="200")
    )
    # then
    assert response.status_code == 200
    assert "age_limit: must be 1 to 120, or null (off)." in response.content.decode()
    assert PAGE.values(project) == before
    assert settings_events(project) == []


def test_a_viewer_sees_the_values_but_cannot_change_them(project):
    PAGE.viewer_is_refused(project, PAGE.form(project, policy_threshold="open"))


def test_another_projects_owner_gets_404(project):
    PAGE.other_owner_gets_404(project, PAGE.form(project, policy_threshold="open"))


def test_the_pipeline_is_chosen_here_and_logged(project, dashboard_client):
    # given: today's pipeline by default
    page = dashboard_client.get(PAGE.url(project)).content.decode()
    assert '<option value="id_document" selected>ID document</option>' in page
    assert '<option value="knowledge_based">Knowledge-Based</option>' in page

    # when
    response = dashboard_client.post(PAGE.url(project), PAGE.form(project, policy_pipeline="knowledge_based"),
                                     follow=True)  # fmt: skip

    # then
    assert "Saved." in response.content.decode()
    assert PAGE.values(project)["policy_pipeline"] == "knowledge_based"
    assert settings_events(project) == [
        {"changed": ["policy_pipeline"], "before": {"policy_pipeline": "id_document"},
         "after": {"policy_pipeline": "knowledge_based"}}
    ]  # fmt: skip


def test_an_unknown_pipeline_is_refused_and_nothing_changes(project, dashboard_client):
    response = dashboard_client.post(PAGE.url(project), PAGE.form(project, policy_pipeline="passport_only"))

    assert response.status_code == 200
    assert PAGE.values(project)["policy_pipeline"] == "id_document"
    assert settings_events(project) == []
