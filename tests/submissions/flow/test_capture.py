"""The photo steps: intake refusals, the submission created once, samples in TEST projects."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from network.models import SubmissionClient
from projects.actors import Actor
from projects.models import CreditLedgerEntry, Project, ProjectStatus
from projects.services import project_settings_update
from submissions import vault
from submissions.flow.state import SESSION_KEY
from submissions.models import ImageKind, RunState, SelfieCapture, Submission, SubmissionSource
from tests.submissions.api.helpers import photo
from tests.submissions.flow.helpers import (
    confirm_details,
    encrypted,
    flow_client,
    flow_id,
    nothing_written,
    open_link,
    post,
    walk_to_capture,
)


def _upload(client, step: str, data: bytes | None = None, name: str = "photo.jpg"):
    upload = SimpleUploadedFile(name, data if data is not None else photo(), content_type="image/jpeg")
    return client.post(f"/form/{step}", {"flow": flow_id(client), "photo": upload})


@pytest.fixture
def client(project):
    client = flow_client()
    walk_to_capture(client, project.pid, userid="u-1", cf1="first", email="person@example.com")
    return client


def test_the_front_step_takes_a_photo_from_the_back_camera(client):
    page = client.get("/form/front").content.decode()
    assert 'accept="image/*" capture="environment"' in page
    assert "Step 3 of 5" in page  # country, ID type, front, confirmation, selfie (the link gave the e-mail)


def test_a_file_that_is_not_an_image_is_refused_with_the_reason(client, project):
    response = _upload(client, "front", b"%PDF-1.4 not a photo", name="scan.pdf")
    assert response.status_code == 400
    assert "Send a JPEG, PNG or WebP photo." in response.content.decode()
    assert client.session[SESSION_KEY]["captures"] == {}
    assert nothing_written(project)


def test_a_missing_photo_is_asked_for(client, project):
    response = post(client, "/form/front")
    assert response.status_code == 400
    assert "Please take or choose a photo." in response.content.decode()
    assert nothing_written(project)


def test_the_front_then_the_selfie_create_one_liveform_submission(client, project):
    # when
    assert _upload(client, "front")["Location"] == "/form/review"
    assert confirm_details(client)["Location"] == "/form/selfie"
    assert nothing_written(project)  # nothing is created before the last photo
    selfie_page = client.get("/form/selfie").content.decode()
    response = _upload(client, "selfie")
    # then
    assert 'accept="image/*" capture="user"' in selfie_page
    assert response["Location"] == "/form/processing"
    submission = Submission.objects.get(project=project)
    assert (submission.source, submission.selfie_capture) == (SubmissionSource.LIVEFORM, SelfieCapture.UPLOADED)
    assert (submission.claimed_issuing_country, submission.claimed_id_type) == ("EST", "passport")
    assert submission.run_state == RunState.QUEUED
    assert sorted(submission.images.values_list("kind", flat=True)) == [ImageKind.ID_FRONT, ImageKind.SELFIE]
    metadata = vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT)
    assert (metadata["email"], metadata["userid"], metadata["cf1"]) == ("person@example.com", "u-1", "first")
    assert CreditLedgerEntry.objects.filter(project=project, delta=-1).count() == 1
    client_row = SubmissionClient.objects.get(submission_id=submission.id)
    assert (client_row.ip_address, client_row.ip_origin) == ("127.0.0.1", "request")
    assert "Android" in client_row.user_agent
    state = client.session[SESSION_KEY]
    assert (state["submission_id"], state["captures"]) == (submission.id, {})


def test_a_selfie_posted_twice_creates_one_submission(client, project):
    _upload(client, "front")
    confirm_details(client)
    _upload(client, "selfie")
    # when: the same form again (double tap, or back and resend)
    response = _upload(client, "selfie")
    # then
    assert response["Location"] == "/form/processing"
    assert Submission.objects.filter(project=project).count() == 1
    assert CreditLedgerEntry.objects.filter(project=project, delta=-1).count() == 1


def test_a_two_sided_document_asks_for_its_back(project):
    client = flow_client()
    walk_to_capture(client, project.pid, id_type="government_id")
    assert _upload(client, "front")["Location"] == "/form/back"
    assert "Step 5 of 7" in client.get("/form/back").content.decode()  # e-mail … front, back, confirmation, selfie
    assert _upload(client, "back")["Location"] == "/form/review"
    assert confirm_details(client)["Location"] == "/form/selfie"
    _upload(client, "selfie")
    submission = Submission.objects.get(project=project)
    assert sorted(submission.images.values_list("kind", flat=True)) == ["id_back", "id_front", "selfie"]


def test_a_project_without_credits_shows_service_blocked_and_keeps_nothing(client, project):
    Project.objects.filter(pk=project.pk).update(credits=0)
    _upload(client, "front")
    confirm_details(client)
    response = _upload(client, "selfie")
    assert response["Location"] == "/form/error-page/service-blocked"
    assert nothing_written(project)


def test_a_full_media_disk_shows_service_unavailable_keeps_nothing_and_the_selfie_can_be_sent_again(
    client, project, full_media_disk
):
    # given
    _upload(client, "front")
    confirm_details(client)
    client.raise_request_exception = False

    # when: the last photo is sent while the disk is full
    response = _upload(client, "selfie")

    # then: the outage page (idcheck.outage), no submission, no debit, no file
    assert response.status_code == 503
    assert "SE-50011" in response.content.decode()
    assert nothing_written(project)
    assert list((full_media_disk / "submissions").rglob("*.bin")) == []

    # when: the space is back, the same selfie is sent again (the photos stayed in the flow)
    (full_media_disk / "filler").unlink()
    response = _upload(client, "selfie")

    # then
    assert response["Location"] == "/form/processing"
    assert Submission.objects.filter(project=project).count() == 1


def test_a_project_closed_during_the_flow_shows_project_closed(client, project):
    _upload(client, "front")
    confirm_details(client)
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.CLOSED)
    response = _upload(client, "selfie")
    assert response["Location"] == "/form/error-page/project-closed"
    assert nothing_written(project)


def test_a_test_project_offers_samples_for_every_photo(client, project):
    # when
    page = client.get("/form/front").content.decode()
    response = post(client, "/form/front", {"sample": "1"})
    # then
    assert "Use a sample document" in page
    assert response["Location"] == "/form/review"
    assert list(client.session[SESSION_KEY]["captures"]) == ["id_front"]
    assert client.get("/form/review")["Location"] == "/form/selfie"  # the sample reads in full
    assert "Use a sample face" in client.get("/form/selfie").content.decode()
    assert post(client, "/form/selfie", {"sample": "1"})["Location"] == "/form/processing"
    assert Submission.objects.filter(project=project).count() == 1


def test_an_open_project_offers_no_samples(db):
    project = Project.objects.create(name="Live", status=ProjectStatus.OPEN, credits=10)
    client = flow_client()
    walk_to_capture(client, project.pid)
    assert "sample" not in client.get("/form/front").content.decode().lower()
    response = post(client, "/form/front", {"sample": "1"})
    assert response.status_code == 400
    assert "Samples are offered in test projects only." in response.content.decode()
    assert client.session[SESSION_KEY]["captures"] == {}


def test_the_step_count_leaves_out_what_the_link_answered_and_counts_the_questions(project, issued_key):
    # given: a link that gives the e-mail and the only allowed country and chooses the ID type,
    # in a project that asks one additional question
    questions = [{"id": "q1", "label": "Occupation", "type": "text", "required": False}]
    project_settings_update(project=project, changes={"liveform_additional_questions": questions},
                            actor=Actor.system("test"))  # fmt: skip
    client = flow_client()
    values = {"email": "p@example.com", "allowedCountries": "EST", "selectedIdType": "passport"}
    open_link(client, project.pid, encrypted=encrypted(issued_key.plaintext, values))
    assert post(client, "/form/consent", {"agree": "on"})["Location"] == "/form/front"

    # when / then: front, confirmation, questions, selfie
    assert "Step 1 of 4" in client.get("/form/front").content.decode()
