"""After the photos: processing and its status, retries, the result page and the Return URL (§7)."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from idcheck.lib.crypto import payload_decrypt
from projects.actors import Actor
from projects.selectors import api_key_payload_key
from projects.services import project_settings_update, secret_key_issue
from submissions.flow.state import SESSION_KEY
from submissions.models import RunState, Submission, SubmissionStatus
from submissions.services import submission_process
from tests.submissions.api.helpers import passport_case, photo
from tests.submissions.flow.helpers import confirm_details, flow_client, flow_id, walk_to_capture

RETURN = "https://shop.example.com/kyc/done"


def _upload(client, step: str, data: bytes | None = None):
    upload = SimpleUploadedFile("photo.jpg", data if data is not None else photo(), content_type="image/jpeg")
    return client.post(f"/form/{step}", {"flow": flow_id(client), "photo": upload})


def _submitted(client, project, **params) -> Submission:
    walk_to_capture(client, project.pid, **params)
    _upload(client, "front")
    confirm_details(client)
    _upload(client, "selfie")
    return Submission.objects.get(project=project)


def _decide(submission: Submission, status: str) -> None:
    Submission.objects.filter(pk=submission.pk).update(status=status, run_state=RunState.DECIDED)


def _configure(project, **changes) -> None:
    project_settings_update(project=project, changes=changes, actor=Actor.system("test"))


@pytest.fixture
def client():
    return flow_client()


def test_the_processing_page_shows_progress_and_polls_the_status(client, project):
    _submitted(client, project)
    # when
    page = client.get("/form/processing")
    status = client.get("/form/status")
    # then
    text = page.content.decode()
    assert page.status_code == 200
    assert '<progress id="lf-progress" max="100" value="20"' in text
    assert 'data-status-url="/form/status"' in text
    assert "/static/liveform/processing.js" in text
    assert status.json() == {"state": "queued", "percent": 20, "label": "Waiting for a free checker", "next": ""}


def test_the_status_sends_to_the_result_once_decided(client, project):
    submission = _submitted(client, project)
    _decide(submission, SubmissionStatus.APPROVED)
    assert client.get("/form/status").json()["next"] == "/form/result"
    assert client.get("/form/processing")["Location"] == "/form/result"


def test_a_real_run_of_a_specimen_passport_ends_on_a_result(client, project):
    # given: a specimen passport (EST) and a selfie of its holder, run in this process
    case = passport_case()
    walk_to_capture(client, project.pid)
    _upload(client, "front", case.front)
    assert client.get("/form/review")["Location"] == "/form/selfie"  # every field read: no confirmation page
    _upload(client, "selfie", case.selfie)
    submission = Submission.objects.get(project=project)
    # when
    submission_process(submission_id=submission.id)
    response = client.get("/form/result")
    # then: a file-input selfie is not a live capture, so liveness reads "not performed"
    submission.refresh_from_db()
    assert submission.status in (SubmissionStatus.APPROVED, SubmissionStatus.PENDING)
    assert response.status_code == 200
    assert submission.id in response.content.decode()
    assert submission.check_results.get(step="liveness").outcome == "not_performed"


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (SubmissionStatus.APPROVED, "You are verified"),
        (SubmissionStatus.PENDING, "We are checking your documents"),
        (SubmissionStatus.REJECTED, "We could not verify you"),
    ],
)
def test_the_result_page_follows_the_status(client, project, status, text):
    submission = _submitted(client, project)
    _decide(submission, status)
    response = client.get("/form/result")
    assert response.status_code == 200
    assert text in response.content.decode()
    assert "lf-return-timer" not in response.content.decode()  # no Return URL configured


def test_the_result_page_is_not_shown_before_the_decision(client, project):
    _submitted(client, project)
    assert client.get("/form/result")["Location"] == "/form/processing"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("face_compare_underscore", "Your selfie could not be matched"),
        ("face_liveness_fail", "We could not confirm that the selfie was taken live."),
    ],
)
def test_a_face_retry_asks_for_a_new_selfie_with_the_reason(client, project, code, reason):
    submission = _submitted(client, project)
    Submission.objects.filter(pk=submission.pk).update(run_state=RunState.WAITING, failed_attempts=1, retry_code=code)
    # when
    status = client.get("/form/status").json()
    page = client.get("/form/selfie")
    response = _upload(client, "selfie")
    # then
    assert (status["state"], status["next"]) == ("retry", "/form/selfie")
    assert reason in page.content.decode()
    assert response["Location"] == "/form/processing"
    submission.refresh_from_db()
    assert (submission.run_state, submission.failed_attempts) == (RunState.QUEUED, 1)
    assert client.session[SESSION_KEY]["retry_kinds"] == []
    assert Submission.objects.filter(project=project).count() == 1


def test_a_document_retry_asks_for_the_document_again(client, project):
    submission = _submitted(client, project)
    Submission.objects.filter(pk=submission.pk).update(
        run_state=RunState.WAITING, failed_attempts=2, retry_code="id_image_badImage"
    )
    assert client.get("/form/processing")["Location"] == "/form/front"
    assert "Unable to read the ID image." in client.get("/form/front").content.decode()
    assert _upload(client, "front")["Location"] == "/form/processing"
    submission.refresh_from_db()
    assert submission.run_state == RunState.QUEUED


def test_the_result_page_returns_to_the_return_url_with_the_spec_fields(client, project):
    _configure(project, liveform_return_url=RETURN + "?order=7")
    submission = _submitted(client, project, userid="u-1", cf1="a b", cf3="c", email="p@example.com")
    _decide(submission, SubmissionStatus.APPROVED)
    # when
    page = client.get("/form/result").content.decode()
    response = client.get("/form/return")
    # then
    assert 'data-delay="5" data-return-url="/form/return"' in page  # result.js's timer, with "Stay on this page"
    assert 'http-equiv="refresh"' not in page
    assert 'href="/form/return"' in page
    location = urlsplit(response["Location"])
    assert (location.netloc, location.path) == ("shop.example.com", "/kyc/done")
    assert parse_qs(location.query) == {
        "order": ["7"], "kycStatus": ["approved"], "submissionId": [submission.id], "userid": ["u-1"],
        "email": ["p@example.com"], "cf1": ["a b"], "cf3": ["c"],
    }  # fmt: skip


def test_the_return_url_carries_only_the_chosen_fields(client, project):
    _configure(project, liveform_return_url=RETURN, liveform_return_fields=["submissionId", "kycStatus"])
    submission = _submitted(client, project, userid="u-1")
    _decide(submission, SubmissionStatus.REJECTED)
    response = client.get("/form/return")
    assert response["Location"] == f"{RETURN}?kycStatus=rejected&submissionId={submission.id}"


def test_the_encrypted_option_sends_one_encrypted_value(client, issued_key):
    project = issued_key.api_key.project
    _configure(project, liveform_return_url=RETURN, liveform_return_encrypted=True)
    submission = _submitted(client, project, userid="u-1", email="p@example.com")
    _decide(submission, SubmissionStatus.PENDING)
    # when
    query = parse_qs(urlsplit(client.get("/form/return")["Location"]).query)
    # then
    assert list(query) == ["encrypted"]
    plain = json.loads(payload_decrypt(query["encrypted"][0], key=api_key_payload_key(project=project)))
    assert plain == {"kycStatus": "pending", "submissionId": submission.id, "userid": "u-1", "email": "p@example.com"}


def test_the_encrypted_option_uses_the_secret_key_when_it_is_the_encryption_key(client, issued_key):
    # given
    project = issued_key.api_key.project
    secret_key = secret_key_issue(project=project, actor=Actor.system("test")).plaintext
    _configure(project, liveform_return_url=RETURN, liveform_return_encrypted=True, encryption_key="secret_key")
    submission = _submitted(client, project, userid="u-1", email="p@example.com")
    _decide(submission, SubmissionStatus.APPROVED)
    # when
    query = parse_qs(urlsplit(client.get("/form/return")["Location"]).query)
    # then
    plain = json.loads(payload_decrypt(query["encrypted"][0], key=hashlib.sha256(secret_key.encode()).digest()))
    assert plain == {"kycStatus": "approved", "submissionId": submission.id, "userid": "u-1", "email": "p@example.com"}


def test_the_return_is_refused_before_the_decision(client, project):
    _configure(project, liveform_return_url=RETURN)
    _submitted(client, project)
    assert client.get("/form/return")["Location"] == "/form/processing"


def test_an_error_page_offers_the_return_url_with_the_error_code(client, project):
    # given: a project with a Return URL, closed after the link was made
    _configure(project, liveform_return_url=RETURN, status="CLOSED")
    client.get(f"/form/?pid={project.pid}&userid=u-1")
    # when
    page = client.get("/form/error-page/project-closed")
    response = client.get("/form/error-page/project-closed/return")
    # then
    assert 'href="/form/error-page/project-closed/return"' in page.content.decode()
    assert response["Location"] == f"{RETURN}?errorCode=PV-40030"


def test_an_error_page_without_a_return_url_offers_no_button(client, project):
    client.get(f"/form/?pid={project.pid}&email=bad")
    page = client.get("/form/error-page/invalid-parameter").content.decode()
    assert "PV-40002" in page
    assert "/return" not in page
    assert client.get("/form/error-page/invalid-parameter/return").status_code == 404


def test_the_samples_of_a_test_project_are_approved(client, project):
    # given: the sample passport (its portrait is the sample face) and the sample face
    walk_to_capture(client, project.pid)
    client.post("/form/front", {"flow": flow_id(client), "sample": "1"})
    assert client.get("/form/review")["Location"] == "/form/selfie"
    client.post("/form/selfie", {"flow": flow_id(client), "sample": "1"})
    submission = Submission.objects.get(project=project)
    # when
    submission_process(submission_id=submission.id)
    # then
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPROVED
    assert "You are verified" in client.get("/form/result").content.decode()
