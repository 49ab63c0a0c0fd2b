"""``GET /v3/submission``: what the person gave the Liveform besides the photos (spec §3.1
``review``, ``recognition_score``), kept sealed and removable by a partial delete."""

from __future__ import annotations

import pytest

from idcheck.errors import ApplicationError
from projects.actors import Actor
from submissions.models import Submission, SubmissionSource
from submissions.services import FieldsReview, SubmissionDetails, submission_create, submission_delete_partial
from tests.submissions.flow.helpers import DETAILS, nothing_written

URL = "/v3/submission"
READ = {**DETAILS, "given_names": "JANF"}


def _create(project, **extra) -> Submission:
    return submission_create(
        project=project, source=SubmissionSource.LIVEFORM, actor=Actor.system("test"),
        details=SubmissionDetails(email="person@example.com"), **extra,
    )  # fmt: skip


@pytest.fixture
def submission(project):
    review = FieldsReview(read=READ, confirmed=DETAILS, edited=("given_names",), recognition_score=71)
    return _create(project, review=review)


def test_the_confirmed_fields_and_the_score_are_shown_outside_data(api_client, submission):
    [item] = api_client.get(URL, {"submission_id": submission.id}).json()["Items"]
    assert item["review"] == DETAILS
    assert item["recognition_score"] == 71
    assert "data" not in item  # nothing of the review leaks into the identity data


def test_a_partial_delete_of_review_forgets_it(api_client, project, submission):
    submission_delete_partial(project=project, submission_id=submission.id, fields=["review"], data_fields=None,
                              actor=Actor.system("test"))  # fmt: skip
    [item] = api_client.get(URL, {"submission_id": submission.id}).json()["Items"]
    assert ("review" in item, "recognition_score" in item, item["email"]) == (False, False, "person@example.com")


def test_an_unknown_edited_field_is_refused_before_anything_is_written(project):
    review = FieldsReview(read=READ, confirmed=DETAILS, edited=("password",))
    with pytest.raises(ApplicationError) as refused:
        _create(project, review=review)
    assert refused.value.code == "invalid_parameter"
    assert nothing_written(project)


ANSWER = {"id": "occupation", "inputValue": "Your occupation", "answer": "Baker", "blockType": "text"}


def test_the_answers_are_shown_and_a_partial_delete_forgets_them(api_client, project):
    submission = _create(project, additional_list=[ANSWER])
    [item] = api_client.get(URL, {"submission_id": submission.id}).json()["Items"]
    assert item["additional_list"] == [ANSWER]
    submission_delete_partial(project=project, submission_id=submission.id, fields=["additional_list"],
                              data_fields=None, actor=Actor.system("test"))  # fmt: skip
    [item] = api_client.get(URL, {"submission_id": submission.id}).json()["Items"]
    assert "additional_list" not in item


@pytest.mark.parametrize(
    "answer", [{**ANSWER, "extra": "x"}, {k: v for k, v in ANSWER.items() if k != "id"}, {**ANSWER, "answer": 3}]
)
def test_a_malformed_answer_is_refused_before_anything_is_written(project, answer):
    with pytest.raises(ApplicationError) as refused:
        _create(project, additional_list=[answer])
    assert refused.value.code == "invalid_format"
    assert nothing_written(project)
