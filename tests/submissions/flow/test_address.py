"""The proof-of-address step: in a project that requires one, a photo of a bill or statement is
taken after the document (and its confirmation) and before the selfie, and goes with the others."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from policy.services import policy_settings_update
from projects.actors import Actor
from submissions.flow.state import SESSION_KEY
from submissions.models import CheckResult, ImageKind, Submission
from submissions.services import submission_process
from tests.submissions.api.helpers import photo
from tests.submissions.flow.helpers import (
    confirm_details,
    flow_client,
    flow_id,
    nothing_written,
    post,
    walk_to_capture,
)

ACTOR = Actor.system("test")


def _upload(client, step: str, data: bytes | None = None, name: str = "photo.jpg"):
    upload = SimpleUploadedFile(name, data if data is not None else photo(), content_type="image/jpeg")
    return client.post(f"/form/{step}", {"flow": flow_id(client), "photo": upload})


def _to_address(client) -> None:
    _upload(client, "front")
    assert confirm_details(client)["Location"] == "/form/address"


@pytest.fixture
def requiring(project):
    policy_settings_update(project=project, changes={"policy_proof_of_address": True}, actor=ACTOR)
    return project


@pytest.fixture
def client(requiring):
    client = flow_client()
    walk_to_capture(client, requiring.pid, email="person@example.com")
    return client


def test_the_address_step_comes_before_the_selfie_with_the_back_camera(client):
    # when
    _to_address(client)
    page = client.get("/form/address").content.decode()
    # then
    assert "<h1>Proof of address</h1>" in page
    assert (
        "A utility bill, bank statement or residency certificate showing your full name and address, issued "
        "within the last 6 months."
    ) in page
    assert 'accept="image/*" capture="environment"' in page
    assert "Step 5 of 6" in page  # e-mail, country, ID type, front, address, selfie
    assert client.get("/form/selfie")["Location"] == "/form/address"


def test_a_file_that_is_not_an_image_is_refused_on_the_step(client, requiring):
    _to_address(client)
    before = client.session[SESSION_KEY]["captures"]
    # when
    response = _upload(client, "address", b"%PDF-1.4 a bank statement", name="statement.pdf")
    # then
    assert response.status_code == 400
    assert "Send a JPEG, PNG or WebP photo." in response.content.decode()
    assert client.session[SESSION_KEY]["captures"] == before
    assert "address" not in before
    assert nothing_written(requiring)


def test_the_proof_of_address_goes_with_the_other_photos(client, requiring):
    _to_address(client)
    # when
    assert _upload(client, "address")["Location"] == "/form/selfie"
    assert nothing_written(requiring)  # nothing is created before the selfie
    response = _upload(client, "selfie")
    # then
    assert response["Location"] == "/form/processing"
    submission = Submission.objects.get(project=requiring)
    kinds = sorted(submission.images.values_list("kind", flat=True))
    assert kinds == [ImageKind.ADDRESS, ImageKind.ID_FRONT, ImageKind.SELFIE]
    assert client.session[SESSION_KEY]["captures"] == {}


def test_a_project_without_the_requirement_has_no_address_step(project):
    client = flow_client()
    walk_to_capture(client, project.pid, email="person@example.com")
    _upload(client, "front")
    assert confirm_details(client)["Location"] == "/form/selfie"
    assert client.get("/form/address")["Location"] == "/form/selfie"
    assert "Step 5 of 5" in client.get("/form/selfie").content.decode()


def test_after_a_retry_the_proof_of_address_is_not_asked_again(client, requiring):
    _to_address(client)
    _upload(client, "address")
    _upload(client, "selfie")
    state = client.session[SESSION_KEY]
    # when: the run sent the selfie back (face_compare_underscore)
    session = client.session
    session[SESSION_KEY] = {**state, "retry_kinds": ["selfie"]}
    session.save()
    # then
    assert client.get("/form/address")["Location"] == "/form/selfie"


def test_a_test_projects_sample_bill_names_the_sample_holder_and_is_accepted(client, requiring):
    # given: the sample document (it reads in full: no confirmation page)
    assert post(client, "/form/front", {"sample": "1"})["Location"] == "/form/review"
    assert client.get("/form/review")["Location"] == "/form/address"
    page = client.get("/form/address").content.decode()
    # when
    assert post(client, "/form/address", {"sample": "1"})["Location"] == "/form/selfie"
    post(client, "/form/selfie", {"sample": "1"})
    submission = Submission.objects.get(project=requiring)
    submission_process(submission_id=submission.id)
    # then
    assert "Use a sample bill" in page
    assert CheckResult.objects.get(submission=submission, step="address").outcome == "accepted"
