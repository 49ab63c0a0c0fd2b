"""Proof of address through the whole run: ``POST /v3/submission`` with a real passport specimen
(holder TOMAS HORVATH), its selfie and a generated bill, the ``address`` step, the policy's
``address_*`` codes and the ``address_*`` fields of ``GET /v3/submission``."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from policy.services import policy_settings_update
from projects.actors import Actor
from submissions.models import CheckResult, Submission, SubmissionStatus
from submissions.selectors import submission_view
from submissions.services import submission_create, submission_process
from submissions.specimens.bills import blank_page, render_bill
from tests.factories import ProjectFactory
from tests.submissions.api.helpers import PASSPORT_DATA, b64, passport_case, stored_files

URL = "/v3/submission"
ACTOR = Actor.system("test")
NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
LONDON = ["12 Baker Street", "London NW1 6XE", "United Kingdom"]
pytestmark = pytest.mark.usefixtures("_today")


@pytest.fixture
def _today():
    passport_case()  # made (and cached for the session) on the real day, as the other tests see it
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def requiring(project):
    policy_settings_update(project=project, changes={"policy_proof_of_address": True}, actor=ACTOR)
    return project


def _post(client, bill: bytes | None):
    case = passport_case()
    body = {"idImage": b64(case.front), "selfieImage": b64(case.selfie), "email": "p@example.com"}
    if bill is not None:
        body["addressImage"] = b64(bill)
    return client.post(URL, data=json.dumps(body), content_type="application/json")


def _run(client, bill: bytes | None) -> Submission:
    created = _post(client, bill)
    assert created.status_code == 200, created.content
    submission_process(submission_id=created.json()["submissionId"])
    return Submission.objects.get(pk=created.json()["submissionId"])


def _bill(name: str = "Tomas Horvath", issued: dt.date = dt.date(2026, 10, 3)) -> bytes:
    return render_bill(name=name, address_lines=LONDON, issued=issued)


def _data(response) -> dict:
    [item] = response.json()["Items"]
    data = dict(item["data"])
    assert data.pop("idcard_expireDate").startswith("2028-10-")
    return data


def _address_step(submission: Submission) -> tuple[str, dict]:
    step = CheckResult.objects.get(submission=submission, step="address")
    return step.outcome, step.summary


def test_the_holders_recent_bill_fills_the_address_and_the_submission_is_approved(api_client, requiring):
    # when
    submission = _run(api_client, _bill())
    response = api_client.get(URL, {"submission_id": submission.id})

    # then
    assert (submission.status, submission.kyc_comment_code, submission.argos_score) == (
        SubmissionStatus.APPROVED,
        [],
        90,
    )
    outcome, summary = _address_step(submission)
    assert outcome == "accepted"
    assert {key: summary[key] for key in ("reject_code", "name_found", "address_found", "within_6_months")} == {
        "reject_code": None,
        "name_found": True,
        "address_found": True,
        "within_6_months": True,
    }
    assert _data(response) == {
        **PASSPORT_DATA,
        "address_street": "12 Baker Street",
        "address_city": "London",
        "address_zipcode": "NW1 6XE",
        "address_country": "GBR",
    }
    assert submission.images.filter(kind="address").count() == 1


def test_a_bill_older_than_six_months_is_rejected_as_expired(api_client, requiring):
    # when: issued 2026-05-24, six months before is 2026-05-25
    submission = _run(api_client, _bill(issued=dt.date(2026, 5, 24)))

    # then
    assert (submission.status, submission.kyc_comment_code, submission.kyc_comment) == (
        SubmissionStatus.REJECTED,
        ["address_info_expiredDocument"],
        ["Proof of address is expired. It must be issued within the last 6 months."],
    )
    assert _address_step(submission)[0] == "refused"
    trace = [step for step in submission_view(submission).decision["trace"] if step["kind"] == "reject"]
    assert trace == [
        {
            "kind": "reject",
            "name": "address_info_expiredDocument",
            "detail": "proof of address issued 2026-05-24, more than 6 months before 2026-11-25",
            "value": None,
            "weight": None,
            "contribution": None,
            "threshold": None,
        }
    ]


def test_someone_elses_bill_is_a_data_mismatch_and_shows_no_address(api_client, requiring):
    # when
    submission = _run(api_client, _bill(name="Peter John Wagner"))
    response = api_client.get(URL, {"submission_id": submission.id})

    # then
    assert (submission.status, submission.kyc_comment_code, submission.kyc_comment) == (
        SubmissionStatus.REJECTED,
        ["address_info_dataMismatch"],
        ["Entered information does not match the proof of address."],
    )
    outcome, summary = _address_step(submission)
    assert (outcome, summary["name_found"], summary["address_found"]) == ("refused", False, False)
    assert _data(response) == PASSPORT_DATA


def test_a_page_without_text_is_a_bad_image(api_client, requiring):
    # when
    submission = _run(api_client, blank_page())

    # then
    assert (submission.status, submission.kyc_comment_code, submission.kyc_comment) == (
        SubmissionStatus.REJECTED,
        ["address_image_badImage"],
        ["Unable to read the proof of address image. Please ensure the image is clear and resubmit."],
    )
    outcome, summary = _address_step(submission)
    assert outcome == "refused"
    assert {key: value for key, value in summary.items() if key != "timing_ms"} == {
        "reject_code": "address_image_badImage",
        "name_found": False,
        "address_found": False,
        "within_6_months": None,
        "lines_read": 0,
    }


INTAKE_REFUSALS = [
    (
        "not an image",
        True,
        b"%PDF-1.7 a scanned statement",
        {"errorCode": "unsupported_format", "message": "addressImage: Send a JPEG, PNG or WebP photo."},
    ),
    ("required, none sent", True, None, {"errorCode": "missing_data", "message": "Required input data is missing"}),
    (
        "sent, not required",
        False,
        render_bill(name="Tomas Horvath", address_lines=LONDON, issued=dt.date(2026, 10, 3)),
        {"errorCode": "invalid_parameter", "message": "invalid parameter: addressImage"},
    ),
]


@pytest.mark.parametrize(
    ("required", "bill", "error"), [case[1:] for case in INTAKE_REFUSALS], ids=[case[0] for case in INTAKE_REFUSALS]
)
def test_an_address_image_refused_at_intake_costs_nothing_and_stores_nothing(
    api_client, project, settings, required, bill, error
):
    # given
    policy_settings_update(project=project, changes={"policy_proof_of_address": required}, actor=ACTOR)

    # when
    response = _post(api_client, bill)

    # then
    assert (response.status_code, response.json()) == (400, error)
    project.refresh_from_db()
    assert project.credits == 100
    assert not Submission.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == []


def test_a_project_without_proof_of_address_runs_no_address_step(api_client, project):
    # when
    submission = _run(api_client, None)
    response = api_client.get(URL, {"submission_id": submission.id})

    # then
    assert (submission.status, submission.kyc_comment_code) == (SubmissionStatus.APPROVED, [])
    assert sorted(CheckResult.objects.filter(submission=submission).values_list("step", flat=True)) == [
        "age",
        "document_front",
        "face",
        "liveness",
    ]
    assert _data(response) == PASSPORT_DATA


def test_proof_of_address_required_after_the_submission_was_made_rejects_it_without_one(db):
    # given: submitted while the project did not require it; required by the time it runs
    project = ProjectFactory(credits=1)
    case = passport_case()
    submission = submission_create(
        project=project, source="api", actor=ACTOR, images={"id_front": case.front, "selfie": case.selfie}
    )
    policy_settings_update(project=project, changes={"policy_proof_of_address": True}, actor=ACTOR)

    # when
    submission_process(submission_id=submission.id)

    # then
    submission.refresh_from_db()
    assert (submission.status, submission.kyc_comment_code) == (
        SubmissionStatus.REJECTED,
        ["address_image_invalidImage"],
    )
    assert _address_step(submission) == ("missing", {"reason": "no proof of address image"})
