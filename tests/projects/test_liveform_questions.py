"""The additional-info questions setting: validated on save, refused values change nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from projects.actors import Actor
from projects.liveform import liveform_settings_get
from projects.services import InvalidSettings, project_settings_update

ACTOR = Actor.system("test")
QUESTIONS = [
    {"id": "occupation", "label": " Your occupation ", "type": "text", "required": True},
    {"id": "funds", "label": "Source of funds", "type": "choice", "options": ["Salary ", "Savings"]},
    {"id": "pep", "label": "I am not a politically exposed person", "type": "checkbox", "required": True},
]


def test_questions_are_saved_normalised(project):
    project_settings_update(project=project, changes={"liveform_additional_questions": QUESTIONS}, actor=ACTOR)
    assert liveform_settings_get(project).additional_questions == [
        {"id": "occupation", "label": "Your occupation", "type": "text", "required": True},
        {"id": "funds", "label": "Source of funds", "type": "choice", "required": False,
         "options": ["Salary", "Savings"]},
        {"id": "pep", "label": "I am not a politically exposed person", "type": "checkbox", "required": True},
    ]  # fmt: skip


def _question(**changes):
    return {"id": "q1", "label": "Question", "type": "text", **changes}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"id": "q1"}, "Expected a JSON list of questions."),
        ([_question()] * 21, "At most 20 questions."),
        (["text"], "Question 1: expected an object."),
        ([_question(hint="x")], "Question 1: unknown keys hint."),
        ([_question(id="two words")], "Question 1: id must be 1–40 letters, digits, '_' or '-'."),
        ([_question(label="  ")], "Question 1: label must have 1–200 characters."),
        ([_question(type="date")], "Question 1: type must be one of text, choice, checkbox."),
        ([_question(required="yes")], "Question 1: required must be true or false."),
        ([_question(options=["a", "b"])], "Question 1: only a choice has options."),
        ([_question(type="choice", options=["a"])], "Question 1: a choice needs 2–20 options."),
        ([_question(type="choice", options=["a", ""])], "Question 1: each option must have 1–100 characters."),
        ([_question(type="choice", options=["a", "a "])], "Question 1: options must be distinct."),
        ([_question(), _question()], "Question ids must be unique: q1."),
    ],
)
def test_invalid_questions_are_refused_and_change_nothing(project, value, message):
    project_settings_update(project=project, changes={"liveform_additional_questions": QUESTIONS[:1]}, actor=ACTOR)
    with pytest.raises(InvalidSettings) as refused:
        project_settings_update(project=project, changes={"liveform_additional_questions": value}, actor=ACTOR)
    assert refused.value.errors == {"liveform_additional_questions": message}
    assert [q["id"] for q in liveform_settings_get(project).additional_questions] == ["occupation"]


def test_configure_project_takes_json_and_refuses_what_is_not(project):
    call_command("configure_project", project.pid, "liveform_additional_questions=" + json.dumps(QUESTIONS[2:]),
                 stderr=io.StringIO())  # fmt: skip
    with pytest.raises(CommandError, match="Not valid JSON"):
        call_command("configure_project", project.pid, "liveform_additional_questions=[{", stderr=io.StringIO())
    assert [q["id"] for q in liveform_settings_get(project).additional_questions] == ["pep"]
