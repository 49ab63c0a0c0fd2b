"""``GET /v3/submission/applicant?applicant_id=…`` (spec §2.2): a bare array of the project's
submissions sharing the applicant id, exact entries, refusals, other projects never seen."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from projects.actors import Actor
from submissions.models import Submission
from submissions.services import SubmissionDetails, submission_create, submission_delete
from tests.factories import ProjectFactory

URL = "/v3/submission/applicant"
INVALID_QUERY = {"message": "Invalid Query String parameters"}
ACTOR = Actor.system("test")
APPLICANT = "k3v9q2m8x1c7b5n4z6a0"
DI = "d" * 64


def _create(project, day: int, *, email: str = "", applicant_id: str = APPLICANT, di: str = DI) -> str:
    with time_machine.travel(dt.datetime(2024, 1, day, 12, tzinfo=dt.UTC), tick=False):
        submission = submission_create(project=project, source="api", actor=ACTOR,
                                       details=SubmissionDetails(email=email))  # fmt: skip
    Submission.objects.filter(pk=submission.pk).update(applicant_id=applicant_id, duplicated_information=di)
    return submission.pk


def test_it_lists_the_applicants_submissions_oldest_first(api_client, project):
    # given: two of the applicant's submissions, one of another person, one in another project
    later = _create(project, 3, email="jane@example.com")
    earlier = _create(project, 1, email="jane.doe@example.com")
    _create(project, 2, email="john@example.com", applicant_id="someoneelse000000000")
    _create(ProjectFactory(), 4, email="jane@example.com")

    # when
    response = api_client.get(URL, {"applicant_id": APPLICANT})

    # then
    assert response.status_code == 200
    assert response.json() == [
        {"submission_id": earlier, "duplicated_information": DI, "email": "jane.doe@example.com"},
        {"submission_id": later, "duplicated_information": DI, "email": "jane@example.com"},
    ]


def test_keys_without_a_value_are_left_out(api_client, project):
    # given: no e-mail and no DI
    sid = _create(project, 1, di="")

    # when
    response = api_client.get(URL, {"applicant_id": APPLICANT})

    # then
    assert response.json() == [{"submission_id": sid}]


def test_a_deleted_submission_keeps_its_place_without_its_email(api_client, project):
    # given: deleting forgets the applicant id too, so only the other one is left
    kept = _create(project, 1, email="jane@example.com")
    deleted = _create(project, 2, email="jane@example.com")
    submission_delete(project=project, submission_id=deleted, actor=ACTOR)

    # when
    response = api_client.get(URL, {"applicant_id": APPLICANT})

    # then
    assert response.json() == [{"submission_id": kept, "duplicated_information": DI, "email": "jane@example.com"}]


def test_an_unknown_applicant_is_an_empty_array(api_client, project):
    _create(project, 1, email="jane@example.com")

    response = api_client.get(URL, {"applicant_id": "nosuchapplicant"})

    assert response.status_code == 200
    assert response.json() == []


def test_another_projects_applicant_is_unknown_here(api_client):
    # given
    _create(ProjectFactory(), 1, email="jane@example.com")

    # when
    response = api_client.get(URL, {"applicant_id": APPLICANT})

    # then
    assert response.json() == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "applicant_id=",
        "applicant_id=%20%20",
        f"applicant_id={APPLICANT}&applicant_id=other",
        f"applicant_id={APPLICANT}&count=5",
        f"applicantId={APPLICANT}",
        "applicant_id=" + "a" * 65,
    ],
)
def test_a_bad_query_string_is_refused(api_client, project, query):
    # given
    _create(project, 1, email="jane@example.com")

    # when
    response = api_client.get(f"{URL}?{query}")

    # then
    assert response.status_code == 400
    assert response.json() == INVALID_QUERY


def test_it_needs_the_projects_key(client, project):
    # given
    _create(project, 1, email="jane@example.com")

    # when
    response = client.get(URL, {"applicant_id": APPLICANT}, HTTP_HOST="testserver", HTTP_X_API_KEY="wrong")

    # then
    assert response.status_code == 403
    assert response.json() == {"message": "Forbidden"}
