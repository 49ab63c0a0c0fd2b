"""G19: deleting a verified submission forgets it everywhere we can look (database, media, Redis,
face index, duplicate checks), once; a partial deletion removes only what it names.

The submissions here go through the real intake and the real engines (a passport specimen whose
portrait is a real face, and a selfie of the same man), as in ``test_duplicates_run``.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import pytest
from django.db import connection

from idcheck.redis import redis_client
from policy.rules import RuleSet
from policy.settings import PolicySettings
from projects.actors import Actor
from projects.models import AuditEvent
from submissions import vault
from submissions.duplicates import face_indexes_reset, project_face_index
from submissions.duplicates.face_index import face_templates_load, template_key
from submissions.lookups import email_lookup, userid_lookup
from submissions.models import CheckResult, FaceTemplate, Submission, SubmissionImage
from submissions.selectors import submission_view
from submissions.services import (
    SubmissionDetails,
    process,
    submission_create,
    submission_delete,
    submission_process,
)
from submissions.services.update import submission_update
from tests.factories import MembershipFactory
from tests.submissions.api.helpers import passport_case, stored_files
from webhooks.models import WebhookOutbox

ACTOR = Actor.system("test")
URL = "/v3/submission"
SCANNED_TYPES = ("text", "character varying", "character", "json", "jsonb", "bytea")


def _canaries() -> dict[str, str]:
    tag = secrets.token_hex(6)
    return {"email": f"canary.{tag}@example.com", "userid": f"canary-user-{tag}", "cf1": f"canary-cf1-{tag}"}


def _submit_and_run(project, monkeypatch, **details) -> Submission:
    case = passport_case()
    submission = submission_create(project=project, source="api", actor=ACTOR,
                                   images={"id_front": case.front, "selfie": case.selfie},
                                   details=SubmissionDetails(**details))  # fmt: skip
    monkeypatch.setattr(process, "project_policy", lambda project: (PolicySettings(), RuleSet()))
    assert submission_process(submission_id=submission.id) is not None
    submission.refresh_from_db()
    return submission


def _duplicates(submission: Submission) -> dict:
    return vault.open_json(submission, submission.sealed_evidence, context=vault.EVIDENCE_CONTEXT)["duplicates"]


def database_hits(needle: str) -> list[str]:
    """``table.column`` of every text, JSON or bytea value in the database containing ``needle``
    (any case for text and JSON; its UTF-8 bytes for bytea): a ``pg_dump | grep`` by query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type = ANY(%s)",
            [list(SCANNED_TYPES)],
        )
        columns = cursor.fetchall()
        hits = []
        for table, column, data_type in columns:
            if data_type == "bytea":
                condition = f"position(convert_to(%s, 'UTF8') in \"{column}\") > 0"
            else:
                condition = f'"{column}"::text ILIKE %s'
                needle_param = f"%{needle}%"
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE {condition}',  # noqa: S608 (names from the catalogue)
                [needle if data_type == "bytea" else needle_param],
            )
            if cursor.fetchone()[0]:
                hits.append(f"{table}.{column}")
        return hits


def media_hits(root: str, needle: str) -> list[Path]:
    return [path for path in stored_files(root) if needle.encode() in path.read_bytes()]


def _redis_values(client, key: bytes) -> list:
    kind = client.type(key).decode()
    if kind == "string":
        return [client.get(key)]
    if kind == "hash":
        return [*client.hkeys(key), *client.hvals(key)]
    if kind == "list":
        return client.lrange(key, 0, -1)
    if kind == "set":
        return list(client.smembers(key))
    if kind == "zset":
        return client.zrange(key, 0, -1)
    return []


def redis_hits(needle: str) -> list[str]:
    """Every key of the Redis database whose name or value holds ``needle``."""
    client = redis_client()
    assert client is not None, "run with REDIS_URL set"
    found = []
    for key in client.scan_iter(count=1000):
        if any(needle.encode() in (part or b"") for part in [key, *_redis_values(client, key)]):
            found.append(key.decode(errors="replace"))
    return found


@pytest.mark.django_db
def test_a_deleted_submission_is_forgotten_everywhere_once(api_client, project, monkeypatch, settings,
                                                           django_capture_on_commit_callbacks):  # fmt: skip
    # given: a verified submission with canaries in every field the submitter gave
    face_indexes_reset()
    admin = MembershipFactory(project=project).user
    canaries = _canaries()
    submission = _submit_and_run(project, monkeypatch, **canaries)
    fields = submission_view(submission).evidence.document.fields
    canaries |= {"surname": fields.surname, "given_names": fields.given_names, "number": fields.document_number}
    assert all(canaries.values())
    assert submission.status == "approved"
    assert len(submission.duplicated_information) == 64
    faces = face_templates_load(submission)
    assert set(faces) == {"portrait", "selfie"}
    assert len(stored_files(settings.MEDIA_ROOT)) == 2
    assert (submission.email_lookup, submission.userid_lookup) == (email_lookup(canaries["email"]),
                                                                   userid_lookup(canaries["userid"]))  # fmt: skip
    assert database_hits(submission.id)  # the scanner finds what is there
    project.refresh_from_db()
    credits = project.credits

    # when
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.delete(f"{URL}?submission_id={submission.id}&admin_name={admin.email}")
    took = time.perf_counter() - started

    # then: the spec's answer, well within the goal's 60 seconds (all of it happens in the request)
    assert took < 60
    assert response.status_code == 200
    assert response.json() == {
        "message": "success",
        "content": f"Submission {submission.id} deleted successfully.",
        "statusCode": 200,
    }
    # no canary in any table, file or Redis value; no file at all; the data key is gone
    for name, value in canaries.items():
        assert database_hits(value) == [], name
        assert media_hits(settings.MEDIA_ROOT, value) == [], name
        assert redis_hits(value) == [], name
    assert stored_files(settings.MEDIA_ROOT) == []
    submission.refresh_from_db()
    assert submission.wrapped_data_key is None
    assert (submission.sealed_metadata, submission.sealed_evidence, submission.sealed_decision) == (None,) * 3
    assert not SubmissionImage.objects.filter(submission=submission).exists()
    assert not CheckResult.objects.filter(submission=submission).exists()
    assert not FaceTemplate.objects.filter(submission=submission).exists()
    assert (submission.duplicated_information, submission.applicant_id) == ("", "")
    assert (submission.email_lookup, submission.userid_lookup) == ("", "")
    # the tombstone: id, dates, status and ID type stay; GET still lists it, without personal data
    assert submission.status == "approved"
    [item] = api_client.get(f"{URL}?submission_id={submission.id}").json()["Items"]
    assert item["kyc"]["result"] == "approved"
    assert "email" not in item
    assert "data" not in item
    # the face index of this process and a freshly built one no longer find the face
    for index in (project_face_index(project.pk), None):
        if index is None:
            face_indexes_reset()
            index = project_face_index(project.pk)
        index.sync()
        keys = {key for vector in faces.values() for key, _ in index.search(vector, min_cosine=0.3)}
        assert keys.isdisjoint({template_key(submission.id, kind) for kind in faces})
    # one Event Log entry, one PII-free delete webhook, no refund
    [event] = AuditEvent.objects.filter(project=project, action="submission.deleted")
    assert event.target_id == submission.id
    [outbox] = WebhookOutbox.objects.filter(project=project, event="delete")
    assert set(outbox.payload) == {"webhook_trigger", "submission_id", "account_email", "delete_time"}
    assert (outbox.payload["submission_id"], outbox.payload["account_email"]) == (submission.id, admin.email)
    project.refresh_from_db()
    assert project.credits == credits

    # when: deleted again
    again = api_client.delete(f"{URL}?submissionId={submission.id}&admin_name={admin.email}")

    # then: not found, and nothing more happened
    assert again.status_code == 400
    assert again.json() == {"message": "not Exist Submission Data", "statusCode": 400}
    assert AuditEvent.objects.filter(project=project, action="submission.deleted").count() == 1
    assert WebhookOutbox.objects.filter(project=project, event="delete").count() == 1

    # when: the same person comes again
    second = _submit_and_run(project, monkeypatch, email="again@example.com")

    # then: the deleted submission is no duplicate of it, neither by DI nor by face
    found = _duplicates(second)
    assert (found["di"], found["face"], found["same_person"]) == ([], [], [])
    assert len(second.duplicated_information) == 64  # it has a DI: there is just nobody to match


@pytest.mark.django_db
def test_a_partial_deletion_of_a_di_field_removes_only_it_and_the_submission_from_di_checks(
    api_client, project, monkeypatch
):
    # given: a verified submission
    face_indexes_reset()
    first = _submit_and_run(project, monkeypatch, email="first@example.com", cf1="crm-1", cf2="crm-2")
    before = submission_view(first).evidence.document.fields
    assert before.birth_date is not None

    assert CheckResult.objects.filter(submission=first, step="document_front", sealed_result__isnull=False).exists()

    # when: its date of birth, cf1 and the raw OCR are deleted
    response = api_client.delete(
        f"{URL}/partial?submission_id={first.id}&fields=data,OCR_raw&data_fields=date_of_birth,cf1"
    )

    # then: those are gone, everything else still opens
    assert response.status_code == 200
    assert response.json()["message"] == "success"
    first.refresh_from_db()
    view = submission_view(first)
    assert view.evidence.document.fields.birth_date is None
    assert view.evidence.document.fields.surname == before.surname
    assert view.evidence.document.fields.document_number == before.document_number
    assert view.metadata == {"email": "first@example.com", "userid": "", "cf2": "crm-2", "cf3": ""}
    assert (first.duplicated_information, first.duplicate_exclusions) == ("", ["di"])
    assert FaceTemplate.objects.filter(submission=first).count() == 2
    assert first.wrapped_data_key is not None
    readings = CheckResult.objects.filter(submission=first, step__in=["document_front", "document_back"])
    assert readings.exists()
    assert not readings.filter(sealed_result__isnull=False).exists()
    assert CheckResult.objects.filter(submission=first, step="face", sealed_result__isnull=False).exists()

    # when: the same person comes again
    second = _submit_and_run(project, monkeypatch, email="second@example.com")

    # then: not caught by DI any more, still by face (the images were not deleted)
    found = _duplicates(second)
    assert found["di"] == []
    assert [m["submission_id"] for m in found["face"]] == [first.id]


@pytest.mark.django_db
def test_a_queued_verification_of_a_deleted_submission_does_nothing(project):
    # given: a submission waiting for its run
    case = passport_case()
    submission = submission_create(project=project, source="api", actor=ACTOR,
                                   images={"id_front": case.front}, details=SubmissionDetails(email="q@example.com"))  # fmt: skip
    assert submission.run_state == "queued"

    # when: it is deleted, then its task is delivered
    submission_delete(project=project, submission_id=submission.id, actor=ACTOR)
    result = submission_process(submission_id=submission.id)

    # then: the run found nothing to claim and stored nothing
    assert result is None
    submission.refresh_from_db()
    assert (submission.run_state, submission.failure_reason) == ("failed", "deleted")
    assert not CheckResult.objects.filter(submission=submission).exists()
    assert submission.duplicated_information == ""


@pytest.mark.django_db
def test_a_partial_deletion_of_data_forgets_what_a_patch_added_to_it(api_client, project, monkeypatch):
    # given: a verified submission whose identity number, issue date and serial number an admin added
    admin = MembershipFactory(project=project).user
    submission = _submit_and_run(project, monkeypatch, email="p@example.com", cf1="crm-1")
    submission_update(project=project, submission_id=submission.id, admin=admin.email, actor=ACTOR,
                      changes={"identityNumber": "900101-1234567", "issueDate": "2020-05-01",
                               "serialNumber": "SN12345"})  # fmt: skip
    submission.refresh_from_db()
    assert {"identityNumber", "idcard_issueDate", "serialNumber"} <= set(submission_view(submission).metadata)

    # when: the identity number alone, then the whole of data
    one = api_client.delete(f"{URL}/partial?submission_id={submission.id}&fields=data&data_fields=identityNumber")
    whole = api_client.delete(f"{URL}/partial?submission_id={submission.id}&fields=data")

    # then
    assert (one.status_code, whole.status_code) == (200, 200)
    submission.refresh_from_db()
    assert submission_view(submission).metadata == {"email": "p@example.com", "userid": ""}
