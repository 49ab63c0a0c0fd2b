"""``DELETE /v3/submission`` and ``DELETE /v3/submission/partial``: parameters, the spec's answers
and strings, authorisation, Idempotency-Key (spec §2.5, §2.6, §4.8)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from projects.actors import Actor
from projects.models import AuditEvent
from projects.services import api_key_issue
from submissions.models import Submission, SubmissionImage
from submissions.selectors import submission_view
from submissions.services import SubmissionDetails, submission_create
from tests.conftest import TEST_HOST
from tests.factories import MembershipFactory, ProjectFactory
from tests.submissions.api.helpers import photo, stored_files
from webhooks.models import WebhookOutbox

URL = "/v3/submission"
PARTIAL = "/v3/submission/partial"
NOT_FOUND = {"message": "not Exist Submission Data", "statusCode": 400}


def _submission(project) -> Submission:
    return submission_create(
        project=project,
        source="api",
        actor=Actor.system("test"),
        images={"id_front": photo(), "id_back": photo(color=(10, 20, 30)), "selfie": photo(color=(200, 10, 10))},
        details=SubmissionDetails(email="someone@example.com", userid="user-1", cf1="one"),
    )


def _state(submission: Submission) -> tuple:
    submission.refresh_from_db()
    return (
        bytes(submission.wrapped_data_key or b""),
        bytes(submission.sealed_metadata or b""),
        SubmissionImage.objects.filter(submission=submission).count(),
        AuditEvent.objects.filter(action__startswith="submission.").exclude(action="submission.created").count(),
        WebhookOutbox.objects.filter(event="delete").count(),
    )


@pytest.fixture
def submission(project) -> Submission:
    return _submission(project)


def test_it_deletes_by_either_spelling_of_the_id(api_client, project):
    # given
    one, two = _submission(project), _submission(project)

    # when
    first = api_client.delete(f"{URL}?submission_id={one.id}")
    second = api_client.delete(f"{URL}?submissionId={two.id}")

    # then
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["content"] == f"Submission {two.id} deleted successfully."
    assert Submission.objects.filter(pk__in=[one.id, two.id], wrapped_data_key__isnull=True).count() == 2


def test_without_an_identified_admin_no_webhook_is_sent(api_client, submission):
    # when: no admin_name, then one naming nobody of the project
    response = api_client.delete(f"{URL}?submission_id={submission.id}&admin_name=stranger@example.com")

    # then: deleted, recorded, but no delete webhook (§4.8: only when an admin is identified)
    assert response.status_code == 200
    assert not WebhookOutbox.objects.filter(event="delete").exists()
    [event] = AuditEvent.objects.filter(action="submission.deleted")
    assert event.details["admin_user_id"] is None
    assert "stranger" not in json.dumps(event.details)


def test_the_webhook_names_the_members_account_e_mail(api_client, project, submission):
    # given
    member = MembershipFactory(project=project).user

    # when: the admin is named in another case
    api_client.delete(f"{URL}?submission_id={submission.id}&adminName={member.email.upper()}")

    # then
    [outbox] = WebhookOutbox.objects.filter(event="delete")
    assert outbox.payload["account_email"] == member.email
    assert outbox.payload["webhook_trigger"] == "delete"


def test_files_are_removed_only_after_commit(api_client, submission, settings, django_capture_on_commit_callbacks):
    # given
    assert len(stored_files(settings.MEDIA_ROOT)) == 3

    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_client.delete(f"{URL}?submission_id={submission.id}")

    # then: until the commit every file is still there
    assert response.status_code == 200
    assert len(stored_files(settings.MEDIA_ROOT)) == 3
    for callback in callbacks:
        callback()
    assert stored_files(settings.MEDIA_ROOT) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"message": "not Exist Submission ID", "statusCode": 400}),
        ("?submission_id=", {"message": "not Exist Submission ID", "statusCode": 400}),
        ("?submission_id=nosuchsubmission_xx", NOT_FOUND),
        ("?submission_id={id}&colour=red", {"message": "Invalid Query String parameters"}),
        ("?submission_id={id}&submissionId=other", {"message": "Invalid Query String parameters"}),
    ],
)
def test_refusals_change_nothing(api_client, submission, query, expected):
    # given
    before = _state(submission)

    # when
    response = api_client.delete(URL + query.format(id=submission.id))

    # then
    assert response.status_code == 400
    assert response.json() == expected
    assert _state(submission) == before


@pytest.mark.parametrize("url", [URL + "?submission_id={id}", PARTIAL + "?submission_id={id}&fields=email"])
def test_a_wrong_key_is_forbidden_and_changes_nothing(submission, url):
    # given
    before = _state(submission)
    client = Client(HTTP_HOST=TEST_HOST, HTTP_X_API_KEY="idk_live_" + "x" * 40)

    # when
    responses = [
        client.delete(url.format(id=submission.id)),
        Client(HTTP_HOST=TEST_HOST).delete(url.format(id=submission.id)),
    ]

    # then
    assert [(r.status_code, r.json()) for r in responses] == [(403, {"message": "Forbidden"})] * 2
    assert _state(submission) == before


@pytest.mark.parametrize("url", [URL + "?submission_id={id}", PARTIAL + "?submission_id={id}&fields=email"])
def test_another_projects_submission_does_not_exist_for_this_key(db, submission, url):
    # given: a key of another project
    other = ProjectFactory()
    client = Client(HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=api_key_issue(project=other, actor=Actor.system("t")).plaintext)
    before = _state(submission)

    # when
    response = client.delete(url.format(id=submission.id))

    # then
    assert response.status_code == 400
    assert response.json() == NOT_FOUND
    assert _state(submission) == before


def test_an_idempotency_key_replays_the_success(api_client, submission):
    # given
    headers = {"HTTP_IDEMPOTENCY_KEY": "delete-1"}
    first = api_client.delete(f"{URL}?submission_id={submission.id}", **headers)
    after = _state(submission)

    # when: the same request again with the key, then without it
    replay = api_client.delete(f"{URL}?submission_id={submission.id}", **headers)
    plain = api_client.delete(f"{URL}?submission_id={submission.id}")

    # then: the key replays the success and changes nothing; without it, not found
    assert (first.status_code, replay.status_code) == (200, 200)
    assert replay.content == first.content
    assert _state(submission) == after
    assert (plain.status_code, plain.json()) == (400, NOT_FOUND)


def test_the_partial_deletion_takes_its_lists_from_a_json_body(api_client, submission, settings,
                                                               django_capture_on_commit_callbacks):  # fmt: skip
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.delete(
            PARTIAL,
            data=json.dumps({"submissionId": submission.id, "fields": "id_image, email"}),
            content_type="application/json",
        )

    # then: both ID images and the e-mail are gone, the selfie, userid and cf1 stay
    assert response.status_code == 200
    assert response.json() == {
        "message": "success",
        "content": f"Submission {submission.id} partially deleted successfully.",
        "statusCode": 200,
    }
    assert list(SubmissionImage.objects.filter(submission=submission).values_list("kind", flat=True)) == ["selfie"]
    assert len(stored_files(settings.MEDIA_ROOT)) == 1
    submission.refresh_from_db()
    assert submission_view(submission).metadata == {"userid": "user-1", "cf1": "one", "cf2": "", "cf3": ""}
    [event] = AuditEvent.objects.filter(action="submission.partially_deleted")
    assert event.details["fields"] == ["id_image", "email"]
    assert event.details["images"] == ["id_back", "id_front"]
    assert not WebhookOutbox.objects.filter(event="delete").exists()

    # when: repeated
    again = api_client.delete(f"{PARTIAL}?submission_id={submission.id}&fields=id_image,email")

    # then: harmless
    assert again.status_code == 200
    assert SubmissionImage.objects.filter(submission=submission).count() == 1


def test_a_deleted_submission_cannot_be_partially_deleted(api_client, submission):
    api_client.delete(f"{URL}?submission_id={submission.id}")

    response = api_client.delete(f"{PARTIAL}?submission_id={submission.id}&fields=email")

    assert (response.status_code, response.json()) == (400, NOT_FOUND)


@pytest.mark.parametrize(
    ("query", "body", "message"),
    [
        ("fields=email", None, "submission_id is required"),
        ("submission_id={id}", None, "fields parameter is required and cannot be empty"),
        ("submission_id={id}&fields=", None, "fields parameter is required and cannot be empty"),
        ("submission_id={id}&fields=,", None, "fields cannot be empty"),
        ("submission_id={id}&fields=email,,userid", None, "invalid format for fields: empty name between commas"),
        (
            "submission_id={id}&fields=data&data_fields=cf1,",
            None,
            "invalid format for data_fields: empty name between commas",
        ),
        ("submission_id={id}&fields=email,Email,ocr_raw", None, "invalid fields found in fields: Email, ocr_raw"),
        ("submission_id={id}&fields=data&data_fields=cf1,cf9", None, "invalid fields found in data_fields: cf9"),
        (
            "submission_id={id}&fields=email&data_fields=cf1",
            None,
            "data_fields parameter is not allowed when fields does not include data",
        ),
        ("submission_id={id}", {"fields": ["email"]}, "fields must be a string"),
        ("submission_id={id}", {"fields": "data", "data_fields": ["cf1"]}, "data_fields must be a string"),
    ],
)
def test_partial_refusals_use_the_spec_strings_and_change_nothing(api_client, submission, query, body, message):
    # given
    before = _state(submission)
    extra = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}

    # when
    response = api_client.delete(f"{PARTIAL}?{query.format(id=submission.id)}", **extra)

    # then
    assert response.status_code == 400
    assert response.json() == {"message": message, "statusCode": 400}
    assert _state(submission) == before
