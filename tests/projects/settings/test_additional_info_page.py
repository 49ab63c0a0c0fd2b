"""Settings › Additional Info: the Liveform's own questions as JSON (spec §6.3 additional_list)."""

from __future__ import annotations

import json

from projects.views.settings.additional_info import AREA
from tests.projects.settings.helpers import SettingsPage, settings_events

PAGE = SettingsPage("settings/additional-info/", tuple(list(AREA.keys)))
QUESTION = {"id": "occupation", "label": "Your occupation", "type": "text", "required": True}


def _posted(questions: object) -> dict[str, str]:
    return {"liveform_additional_questions": json.dumps(questions)}


def test_it_shows_the_questions_indented_and_an_example(project, dashboard_client):
    # given
    dashboard_client.post(PAGE.url(project), _posted([QUESTION]))
    # when
    page = dashboard_client.get(PAGE.url(project)).content.decode()
    # then
    assert "<h1>Additional Info</h1>" in page
    assert "[\n  {\n    &quot;id&quot;: &quot;occupation&quot;," in page
    assert "&quot;type&quot;: &quot;checkbox&quot;" in page  # the example


def test_it_saves_the_questions_and_logs_them(project, dashboard_client):
    # when
    response = dashboard_client.post(PAGE.url(project), _posted([QUESTION]), follow=True)
    # then
    assert "Saved." in response.content.decode()
    assert PAGE.values(project) == {"liveform_additional_questions": [QUESTION]}
    assert settings_events(project) == [
        {
            "changed": ["liveform_additional_questions"],
            "before": {"liveform_additional_questions": []},
            "after": {"liveform_additional_questions": [QUESTION]},
        }
    ]


def test_a_bad_question_is_refused_with_a_clear_message(project, dashboard_client):
    # when: a choice without options, then text that is not JSON
    responses = [
        dashboard_client.post(PAGE.url(project), _posted([{"id": "funds", "label": "Funds", "type": "choice"}])),
        dashboard_client.post(PAGE.url(project), {"liveform_additional_questions": "[{"}),
    ]
    # then
    texts = [response.content.decode() for response in responses]
    assert "Question 1: a choice needs 2–20 options." in texts[0]
    assert "Not valid JSON: Expecting property name enclosed in double quotes (character 2)." in texts[1]
    assert PAGE.values(project) == {"liveform_additional_questions": []}
    assert settings_events(project) == []


def test_a_viewer_cannot_change_the_questions(project):
    PAGE.viewer_is_refused(project, _posted([QUESTION]))


def test_another_projects_owner_gets_404(project):
    PAGE.other_owner_gets_404(project, _posted([QUESTION]))
