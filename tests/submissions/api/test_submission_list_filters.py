"""``GET /v3/submission`` by ``userid`` / ``email`` (blind indexes) and its ``request_type``
slices (spec §2.1, §3.1): exact bodies, paging and dates combined, other projects never seen."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from projects.actors import Actor
from submissions.api.serializers import KYC_FIELDS, PERSONAL_FIELDS
from submissions.services import SubmissionDetails, submission_create
from tests.factories import ProjectFactory
from tests.submissions.api.helpers import PASSPORT_DATA
from tests.submissions.dashboard.helpers import pending_policy, pending_submission

URL = "/v3/submission"
INVALID_QUERY = {"message": "Invalid Query String parameters"}
ACTOR = Actor.system("test")


def _create(project, day: int, *, email: str = "", userid: str = "") -> str:
    with time_machine.travel(dt.datetime(2024, 1, day, 12, tzinfo=dt.UTC), tick=False):
        submission = submission_create(
            project=project, source="api", actor=ACTOR, details=SubmissionDetails(email=email, userid=userid)
        )
    return submission.pk


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["submission_id"] for item in response.json()["Items"]]


@pytest.fixture
def people(project):
    """Jane's three submissions (1, 3, 5 January), John's one (2 January), one with neither (4
    January), and Jane's e-mail and userid used in another project."""
    other = ProjectFactory()
    _create(other, 6, email="jane@example.com", userid="user-jane")
    return {
        "jane": [_create(project, day, email="Jane@Example.com", userid="user-jane") for day in (5, 3, 1)],
        "john": _create(project, 2, email="john@example.com", userid="user-john"),
        "nobody": _create(project, 4),
    }


def test_it_finds_a_persons_submissions_by_email_in_any_letter_case(api_client, people):
    assert _ids(api_client.get(URL, {"email": " JANE@example.COM "})) == people["jane"]
    assert _ids(api_client.get(URL, {"email": "john@example.com"})) == [people["john"]]


def test_it_finds_a_persons_submissions_by_exact_userid(api_client, people):
    assert _ids(api_client.get(URL, {"userid": "user-jane"})) == people["jane"]
    assert _ids(api_client.get(URL, {"userid": "USER-JANE"})) == []
    assert _ids(api_client.get(URL, {"userid": "user-j"})) == []


def test_email_and_userid_together_must_both_match(api_client, people):
    assert _ids(api_client.get(URL, {"email": "jane@example.com", "userid": "user-jane"})) == people["jane"]
    assert _ids(api_client.get(URL, {"email": "jane@example.com", "userid": "user-john"})) == []


def test_another_projects_submissions_with_the_same_email_are_never_listed(api_client, project, people):
    # when
    response = api_client.get(URL, {"email": "jane@example.com", "count": "2000"})

    # then: three of this project, not the fourth of the other one
    assert _ids(response) == people["jane"]


def test_an_email_nobody_used_lists_nothing(api_client, people):
    assert api_client.get(URL, {"email": "nobody@example.com"}).json() == {"Items": []}


def test_the_email_filter_pages_with_the_keyset_cursor(api_client, people):
    # given
    first = api_client.get(URL, {"email": "jane@example.com", "count": "2"}).json()
    key = first["nextpageKey"]

    # when
    second = api_client.get(URL, {"email": "jane@example.com", "count": "2", "nextpage_id": key["id"],
                                  "nextpage_date": key["created_at"]}).json()  # fmt: skip

    # then
    assert key == {"id": people["jane"][1], "created_at": "2024-01-03-12-00-00-000"}
    assert [item["submission_id"] for item in first["Items"]] == people["jane"][:2]
    assert [item["submission_id"] for item in second["Items"]] == people["jane"][2:]
    assert "nextpageKey" not in second


def test_the_userid_filter_keeps_the_date_window(api_client, people):
    response = api_client.get(URL, {"userid": "user-jane", "start_date": "2024-01-02", "end_date": "2024-01-04"})

    assert _ids(response) == [people["jane"][1]]


@pytest.mark.parametrize(
    "params",
    [
        {"email": ""},
        {"email": "   "},
        {"userid": ""},
        {"email": "x" * 255},
        {"userid": "u" * 256},
        {"request_type": "all"},
        {"request_type": "KYC"},
        {"request_type": ""},
        {"applicant_id": "abc"},
        {"user_id": "user-jane"},
    ],
)
def test_a_bad_filter_is_refused_with_the_gateway_message(api_client, people, params):
    # when
    response = api_client.get(URL, params)

    # then
    assert response.status_code == 400
    assert response.json() == INVALID_QUERY


def test_the_slices_of_a_submission_not_yet_run(api_client, project):
    # given
    sid = _create(project, 2, email="jane@example.com", userid="user-jane")
    full = api_client.get(URL, {"submission_id": sid}).json()["Items"][0]

    # when
    slices = {kind: api_client.get(URL, {"submission_id": sid, "request_type": kind}).json()
              for kind in ("kyc", "aml", "data", "others")}  # fmt: skip

    # then
    assert slices["kyc"] == {"Items": [{
        "submission_id": sid,
        "kyc": {"result": "incomplete", "comment": [], "commentCode": []},
        "idcheck": {"processing": {"state": "waiting", "attempts": 0}},
    }]}  # fmt: skip
    assert slices["aml"] == {"Items": [{
        "submission_id": sid, "aml": {"currentstatus": "Not Screened", "risk_level_summary": "Not Screened"}
    }]}  # fmt: skip
    assert slices["data"] == {"Items": [{"submission_id": sid, "email": "jane@example.com", "userid": "user-jane"}]}
    assert slices["others"] == {"Items": [{
        "submission_id": sid, "created_at": "2024-01-02-12-00-00-000", "updated_at": full["updated_at"]
    }]}  # fmt: skip


def test_the_slices_of_a_decided_submission_split_every_field_once(api_client, project):
    # given: a real run of the passport specimen, pending by the threshold
    pending_policy(project)
    submission = pending_submission(project, email="tomas@example.com")
    full = api_client.get(URL, {"submission_id": submission.pk}).json()["Items"][0]

    # when
    slices = {kind: api_client.get(URL, {"submission_id": submission.pk, "request_type": kind}).json()["Items"][0]
              for kind in ("kyc", "data", "others")}  # fmt: skip

    # then
    assert set(slices["kyc"]) == {"submission_id", "kyc", "argos_score", "reviewer", "pending_at", "idcheck"}
    assert set(slices["data"]) == {"submission_id", "email", "userid", "data"}
    assert set(slices["others"]) == {"submission_id", "created_at", "updated_at", "duplicated_information"}
    assert slices["kyc"] == {key: full[key] for key in slices["kyc"]}
    assert slices["others"] == {key: full[key] for key in slices["others"]}
    assert slices["data"]["email"] == "tomas@example.com"
    assert {k: v for k, v in slices["data"]["data"].items() if k != "idcard_expireDate"} == PASSPORT_DATA
    together = {**slices["kyc"], **slices["data"], **slices["others"]}
    assert together == full
    assert not set(KYC_FIELDS) & set(PERSONAL_FIELDS)


def test_a_slice_applies_to_every_item_of_a_filtered_page(api_client, people):
    # when
    body = api_client.get(URL, {"userid": "user-jane", "request_type": "data", "count": "2"}).json()

    # then
    assert body["Items"] == [
        {"submission_id": sid, "email": "Jane@Example.com", "userid": "user-jane"} for sid in people["jane"][:2]
    ]
    assert body["nextpageKey"]["id"] == people["jane"][1]
