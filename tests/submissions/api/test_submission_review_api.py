"""``POST /v3/submission/review`` (spec §2.7): the integrator decides a pending submission when the
project's reviewer is Client API; every refusal has the spec's sentence and changes nothing."""

from __future__ import annotations

import json

import pytest

from policy.services import policy_settings_update
from projects.models import AuditEvent
from submissions import vault
from submissions.models import Submission, SubmissionStatus
from tests.factories import MembershipFactory, SubmissionFactory
from tests.submissions.dashboard.helpers import ACTOR, pending_policy, pending_submission
from webhooks.models import WebhookOutbox

URL = "/v3/submission/review"


def _post(api_client, body, **headers):
    return api_client.post(URL, json.dumps(body), content_type="application/json", **headers)


def _client_reviewer(project) -> None:
    policy_settings_update(project=project, changes={"policy_reviewer": "client_api"}, actor=ACTOR)


def _snapshot(project) -> tuple:
    rows = list(Submission.objects.filter(project=project).order_by("pk").values())
    return (
        rows,
        AuditEvent.objects.filter(project=project).count(),
        WebhookOutbox.objects.filter(project=project).count(),
    )


@pytest.fixture
def admin(project):
    return MembershipFactory(project=project).user


@pytest.fixture
def pending(project):
    pending_policy(project)
    _client_reviewer(project)
    return pending_submission(project)


def _row(status: str, project=None) -> Submission:
    """A submission row with a data key, as a created one has, in ``status``; never run."""
    submission = SubmissionFactory(status=status, **({"project": project} if project is not None else {}))
    submission.wrapped_data_key = vault.new_wrapped_data_key(submission.pk)
    submission.save(update_fields=["wrapped_data_key"])
    return submission


def _events(submission) -> list[str]:
    return list(WebhookOutbox.objects.filter(resource_id=submission.pk).order_by("pk").values_list("event", flat=True))


def test_an_integrator_approves_a_pending_submission(api_client, project, admin, pending):
    # when
    response = _post(api_client, {"admin": admin.email, "submissionId": pending.pk, "status": "approved"})

    # then: the spec's answer, the admin as reviewer, the approved webhook
    assert response.status_code == 200
    assert response.json() == {"submissionId": pending.pk, "message": "Success to review submission.",
                               "finalStatus": "approved"}  # fmt: skip
    pending.refresh_from_db()
    assert (pending.status, pending.reviewer, pending.kyc_comment_code) == ("approved", admin.email, [])
    assert len(pending.applicant_id) == 20
    assert _events(pending) == ["created", "submit", "approved"]
    [review] = AuditEvent.objects.filter(project=project, action="submission.reviewed")
    assert review.details == {"status": "approved", "comment_code": None, "previous_status": "pending"}


def test_a_rejection_with_corrections_changes_the_data_then_decides_in_one_go(api_client, project, admin, pending):
    # when
    response = _post(api_client, {
        "admin": admin.email, "submissionId": pending.pk, "status": "rejected",
        "rejectComment": "The selfie is not the document's holder.",
        "updateFields": {"gender": "female", "birthDate": "1990-01-31"},
    })  # fmt: skip

    # then: the corrections (updated webhook, names only in the log), then the rejection (code other)
    assert response.status_code == 200
    assert response.json()["finalStatus"] == "rejected"
    pending.refresh_from_db()
    assert (pending.status, pending.kyc_comment, pending.kyc_comment_code) == (
        "rejected", ["The selfie is not the document's holder."], ["other"],
    )  # fmt: skip
    assert _events(pending) == ["created", "submit", "updated", "rejected"]
    updated = WebhookOutbox.objects.get(resource_id=pending.pk, event="updated")
    assert sorted(updated.payload["data"]["update"]) == ["birthDate", "gender"]
    item = api_client.get(f"/v3/submission?submission_id={pending.pk}").json()["Items"][0]
    assert (item["data"]["gender"], item["data"]["date_of_birth"]) == ("female", "1990-01-31")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"submissionId": "x", "status": "approved"}, "admin is required."),
        ({"admin": "{admin}", "status": "approved"}, "Submission Id is required."),
        ({"admin": "{admin}", "submissionId": "{id}", "status": "pending"}, "Invalid status"),
        ({"admin": "{admin}", "submissionId": "{id}"}, "Invalid status"),
        ({"admin": "{admin}", "submissionId": "{id}", "status": "approved", "updateFields": ["gender"]},
         "Invalid data format."),
        ({"admin": "{admin}", "submissionId": "{id}", "status": "approved", "updateFields": {"email": "a@b.c"}},
         "Invalid data format."),
        ({"admin": "{admin}", "submissionId": "{id}", "status": "rejected"}, "Reject comment is required"),
        ({"admin": "{admin}", "submissionId": "{id}", "status": "rejected", "rejectComment": "  "},
         "Reject comment is required"),
        ({"admin": "stranger@example.com", "submissionId": "{id}", "status": "approved"},
         "Access denied. The admin is not registered in the project."),
        ({"admin": "{admin}", "submissionId": "nosuchsubmission00", "status": "approved"}, "Invalid Submission Id."),
        ({"admin": "{admin}", "submissionId": "{id}", "status": "approved", "updateFields": {"gender": "robot"}},
         "Invalid value for gender: male or female."),
    ],
)  # fmt: skip
def test_each_refusal_has_its_sentence_and_changes_nothing(api_client, project, admin, body, message):
    # given: a pending submission in a Client API project (no run needed for refusals)
    _client_reviewer(project)
    submission = _row(SubmissionStatus.PENDING, project)
    values = {"{admin}": admin.email, "{id}": submission.pk}
    body = {key: values.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    before = _snapshot(project)

    # when
    response = _post(api_client, body)

    # then
    assert (response.status_code, response.json()) == (400, {"message": message})
    assert _snapshot(project) == before


def test_a_project_reviewed_by_staff_refuses_the_client(api_client, project, admin):
    submission = _row(SubmissionStatus.PENDING, project)
    before = _snapshot(project)

    response = _post(api_client, {"admin": admin.email, "submissionId": submission.pk, "status": "approved"})

    assert (response.status_code, response.json()) == (400, {"message": "This submission cannot be reviewed by client"})
    assert _snapshot(project) == before


@pytest.mark.parametrize("status", [SubmissionStatus.APPROVED, SubmissionStatus.REJECTED, SubmissionStatus.INCOMPLETE])
def test_only_a_pending_submission_can_be_reviewed(api_client, project, admin, status):
    _client_reviewer(project)
    submission = _row(status, project)
    before = _snapshot(project)

    response = _post(api_client, {"admin": admin.email, "submissionId": submission.pk, "status": "approved"})

    assert (response.status_code, response.json()) == (
        400, {"message": "Only submissions in pending status can be reviewed"},
    )  # fmt: skip
    assert _snapshot(project) == before


def test_another_projects_submission_is_an_invalid_id(api_client, project, admin):
    _client_reviewer(project)
    elsewhere = _row(SubmissionStatus.PENDING)

    response = _post(api_client, {"admin": admin.email, "submissionId": elsewhere.pk, "status": "approved"})

    assert (response.status_code, response.json()) == (400, {"message": "Invalid Submission Id."})
    elsewhere.refresh_from_db()
    assert elsewhere.status == SubmissionStatus.PENDING


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", '{"admin": 5, "submissionId": "x", "status": "approved"}'])
def test_a_malformed_body_is_an_invalid_data_format(api_client, raw):
    response = api_client.post(URL, raw, content_type="application/json")

    assert (response.status_code, response.json()) == (400, {"message": "Invalid data format."})


def test_a_retry_with_the_same_idempotency_key_answers_the_same_and_decides_once(api_client, project, admin, pending):
    body = {"admin": admin.email, "submissionId": pending.pk, "status": "approved"}

    first = _post(api_client, body, HTTP_IDEMPOTENCY_KEY="review-1")
    again = _post(api_client, body, HTTP_IDEMPOTENCY_KEY="review-1")

    assert first.json() == again.json() == {"submissionId": pending.pk, "message": "Success to review submission.",
                                            "finalStatus": "approved"}  # fmt: skip
    assert _events(pending) == ["created", "submit", "approved"]
    assert AuditEvent.objects.filter(project=project, action="submission.reviewed").count() == 1
