"""``PATCH /v3/submission`` (spec §2.4): the body, the spec's sentences (one test each), the
``updated`` webhook, GET showing the new values, Idempotency-Key, and refusals changing nothing."""

from __future__ import annotations

import json

import pytest

from projects.models import AuditEvent
from submissions.models import Submission
from tests.factories import MembershipFactory
from tests.submissions.test_submission_update import decided_submission
from webhooks.models import WebhookOutbox

URL = "/v3/submission"


def _patch(api_client, body, **headers):
    raw = body if isinstance(body, str) else json.dumps(body)
    return api_client.patch(URL, raw, content_type="application/json", **headers)


def _state(submission) -> tuple:
    return (
        Submission.objects.values().get(pk=submission.pk),
        AuditEvent.objects.filter(action="submission.updated").count(),
        WebhookOutbox.objects.filter(event="updated").count(),
    )


@pytest.fixture
def submission(project):
    return decided_submission(project)


@pytest.fixture
def admin(project):
    return MembershipFactory(project=project).user


def test_it_changes_the_data_and_get_shows_the_new_values(api_client, submission, admin):
    # when
    response = _patch(api_client, {"submissionId": submission.pk, "admin": admin.email,
                                   "data": {"documentNumber": "M12345678", "nationality": "SWE"}})  # fmt: skip

    # then
    assert (response.status_code, response.json()) == (200, {"message": "Data Processing Success."})
    [item] = api_client.get(f"{URL}?submission_id={submission.pk}").json()["Items"]
    assert (item["data"]["documentNumber"], item["data"]["nationality"]) == ("M12345678", "SWE")
    [outbox] = WebhookOutbox.objects.filter(resource_id=submission.pk, event="updated")
    assert outbox.payload["data"]["update"] == ["nationality", "documentNumber"]
    assert outbox.payload["admin"] == admin.email


def test_a_rejection_takes_the_comment_and_get_shows_code_other(api_client, submission, admin):
    # when
    response = _patch(api_client, {"submissionId": submission.pk, "admin": admin.email,
                                   "data": {"kycStatus": "rejected"}, "comment": "Forged."})  # fmt: skip

    # then
    assert response.status_code == 200
    [item] = api_client.get(f"{URL}?submission_id={submission.pk}").json()["Items"]
    assert item["kyc"] == {"result": "rejected", "comment": ["Forged."], "commentCode": ["other"]}
    assert item["reviewer"] == admin.email
    assert "applicant_id" not in item


def test_the_same_idempotency_key_answers_success_again_and_changes_nothing_more(api_client, submission, admin):
    # given
    body = {"submissionId": submission.pk, "admin": admin.email, "data": {"gender": "male"}}
    _patch(api_client, body, HTTP_IDEMPOTENCY_KEY="patch-1")
    after_first = _state(submission)

    # when
    again = _patch(api_client, body, HTTP_IDEMPOTENCY_KEY="patch-1")
    other = _patch(api_client, {**body, "data": {"gender": "female"}}, HTTP_IDEMPOTENCY_KEY="patch-1")

    # then
    assert (again.status_code, again.json()) == (200, {"message": "Data Processing Success."})
    assert other.status_code == 422
    assert _state(submission) == after_first


def test_it_needs_the_projects_key(client, submission, admin):
    # when
    response = client.patch(URL, json.dumps({"submissionId": submission.pk, "admin": admin.email,
                                             "data": {"gender": "male"}}), content_type="application/json")  # fmt: skip

    # then
    assert (response.status_code, response.json()) == (403, {"message": "Forbidden"})


def _refusal(api_client, submission, body) -> dict:
    before = _state(submission)
    response = _patch(api_client, body)
    assert response.status_code == 400
    assert _state(submission) == before
    return response.json()


def test_a_body_that_is_not_json_is_a_parsing_error(api_client, submission):
    assert _refusal(api_client, submission, "{not json") == {
        "errorCode": "data parsing error. please check input data."
    }


def test_an_unknown_top_level_field_is_a_parsing_error(api_client, submission, admin):
    body = {"submissionId": submission.pk, "admin": admin.email, "data": {"gender": "male"}, "colour": "red"}
    assert _refusal(api_client, submission, body) == {"errorCode": "data parsing error. please check input data."}


def test_data_that_is_not_an_object_is_a_parsing_error(api_client, submission, admin):
    body = {"submissionId": submission.pk, "admin": admin.email, "data": "gender=male"}
    assert _refusal(api_client, submission, body) == {"errorCode": "data parsing error. please check input data."}


def test_without_a_submission_id(api_client, submission, admin):
    body = {"admin": admin.email, "data": {"gender": "male"}}
    assert _refusal(api_client, submission, body) == {"errorCode": "submissionId is required."}


def test_without_an_admin(api_client, submission):
    body = {"submissionId": submission.pk, "data": {"gender": "male"}}
    assert _refusal(api_client, submission, body) == {"errorCode": "admin is required."}


def test_without_a_property(api_client, submission, admin):
    body = {"submissionId": submission.pk, "admin": admin.email, "data": {}}
    assert _refusal(api_client, submission, body) == {"errorCode": "At least one property to modify is required."}


def test_an_admin_who_is_not_a_member(api_client, submission):
    body = {"submissionId": submission.pk, "admin": "stranger@example.com", "data": {"gender": "male"}}
    assert _refusal(api_client, submission, body) == {"errorCode": "admin is not a member of this project."}


def test_an_unknown_submission(api_client, submission, admin):
    body = {"submissionId": "nosuchsubmission_xx", "admin": admin.email, "data": {"gender": "male"}}
    assert _refusal(api_client, submission, body) == {"errorCode": "not Exist Submission Data"}


def test_another_projects_submission_is_unknown(api_client, submission, admin):
    # given: a submission of another project, named by its id
    other = decided_submission(MembershipFactory().project)
    body = {"submissionId": other.pk, "admin": admin.email, "data": {"gender": "male"}}

    # when / then
    assert _refusal(api_client, other, body) == {"errorCode": "not Exist Submission Data"}


def test_an_unknown_property(api_client, submission, admin):
    body = {"submissionId": submission.pk, "admin": admin.email, "data": {"eyeColour": "blue"}}
    assert _refusal(api_client, submission, body) == {"errorCode": "Unknown property: eyeColour."}


def test_an_invalid_value(api_client, submission, admin):
    body = {"submissionId": submission.pk, "admin": admin.email, "data": {"birthDate": "31/01/1990"}}
    assert _refusal(api_client, submission, body) == {
        "errorCode": "Invalid value for birthDate: a past date as YYYY-MM-DD."
    }


def test_an_unreadable_seal_is_a_processing_error(api_client, submission, admin):
    # given: the evidence blob was damaged
    Submission.objects.filter(pk=submission.pk).update(sealed_evidence=b"\x01" + b"0" * 40)
    body = {"submissionId": submission.pk, "admin": admin.email, "data": {"gender": "male"}}

    # when / then
    assert _refusal(api_client, submission, body) == {"errorCode": "Data Processing Error."}
