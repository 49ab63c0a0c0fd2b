"""The additional-info questions: asked after the document is confirmed and before the selfie,
answers sealed with the submission and shown as the spec's ``additional_list``."""

from __future__ import annotations

import pytest

from projects.actors import Actor
from projects.services import project_settings_update
from submissions import vault
from submissions.flow.state import SESSION_KEY
from submissions.models import Submission
from tests.submissions.flow.helpers import confirm_details, flow_client, nothing_written, post, walk_to_capture
from tests.submissions.flow.test_capture import _upload

QUESTIONS = [
    {"id": "occupation", "label": "Your occupation", "type": "text", "required": True},
    {"id": "funds", "label": "Source of funds", "type": "choice", "options": ["Salary", "Savings"]},
    {"id": "pep", "label": "I am not a politically exposed person", "type": "checkbox", "required": True},
]
ANSWERS = {"q_occupation": "Baker", "q_funds": "Savings", "q_pep": "on"}
EXPECTED = [
    {"id": "occupation", "inputValue": "Your occupation", "answer": "Baker", "blockType": "text"},
    {"id": "funds", "inputValue": "Source of funds", "answer": "Savings", "blockType": "choice"},
    {"id": "pep", "inputValue": "I am not a politically exposed person", "answer": "true", "blockType": "checkbox"},
]


def _configure(project, questions) -> None:
    changes = {"liveform_additional_questions": questions}
    project_settings_update(project=project, changes=changes, actor=Actor.system("test"))


@pytest.fixture
def client(project):
    _configure(project, QUESTIONS)
    client = flow_client()
    walk_to_capture(client, project.pid)
    _upload(client, "front")
    return client


def test_the_questions_come_after_the_details_and_before_the_selfie(client):
    assert confirm_details(client)["Location"] == "/form/questions"
    page = client.get("/form/questions").content.decode()
    assert client.get("/form/selfie")["Location"] == "/form/questions"
    assert "Your occupation" in page
    assert 'type="radio" name="q_funds" value="Savings"' in page
    assert 'type="checkbox" name="q_pep"' in page


def test_the_answers_are_sealed_with_the_submission_and_shown_by_the_api(client, project, api_client):
    confirm_details(client)
    # when
    response = post(client, "/form/questions", ANSWERS)
    _upload(client, "selfie")
    # then
    assert response["Location"] == "/form/selfie"
    submission = Submission.objects.get(project=project)
    assert b"Baker" not in bytes(submission.sealed_metadata)
    metadata = vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT)
    assert metadata["additional_list"] == EXPECTED
    [item] = api_client.get("/v3/submission", {"submission_id": submission.id}).json()["Items"]
    assert item["additional_list"] == EXPECTED


def test_optional_questions_may_be_left_empty(client, project):
    confirm_details(client)
    post(client, "/form/questions", {"q_occupation": "Baker", "q_pep": "on"})
    assert client.session[SESSION_KEY]["answers"][1] == {
        "id": "funds", "inputValue": "Source of funds", "answer": "", "blockType": "choice",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        ({**ANSWERS, "q_occupation": ""}, "This field is required."),
        ({**ANSWERS, "q_pep": ""}, "Please tick this box to continue."),
        ({**ANSWERS, "q_funds": "Lottery"}, "Select a valid choice. Lottery is not one of the available choices."),
        ({**ANSWERS, "q_occupation": "x" * 501}, "Ensure this value has at most 500 characters"),
    ],
)
def test_invalid_answers_are_refused_and_change_nothing(client, project, answers, error):
    confirm_details(client)
    response = post(client, "/form/questions", answers)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert client.session[SESSION_KEY]["answers"] is None
    assert client.get("/form/selfie")["Location"] == "/form/questions"
    assert nothing_written(project)


def test_the_questions_asked_are_those_of_when_the_document_was_confirmed(client, project):
    confirm_details(client)
    _configure(project, [])  # the project drops its questions meanwhile
    assert client.get("/form/selfie")["Location"] == "/form/questions"
    assert "Your occupation" in client.get("/form/questions").content.decode()


def test_a_project_without_questions_goes_from_the_details_to_the_selfie(project):
    client = flow_client()
    walk_to_capture(client, project.pid)
    _upload(client, "front")
    assert confirm_details(client)["Location"] == "/form/selfie"
