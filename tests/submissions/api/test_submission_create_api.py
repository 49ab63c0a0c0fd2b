"""``POST /v3/submission`` (multipart or JSON base64) and the decided submission through ``GET``."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from projects.models import Project
from submissions.models import Submission, SubmissionImage
from submissions.services import submission_process
from tests.conftest import TEST_HOST
from tests.submissions.api.helpers import PASSPORT_DATA, b64, passport_case, photo

URL = "/v3/submission"


def _post_json(client: Client, body: dict, **headers):
    return client.post(URL, data=json.dumps(body), content_type="application/json", **headers)


def _file(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_a_multipart_upload_creates_a_submission(api_client, project):
    # when
    response = api_client.post(
        URL, {"idImage": _file(photo()), "selfieImage": _file(photo()), "email": "a@example.com", "cf1": "x"}
    )

    # then
    assert response.status_code == 200, response.content
    [submission] = Submission.objects.filter(project=project)
    assert response.json() == {"submissionId": submission.id}
    assert set(SubmissionImage.objects.filter(submission=submission).values_list("kind", flat=True)) == {
        "id_front",
        "selfie",
    }
    assert submission.selfie_capture == "uploaded"


def test_a_json_upload_takes_base64_and_data_urls(api_client, project):
    body = {
        "idImage": b64(photo()),
        "idBackImage": "data:image/png;base64," + b64(photo(fmt="PNG")),
        "issuingCountry": "EST",
        "idType": "government_id",
        "userid": "u-1",
    }

    response = _post_json(api_client, body)

    assert response.status_code == 200, response.content
    submission = Submission.objects.get(pk=response.json()["submissionId"])
    assert (submission.claimed_issuing_country, submission.claimed_id_type) == ("EST", "government_id")
    assert submission.images.count() == 2


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"email": "a@example.com"}, {"errorCode": "missing_data", "message": "Required input data is missing"}),
        ({"idImage": "AAAA", "favouriteColour": "red"}, {"errorCode": "invalid_parameter", "message": "invalid parameter: favouriteColour"}),
        ({"idImage": "not base64!"}, {"errorCode": "invalid_format", "message": "invalid format: idImage"}),
        ({"idImage": "AAAA", "email": "not-an-email"}, {"errorCode": "invalid_format", "message": "invalid format: email"}),
        ({"idImage": "AAAA", "issuingCountry": "ee"}, {"errorCode": "invalid_format", "message": "invalid format: issuingCountry"}),
        ({"idImage": "AAAA", "idType": "library_card"}, {"errorCode": "invalid_format", "message": "invalid format: idType"}),
        ({"idImage": b64(b"GIF89a....")}, {"errorCode": "unsupported_format", "message": "idImage: Send a JPEG, PNG or WebP photo."}),
        ({"idImage": b64(photo(size=(100, 100)))}, {"errorCode": "image_too_small", "message": "idImage: The image must be at least 200 pixels on each side."}),
    ],
)  # fmt: skip
def test_bad_requests_get_the_spec_error_shape_and_cost_nothing(api_client, project, body, error):
    # when
    response = _post_json(api_client, body)

    # then
    assert (response.status_code, response.json()) == (400, error)
    project.refresh_from_db()
    assert project.credits == 100
    assert not Submission.objects.exists()


def test_a_body_that_is_not_json_is_an_invalid_payload(api_client):
    response = api_client.post(URL, data="{not json", content_type="application/json")

    assert (response.status_code, response.json()["errorCode"]) == (400, "invalid_payload")


@pytest.mark.parametrize("body", ["null", "[]", '["idImage"]', "7", '"idImage"'])
def test_json_that_is_no_object_is_an_invalid_payload_not_a_500(api_client, project, body):
    # given: found by Schemathesis (issue 9), which sent `null` and got a 500
    # when
    response = api_client.post(URL, data=body, content_type="application/json")

    # then
    assert (response.status_code, response.json()) == (
        400,
        {"errorCode": "invalid_payload", "message": "Invalid payload."},
    )
    assert Submission.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused_with_413(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000

    response = api_client.post(URL, {"idImage": _file(b"\xff\xd8\xff" + b"\0" * 60_000)})

    assert (response.status_code, response.json()) == (413, {"message": "Request Entity Too Large"})
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [({"credits": 0}, 402, "insufficient_credits"), ({"emergency_stop": True}, 403, "service_blocked")],
)
def test_a_project_that_cannot_take_submissions_refuses(api_client, project, change, status, code):
    Project.objects.filter(pk=project.pk).update(**change)

    response = _post_json(api_client, {"idImage": b64(photo())})

    assert (response.status_code, response.json()["errorCode"]) == (status, code)
    assert not Submission.objects.exists()


def test_without_a_key_it_is_forbidden(project):
    response = _post_json(Client(HTTP_HOST=TEST_HOST), {"idImage": b64(photo())})

    assert (response.status_code, response.json()) == (403, {"message": "Forbidden"})


def test_an_idempotency_key_replays_the_same_answer(api_client, project):
    # given
    body = {"idImage": b64(photo()), "email": "a@example.com"}
    first = _post_json(api_client, body, HTTP_IDEMPOTENCY_KEY="order-77")

    # when
    again = _post_json(api_client, body, HTTP_IDEMPOTENCY_KEY="order-77")
    other = _post_json(api_client, {**body, "email": "b@example.com"}, HTTP_IDEMPOTENCY_KEY="order-77")

    # then
    assert (again.status_code, again.content) == (200, first.content)
    assert (other.status_code, other.json()["errorCode"]) == (422, "idempotency_key_reused")
    project.refresh_from_db()
    assert project.credits == 99


def test_get_shows_the_decision_data_and_trace(api_client, project):
    # given: a passport and a selfie of the same man, verified in-process
    case = passport_case()
    created = _post_json(
        api_client, {"idImage": b64(case.front), "selfieImage": b64(case.selfie), "email": "p@example.com", "cf2": "c"}
    )
    submission_id = created.json()["submissionId"]
    submission_process(submission_id=submission_id)

    # when
    response = api_client.get(URL, {"submission_id": submission_id})

    # then
    [item] = response.json()["Items"]
    assert item["kyc"] == {"result": "approved", "comment": [], "commentCode": []}
    assert item["argos_score"] == 90
    assert (item["email"], item["reviewer"]) == ("p@example.com", "system")
    assert "kyc_result_at" in item
    assert "pending_at" not in item
    assert item["data"] == {**PASSPORT_DATA, "idcard_expireDate": "2028-10-08", "cf2": "c"}
    extension = item["idcheck"]
    assert extension["processing"] == {"state": "decided", "attempts": 1}
    assert extension["selfie_capture"] == "uploaded"
    decision = extension["decision"]
    assert (decision["status"], decision["score"], decision["threshold"], decision["deciding"]) == (
        "approved",
        90,
        70,
        "threshold",
    )
    score_lines = [step for step in decision["trace"] if step["kind"] == "score"]
    assert round(sum(step["contribution"] for step in score_lines)) == 90
    assert {"kind": "score", "name": "liveness", "detail": "liveness not_performed"}.items() <= next(
        step for step in score_lines if step["name"] == "liveness"
    ).items()
