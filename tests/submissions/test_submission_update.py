"""``submission_update``: an admin changes a decided submission's data or status (spec §2.4, §4.7).
Each change is one locked transaction with one Event Log entry (names, no values) and one
``updated`` outbox row listing the names that really changed; refusals change nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

import pytest
from django.db import connection

from policy.evidence import DuplicateEvidence, DuplicateMatch, Evidence
from projects.actors import Actor
from projects.models import AuditEvent
from submissions import vault
from submissions.api.serializers import item_json
from submissions.models import RunState, Submission, SubmissionStatus
from submissions.selectors import submission_view
from submissions.services import SubmissionDetails, submission_create, submission_delete
from submissions.services.delete import SubmissionNotFound
from submissions.services.update import SubmissionUpdateRefused, submission_update
from submissions.webhook_payloads import fill_personal_fields
from tests.factories import MembershipFactory, UserFactory
from tests.policy.builders import genuine
from tests.submissions.api.helpers import photo
from webhooks.models import WebhookOutbox

ACTOR = Actor.system("test")


def decided_submission(project, *, status: str = SubmissionStatus.APPROVED, evidence: Evidence | None = None):
    """A submission as a run leaves it decided: metadata and the genuine passport's evidence sealed
    (ERIKSSON ANNA MARIA, F, UTO, born 1990-01-31), without running the engines."""
    submission = submission_create(
        project=project,
        source="api",
        actor=ACTOR,
        images={"id_front": photo()},
        details=SubmissionDetails(email="person@example.com", userid="user-7"),
    )
    sealed = vault.seal_json(submission, (evidence or genuine()).to_json(), context=vault.EVIDENCE_CONTEXT)
    Submission.objects.filter(pk=submission.pk).update(
        status=status,
        run_state=RunState.DECIDED,
        decided_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        reviewer="system",
        sealed_evidence=sealed,
        applicant_id="a" * 20 if status == SubmissionStatus.APPROVED else "",
        kyc_comment_code=["expired_id"] if status == SubmissionStatus.REJECTED else [],
        kyc_comment=["ID cards have already expired."] if status == SubmissionStatus.REJECTED else [],
    )
    submission.refresh_from_db()
    return submission


def admin_of(project):
    return MembershipFactory(project=project).user


def row(submission) -> dict:
    return Submission.objects.values().get(pk=submission.pk)


def data_of(submission) -> dict:
    submission.refresh_from_db()
    return item_json(submission_view(submission))["data"]


def updates(submission) -> list[dict]:
    return list(
        WebhookOutbox.objects.filter(resource_id=submission.pk, event="updated").values_list("payload", flat=True)
    )


def update_events(project) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(project=project, action="submission.updated"))


def refusal(project, submission, changes: dict, *, admin: str | None = None) -> str:
    """The refusal's message, after checking that it changed nothing."""
    before = row(submission)
    with pytest.raises(SubmissionUpdateRefused) as refused:
        submission_update(project=project, submission_id=submission.pk, changes=changes,
                          admin=admin_of(project).email if admin is None else admin, actor=ACTOR)  # fmt: skip
    assert row(submission) == before
    assert update_events(project) == []
    assert updates(submission) == []
    return refused.value.message


@pytest.fixture
def approved(project):
    return decided_submission(project)


def test_it_changes_the_named_properties_and_get_shows_them(project, approved):
    # given
    admin = admin_of(project)

    # when
    result = submission_update(
        project=project,
        submission_id=approved.pk,
        changes={
            "first_name": "ANNA",
            "birthDate": "1990-02-01",
            "identityNumber": "900201-2345678",
            "nationality": "SWE",
        },
        admin=admin.email,
        actor=ACTOR,
    )

    # then
    assert result.changed == ("fullName", "first_name", "nationality", "birthDate", "identityNumber")  # full_name too
    data = data_of(approved)
    assert (data["first_name"], data["full_name"], data["date_of_birth"], data["identityNumber"]) == (
        "ANNA", "ERIKSSON ANNA", "1990-02-01", "900201-2345678",
    )  # fmt: skip
    assert (data["last_name"], data["gender"], data["nationality"]) == ("ERIKSSON", "female", "SWE")
    assert (approved.status, approved.nationality) == (SubmissionStatus.APPROVED, "SWE")  # the list's filter column


def test_it_records_the_names_only_and_emits_one_updated_event(project, approved):
    # given
    admin = admin_of(project)

    # when
    submission_update(project=project, submission_id=approved.pk, admin=admin.email.upper(), actor=ACTOR,
                      changes={"documentNumber": "X1234567", "gender": "male", "nationality": "UTO"})  # fmt: skip

    # then: nationality was UTO already, so it is not listed
    (event,) = update_events(project)
    assert event.details == {"fields": ["gender", "documentNumber"], "admin_user_id": admin.pk,
                             "previous_status": "approved", "status": "approved"}  # fmt: skip
    assert event.target_id == approved.pk
    (payload,) = updates(approved)
    approved.refresh_from_db()
    assert payload == {
        "webhook_trigger": "updated",
        "submission_id": approved.pk,
        "data": {"update": ["gender", "documentNumber"], "kyc_result": "approved", "reviewer": "system"},
        "admin": admin.email,
        "update_time": payload["update_time"],
    }
    assert dt.datetime.fromisoformat(payload["update_time"].replace("Z", "+00:00")) == approved.updated_at.replace(
        microsecond=approved.updated_at.microsecond // 1000 * 1000
    )
    assert "X1234567" not in str(event.details)
    assert "X1234567" not in str(payload)


def test_a_change_to_the_same_values_writes_nothing(project, approved):
    # given
    admin = admin_of(project)
    before = row(approved)

    # when
    result = submission_update(project=project, submission_id=approved.pk, admin=admin.email, actor=ACTOR,
                               changes={"kycStatus": "approved", "fullName": "ERIKSSON ANNA MARIA"})  # fmt: skip

    # then
    assert result.changed == ()
    assert row(approved) == before
    assert update_events(project) == []
    assert updates(approved) == []


def test_a_full_name_is_split_at_its_first_space_and_lists_the_parts_that_changed(project, approved):
    # when
    result = submission_update(project=project, submission_id=approved.pk, admin=admin_of(project).email,
                               actor=ACTOR, changes={"fullName": "LINDQVIST ANNA MARIA"})  # fmt: skip

    # then
    assert result.changed == ("fullName", "last_name")
    data = data_of(approved)
    assert (data["last_name"], data["first_name"], data["full_name"]) == (
        "LINDQVIST",
        "ANNA MARIA",
        "LINDQVIST ANNA MARIA",
    )


def test_a_corrected_identity_gets_a_new_di(project, approved):
    # given: a first correction made the DI of ERIKSSON ANNA
    submission_update(project=project, submission_id=approved.pk, admin=admin_of(project).email, actor=ACTOR,
                      changes={"first_name": "ANNA"})  # fmt: skip
    approved.refresh_from_db()
    original = approved.duplicated_information
    assert len(original) == 64

    # when
    submission_update(project=project, submission_id=approved.pk, admin=admin_of(project).email, actor=ACTOR,
                      changes={"last_name": "LINDQVIST"})  # fmt: skip

    # then
    approved.refresh_from_db()
    assert len(approved.duplicated_information) == 64
    assert approved.duplicated_information != original


def test_rejecting_an_approved_submission_uses_code_other_and_drops_the_applicant_id(project, approved):
    # given
    admin = admin_of(project)

    # when
    result = submission_update(project=project, submission_id=approved.pk, admin=admin.email, actor=ACTOR,
                               changes={"kycStatus": "rejected"}, comment="The document was stolen.")  # fmt: skip

    # then
    assert result.changed == ("kycStatus",)
    approved.refresh_from_db()
    assert (approved.status, approved.reviewer, approved.kyc_comment, approved.kyc_comment_code, approved.applicant_id) == (
        "rejected", admin.email, ["The document was stolen."], ["other"], "",
    )  # fmt: skip
    assert approved.decided_at > dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    (event,) = update_events(project)
    assert (event.details["previous_status"], event.details["status"]) == ("approved", "rejected")
    (payload,) = updates(approved)
    assert payload["data"] == {"update": ["kycStatus"], "kyc_result": "rejected", "reviewer": admin.email}
    assert list(WebhookOutbox.objects.filter(resource_id=approved.pk).values_list("event", flat=True)) == [
        "created", "updated",
    ]  # fmt: skip


def test_a_rejection_without_a_comment_gets_the_default_comment(project, approved):
    # when
    submission_update(project=project, submission_id=approved.pk, admin=admin_of(project).email, actor=ACTOR,
                      changes={"kycStatus": "rejected"})  # fmt: skip

    # then
    approved.refresh_from_db()
    assert approved.kyc_comment == ["Rejected by the project's administrator."]


def test_approving_a_rejected_submission_clears_the_comments_and_joins_the_earliest_applicant(project):
    # given: an approved submission of the same person (same DI) is in the project
    first = decided_submission(project)
    Submission.objects.filter(pk=first.pk).update(applicant_id="b" * 20)
    evidence = dataclasses.replace(genuine(), duplicates=DuplicateEvidence(di=(DuplicateMatch(first.pk, "approved"),)))
    rejected = decided_submission(project, status=SubmissionStatus.REJECTED, evidence=evidence)

    # when
    submission_update(project=project, submission_id=rejected.pk, admin=admin_of(project).email, actor=ACTOR,
                      changes={"kycStatus": "approved"})  # fmt: skip

    # then
    rejected.refresh_from_db()
    assert (rejected.status, rejected.kyc_comment, rejected.kyc_comment_code, rejected.applicant_id) == (
        "approved", [], [], "b" * 20,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"colour": "red"}, "Unknown property: colour."),
        ({"x" * 5000: "red"}, f"Unknown property: {'x' * 40}…."),
        ({"privacyShield": "on"}, "privacyShield cannot be changed: ID Check holds no such value."),
        ({"kycStatus": "pending"}, "Invalid value for kycStatus: approved or rejected."),
        ({"idType": "library_card"}, "Invalid value for idType: one of government_id, drivers_license, passport, "
                                     "residence_permit, vehicle_registration_certificate, visa, aadhaar, pancard."),
        ({"nationality": "se"}, "Invalid value for nationality: three capital letters (ISO 3166-1 alpha-3)."),
        ({"gender": "M"}, "Invalid value for gender: male or female."),
        ({"birthDate": "1990-02-30"}, "Invalid value for birthDate: a past date as YYYY-MM-DD."),
        ({"birthDate": "2999-01-01"}, "Invalid value for birthDate: a past date as YYYY-MM-DD."),
        ({"expireDate": 20300101}, "Invalid value for expireDate: a date as YYYY-MM-DD."),
        ({"first_name": "  "}, "Invalid value for first_name: a name of up to 200 printable characters."),
        ({"documentNumber": "X1;DROP"}, "Invalid value for documentNumber: up to 64 letters, digits, spaces, "
                                        "dots, slashes or hyphens."),
        ({"fullName": "A B", "last_name": "A"}, "fullName cannot be changed together with first_name or last_name."),
        ({}, "At least one property to modify is required."),
    ],
)  # fmt: skip
def test_unknown_names_and_invalid_values_are_refused_and_change_nothing(project, approved, changes, message):
    # when / then
    assert refusal(project, approved, changes) == message


@pytest.mark.parametrize(
    ("admin", "message"),
    [("", "admin is required."), ("stranger@example.com", "admin is not a member of this project.")],
)
def test_an_admin_who_is_not_a_member_is_refused(project, approved, admin, message):
    # given: an account that exists, but in no membership of this project
    UserFactory(email="stranger@example.com")

    # when / then
    assert refusal(project, approved, {"gender": "male"}, admin=admin) == message


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("pending", "Only an approved or rejected submission can change its kycStatus; this one is pending and "
                    "is decided by a review."),
        ("incomplete", "Only an approved or rejected submission can change its kycStatus; this one is incomplete."),
    ],
)  # fmt: skip
def test_the_status_of_an_undecided_submission_cannot_be_changed(project, status, message):
    # given
    submission = decided_submission(project, status=status)

    # when / then
    assert refusal(project, submission, {"kycStatus": "approved"}) == message


def test_a_submission_without_evidence_refuses_document_properties(project):
    # given: created, never verified
    submission = submission_create(project=project, source="api", actor=ACTOR, images={"id_front": photo()},
                                   details=SubmissionDetails())  # fmt: skip
    Submission.objects.filter(pk=submission.pk).update(run_state=RunState.WAITING)

    # when / then
    message = refusal(project, submission, {"nationality": "SWE"})
    assert message == "nationality cannot be changed: this submission has no document data yet."


def test_a_submission_being_verified_is_refused(project, approved):
    # given
    Submission.objects.filter(pk=approved.pk).update(run_state=RunState.PROCESSING)

    # when / then
    message = refusal(project, approved, {"gender": "male"})
    assert message == "This submission is being verified; change it once its verification is done."


def test_a_deleted_or_unknown_submission_is_not_found(project, approved):
    # given
    submission_delete(project=project, submission_id=approved.pk, actor=ACTOR)
    admin = admin_of(project).email

    # when / then
    for submission_id in (approved.pk, "nosuchsubmission_xx"):
        with pytest.raises(SubmissionNotFound):
            submission_update(project=project, submission_id=submission_id, changes={"gender": "male"},
                              admin=admin, actor=ACTOR)  # fmt: skip
    assert update_events(project) == []


def test_the_same_idempotency_key_replays_without_a_second_event(project, approved):
    # given
    admin = admin_of(project).email
    request = {"project": project, "submission_id": approved.pk, "changes": {"gender": "male"}, "admin": admin}
    submission_update(**request, actor=ACTOR, idempotency_key="k-1")

    # when
    again = submission_update(**request, actor=ACTOR, idempotency_key="k-1")

    # then
    assert again.submission.pk == approved.pk
    assert len(update_events(project)) == 1
    assert len(updates(approved)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_admins_changing_at_once_both_count_in_turn(project):
    # given: the row lock serialises them; the second re-reads the first one's evidence
    submission = decided_submission(project)
    admin = admin_of(project).email
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def change(changes: dict) -> None:
        try:
            barrier.wait()
            submission_update(project=project, submission_id=submission.pk, changes=changes, admin=admin, actor=ACTOR)
        except BaseException as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=change, args=(c,)) for c in ({"first_name": "ANNA"}, {"last_name": "BERG"})]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then: both corrections are there (no lost update) and each has its own event
    assert errors == []
    data = data_of(submission)
    assert (data["first_name"], data["last_name"]) == ("ANNA", "BERG")
    assert sorted(tuple(payload["data"]["update"]) for payload in updates(submission)) == [
        ("fullName", "first_name"), ("fullName", "last_name"),
    ]  # fmt: skip


def test_the_updated_webhook_is_filled_with_the_corrected_identity_at_delivery(project, approved):
    # given
    submission_update(project=project, submission_id=approved.pk, admin=admin_of(project).email, actor=ACTOR,
                      changes={"first_name": "ANNA", "nationality": "SWE"})  # fmt: skip
    (payload,) = updates(approved)

    # when: what the first delivery attempt renders
    filled = fill_personal_fields(project, "updated", approved.pk, payload)

    # then
    assert (filled["first_name"], filled["full_name"], filled["nationality"]) == ("ANNA", "ERIKSSON ANNA", "SWE")
    assert (filled["email"], filled["userid"]) == ("person@example.com", "user-7")
    assert filled["data"] == {"update": ["fullName", "first_name", "nationality"], "kyc_result": "approved",
                              "reviewer": "system"}  # fmt: skip
