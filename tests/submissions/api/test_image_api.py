"""``GET /v3/image`` (spec §2.8) and ``PUT /v3/submission/image`` (§2.9): the sealed image given
back as it is stored, one 404 for every image that cannot be given, base64 images through the
G16 intake, all or nothing, every refusal with its exact body and nothing changed."""

from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from PIL import Image

from policy.services import policy_settings_update
from projects.actors import Actor
from projects.models import AuditEvent, Project, ProjectStatus
from submissions.duplicates import face_templates_store
from submissions.models import (
    FaceTemplate,
    FaceTemplateRemoval,
    ImageKind,
    SelfieCapture,
    Submission,
    SubmissionImage,
)
from submissions.services import SubmissionDetails, submission_create, submission_delete, submission_delete_partial
from submissions.services.images import submission_images_update
from submissions.services.migration import submission_migrate
from submissions.storage import image_file_read
from tests.factories import MembershipFactory
from tests.submissions.api.helpers import b64, photo, stored_files
from tests.submissions.test_submission_update import decided_submission
from webhooks.models import WebhookOutbox

ACTOR = Actor.system("test")
GET_URL = "/v3/image"
PUT_URL = "/v3/submission/image"
RED, BLUE = (200, 30, 30), (30, 30, 200)
NOT_FOUND = {"errorCode": "image_not_found", "message": "Image not found."}


@pytest.fixture
def admin(project):
    return MembershipFactory(project=project).user


@pytest.fixture
def decided(project):
    """Verified and decided, with its document front (a red photo) stored."""
    return decided_submission(project)


@pytest.fixture
def migrated(project, admin):
    """Decided by migration: no image at all."""
    fields = {"admin": admin.email, "email": "a@example.com", "fullName": "ERIKSSON ANNA",
              "birthDate": "1990-01-31", "kycStatus": "approved"}  # fmt: skip
    return submission_migrate(project=project, fields=fields, actor=ACTOR)


def _colour(jpeg: bytes) -> tuple[int, int, int]:
    """The photo's colour to within JPEG's rounding (each channel to the nearest 10)."""
    pixel = Image.open(io.BytesIO(jpeg)).convert("RGB").getpixel((10, 10))
    return tuple(round(channel, -1) for channel in pixel)


def _stored(submission, kind: str) -> bytes:
    return image_file_read(SubmissionImage.objects.select_related("submission").get(submission=submission, kind=kind))


def _put(api_client, data: dict):
    return api_client.put(PUT_URL, encode_multipart(BOUNDARY, data), content_type=MULTIPART_CONTENT)


# --- GET /v3/image ---------------------------------------------------------------------------


def test_it_answers_the_stored_image_not_to_be_cached(api_client, decided):
    # when
    response = api_client.get(f"{GET_URL}?submission_id={decided.pk}&type=idImage")

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == _stored(decided, ImageKind.ID_FRONT)


def test_every_read_is_in_the_event_log_by_kind(api_client, issued_key, decided):
    # when
    api_client.get(f"{GET_URL}?submissionId={decided.pk}&type=idImage")

    # then
    [event] = AuditEvent.objects.filter(action="submission.image_viewed")
    assert (event.target_id, event.details, event.actor_api_key_id) == (decided.pk, {"kind": "id_front"},
                                                                         issued_key.api_key.pk)  # fmt: skip


def test_an_image_client_is_answered_whatever_it_accepts(api_client, decided):
    # when
    response = api_client.get(f"{GET_URL}?submission_id={decided.pk}&type=idImage", HTTP_ACCEPT="image/png")

    # then
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")


def _not_found(api_client, submission_id: str, image_type: str = "idImage") -> None:
    before = AuditEvent.objects.count()
    response = api_client.get(f"{GET_URL}?submission_id={submission_id}&type={image_type}")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert AuditEvent.objects.count() == before


def test_an_image_never_sent_is_not_found(api_client, decided):
    _not_found(api_client, decided.pk, "selfieImage")


def test_an_unknown_submission_is_not_found(api_client, decided):
    _not_found(api_client, "nosuchsubmission_xx")


def test_another_projects_submission_is_not_found_like_a_missing_one(api_client, decided):
    other = decided_submission(MembershipFactory().project)

    _not_found(api_client, other.pk)


def test_a_deleted_submissions_image_is_not_found(api_client, project, decided):
    submission_delete(project=project, submission_id=decided.pk, actor=ACTOR)

    _not_found(api_client, decided.pk)


def test_a_deleted_image_is_not_found(api_client, project, decided):
    submission_delete_partial(project=project, submission_id=decided.pk, fields=["id_image"], data_fields=None,
                              actor=ACTOR)  # fmt: skip

    _not_found(api_client, decided.pk)


def test_an_image_whose_file_is_gone_is_not_found(api_client, decided, settings):
    for path in stored_files(settings.MEDIA_ROOT):
        path.unlink()

    _not_found(api_client, decided.pk)


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("type=idImage", {"errorCode": "missing_data", "message": "Required input data is missing."}),
        ("submission_id={sid}", {"errorCode": "missing_data", "message": "Required input data is missing."}),
        ("submission_id={sid}&type=passportImage", {"errorCode": "invalid_format", "message": "invalid format: type"}),
        ("submission_id={sid}&type=idImage&size=big", {"errorCode": "invalid_parameter",
                                                       "message": "invalid parameter: size"}),
        ("submission_id={sid}&submissionId=other_xx&type=idImage", {"errorCode": "invalid_parameter",
                                                                   "message": "invalid parameter: submissionId"}),
    ],
)  # fmt: skip
def test_a_query_without_what_it_needs_is_refused(api_client, decided, query, body):
    response = api_client.get(f"{GET_URL}?{query.format(sid=decided.pk)}")

    assert (response.status_code, response.json()) == (400, body)
    assert not AuditEvent.objects.filter(action="submission.image_viewed").exists()


def test_get_needs_the_projects_key(client, decided):
    response = client.get(f"{GET_URL}?submission_id={decided.pk}&type=idImage")

    assert (response.status_code, response.json()) == (403, {"message": "Forbidden"})


# --- PUT /v3/submission/image ----------------------------------------------------------------


def test_it_adds_images_to_a_migrated_submission(api_client, migrated, admin):
    # when
    response = _put(api_client, {"submissionId": migrated.pk, "admin": admin.email, "idType": "passport",
                                 "idImage": b64(photo(color=RED)), "selfieImage": b64(photo(fmt="PNG", color=BLUE))})  # fmt: skip

    # then
    assert (response.status_code, response.json()) == (200, {"message": "complete to update image."})
    front = api_client.get(f"{GET_URL}?submission_id={migrated.pk}&type=idImage")
    selfie = api_client.get(f"{GET_URL}?submission_id={migrated.pk}&type=selfieImage")
    assert (front["Content-Type"], selfie["Content-Type"]) == ("image/jpeg", "image/jpeg")  # re-encoded (G16)
    assert (_colour(front.content), _colour(selfie.content)) == (RED, BLUE)
    migrated.refresh_from_db()
    assert (migrated.claimed_id_type, migrated.selfie_capture) == ("passport", SelfieCapture.UPLOADED)
    assert (migrated.status, migrated.run_state) == ("approved", "decided")
    assert not WebhookOutbox.objects.exists()


def test_it_replaces_an_image_and_deletes_the_old_file_after_commit(
    api_client, decided, admin, settings, django_capture_on_commit_callbacks
):
    # given
    old_files = stored_files(settings.MEDIA_ROOT)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _put(api_client, {"submissionId": decided.pk, "admin": admin.email, "idType": "government_id",
                                     "idImage": "data:image/png;base64," + b64(photo(fmt="PNG", color=BLUE))})  # fmt: skip

    # then
    assert response.status_code == 200
    assert _colour(_stored(decided, ImageKind.ID_FRONT)) == BLUE
    assert SubmissionImage.objects.filter(submission=decided).count() == 1
    new_files = stored_files(settings.MEDIA_ROOT)
    assert len(new_files) == 1
    assert new_files != old_files


def test_the_event_log_names_the_kinds_and_the_admin(api_client, decided, admin):
    # when
    _put(api_client, {"submissionId": decided.pk, "admin": admin.email, "idType": "passport",
                      "idImage": b64(photo()), "idBackImage": b64(photo())})  # fmt: skip

    # then
    [event] = AuditEvent.objects.filter(action="submission.images_replaced")
    assert (event.target_id, event.details) == (
        decided.pk,
        {"images": ["id_back", "id_front"], "replaced": ["id_front"], "admin_user_id": admin.pk},
    )


def test_a_new_selfie_takes_the_old_ones_face_out_of_the_duplicate_index(api_client, decided, admin):
    # given
    face_templates_store(decided, {"selfie": np.ones(128, dtype=np.float32), "portrait": np.ones(128, np.float32)})

    # when
    _put(api_client, {"submissionId": decided.pk, "admin": admin.email, "selfieImage": b64(photo())})

    # then
    assert list(FaceTemplate.objects.filter(submission=decided).values_list("kind", flat=True)) == ["portrait"]
    assert FaceTemplateRemoval.objects.filter(key=f"{decided.pk}:selfie").exists()


def test_a_json_body_is_read_too(api_client, migrated, admin):
    response = api_client.put(PUT_URL, {"submissionId": migrated.pk, "admin": admin.email,
                                        "selfieImage": b64(photo())}, content_type="application/json")  # fmt: skip

    assert response.status_code == 200


def test_a_file_is_read_as_well_as_base64(api_client, migrated, admin):
    upload = SimpleUploadedFile("selfie.png", photo(fmt="PNG", color=BLUE), content_type="image/png")

    response = _put(api_client, {"submissionId": migrated.pk, "admin": admin.email, "selfieImage": upload})

    assert response.status_code == 200
    assert _colour(_stored(migrated, ImageKind.SELFIE)) == BLUE


def test_a_proof_of_address_is_taken_where_the_policy_reads_one(api_client, project, migrated, admin):
    policy_settings_update(project=project, changes={"policy_proof_of_address": True}, actor=ACTOR)

    response = _put(api_client, {"submissionId": migrated.pk, "admin": admin.email, "addressImage": b64(photo())})

    assert response.status_code == 200
    assert _stored(migrated, ImageKind.ADDRESS)


def test_put_needs_the_projects_key(client, migrated, admin):
    response = client.put(PUT_URL, encode_multipart(BOUNDARY, {"submissionId": migrated.pk, "admin": admin.email,
                                                               "selfieImage": b64(photo())}),
                          content_type=MULTIPART_CONTENT)  # fmt: skip

    assert (response.status_code, response.json()) == (403, {"message": "Forbidden"})


# --- refusals: nothing changes ---------------------------------------------------------------


def _state(submission, settings) -> tuple:
    return (
        Submission.objects.values().get(pk=submission.pk),
        list(SubmissionImage.objects.filter(submission=submission).values_list("kind", "sha256", "storage_name")),
        stored_files(settings.MEDIA_ROOT),
        AuditEvent.objects.filter(action="submission.images_replaced").count(),
    )


def _refused(api_client, submission, settings, data, status: int = 400) -> dict:
    before = _state(submission, settings)
    response = _put(api_client, data) if isinstance(data, dict) else data()
    assert response.status_code == status
    assert _state(submission, settings) == before
    return response.json()


def test_one_refused_image_of_several_writes_none_of_them(api_client, decided, admin, settings):
    data = {"submissionId": decided.pk, "admin": admin.email, "idType": "passport", "idImage": b64(photo()),
            "selfieImage": b64(b"not an image at all")}  # fmt: skip

    assert _refused(api_client, decided, settings, data) == {
        "errorCode": "unsupported_format",
        "message": "selfieImage: Send a JPEG, PNG or WebP photo.",
    }


def test_a_failure_while_writing_leaves_no_file_and_no_row(decided, project, admin, settings, monkeypatch):
    # given: storage fails on the second image, after the first one's file was written
    from submissions.services import images as service

    calls = []

    def failing_write(submission, *, kind, jpeg):
        calls.append(kind)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_write(submission, kind=kind, jpeg=jpeg)

    real_write = service.image_file_write
    monkeypatch.setattr(service, "image_file_write", failing_write)
    before = _state(decided, settings)

    # when
    with pytest.raises(OSError, match="disk full"):
        submission_images_update(project=project, submission_id=decided.pk, admin=admin.email, actor=ACTOR,
                                 id_type="passport", images={"id_front": photo(), "id_back": photo()})  # fmt: skip

    # then
    assert _state(decided, settings) == before


def test_a_body_that_does_not_parse(api_client, decided, settings):
    expected = {"errorCode": "invalid_payload", "message": "Fail to parse the input data."}
    for raw, content_type in (("{not json", "application/json"), ("[1]", "application/json"), ("x", "text/plain")):
        put = lambda raw=raw, content_type=content_type: api_client.put(PUT_URL, raw, content_type=content_type)  # noqa: E731
        assert _refused(api_client, decided, settings, put) == expected


@pytest.mark.parametrize("absent", ["submissionId", "admin"])
def test_without_the_submission_or_the_admin(api_client, decided, admin, settings, absent):
    data = {"submissionId": decided.pk, "admin": admin.email, "selfieImage": b64(photo())}
    data[absent] = ""

    assert _refused(api_client, decided, settings, data) == {
        "errorCode": "missing_data",
        "message": "Required input data is missing.",
    }


def test_a_closed_project_is_an_invalid_project(api_client, project, decided, admin, settings):
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.CLOSED)

    data = {"submissionId": decided.pk, "admin": admin.email, "selfieImage": b64(photo())}
    assert _refused(api_client, decided, settings, data) == {"errorCode": "invalid_project",
                                                             "message": "Invalid project."}  # fmt: skip


def test_an_admin_who_is_not_a_member(api_client, decided, settings):
    data = {"submissionId": decided.pk, "admin": MembershipFactory().user.email, "selfieImage": b64(photo())}

    assert _refused(api_client, decided, settings, data) == {"errorCode": "invalid_admin", "message": "Invalid admin."}


def test_an_unknown_another_projects_or_deleted_submission(api_client, project, decided, admin, settings):
    other = decided_submission(MembershipFactory().project)
    gone = decided_submission(project)
    submission_delete(project=project, submission_id=gone.pk, actor=ACTOR)
    expected = {"errorCode": "invalid_submission", "message": "Invalid submission."}

    for target in ("nosuchsubmission_xx", other.pk, gone.pk):
        data = {"submissionId": target, "admin": admin.email, "selfieImage": b64(photo())}
        assert _refused(api_client, decided, settings, data) == expected


def test_without_an_image(api_client, decided, admin, settings):
    data = {"submissionId": decided.pk, "admin": admin.email, "idType": "passport", "selfieImage": ""}

    assert _refused(api_client, decided, settings, data) == {
        "errorCode": "invalid_data",
        "message": "At least one image parameter is required.",
    }


@pytest.mark.parametrize("field", ["idImage", "idBackImage"])
def test_a_document_image_without_its_id_type(api_client, decided, admin, settings, field):
    data = {"submissionId": decided.pk, "admin": admin.email, field: b64(photo())}

    assert _refused(api_client, decided, settings, data) == {
        "errorCode": "missing_data",
        "message": "The idType is required when submit idImage or idBackImage.",
    }


@pytest.mark.parametrize(
    ("extra", "body"),
    [
        ({"idType": "drvlic", "idImage": b64(photo())}, {"errorCode": "invalid_format",
                                                         "message": "invalid format: idType"}),
        ({"selfieImage": "%%% not base64"}, {"errorCode": "invalid_format", "message": "invalid format: selfieImage"}),
        ({"selfieImage": b64(photo()), "colour": "red"}, {"errorCode": "invalid_parameter",
                                                          "message": "invalid parameter: colour"}),
        ({"addressImage": b64(photo())}, {"errorCode": "invalid_parameter",
                                          "message": "invalid parameter: addressImage"}),
        ({"selfieImage": b64(photo(size=(100, 100)))}, {"errorCode": "image_too_small",
                                                        "message": "selfieImage: The image must be at least 200 "
                                                                   "pixels on each side."}),
    ],
)  # fmt: skip
def test_a_field_that_does_not_parse(api_client, decided, admin, settings, extra, body):
    data = {"submissionId": decided.pk, "admin": admin.email, **extra}

    assert _refused(api_client, decided, settings, data) == body


def test_a_submission_being_verified_is_refused(api_client, project, admin, settings):
    # given: just created with its images, its run queued
    queued = submission_create(project=project, source="api", actor=ACTOR, images={"id_front": photo()},
                               details=SubmissionDetails())  # fmt: skip

    # when / then
    data = {"submissionId": queued.pk, "admin": admin.email, "selfieImage": b64(photo())}
    assert _refused(api_client, queued, settings, data, status=409) == {
        "errorCode": "submission_in_progress",
        "message": "This submission is being verified; send its images once its verification is done.",
    }


def test_a_body_over_the_upload_limit_is_the_gateways_413(api_client, decided, admin, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    data = {"submissionId": decided.pk, "admin": admin.email, "selfieImage": b64(photo(size=(800, 800)))}

    assert _refused(api_client, decided, settings, data, status=413) == {"message": "Request Entity Too Large"}
