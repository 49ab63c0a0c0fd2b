"""DI and Custom DI: computed only from complete inputs, found within the project, decided by the
engine for both prevention settings, forgotten by a (partial) deletion."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from policy.engine import decide
from policy.evidence import Evidence, FaceEvidence, LivenessEvidence, Timestamps
from policy.settings import PolicySettings
from projects.actors import Actor
from projects.services import project_settings_update
from submissions.duplicates import duplicates_forget, duplicates_lookup
from submissions.duplicates.identity import custom_di_text, di_text, hash_di
from submissions.duplicates.services import forgotten_components
from submissions.models import Submission
from tests.factories import ProjectFactory
from tests.submissions.duplicates_helpers import ago, keyed_submission, person

pytestmark = pytest.mark.django_db

FULL = {"surname": "HONG", "given_names": "GILDONG", "birth_date": dt.date(1992, 6, 13), "sex": "M",
        "nationality": "KOR"}  # fmt: skip


@pytest.mark.parametrize("missing", ["surname", "given_names", "birth_date", "sex", "nationality"])
def test_no_di_unless_name_birth_date_sex_and_nationality_all_exist(missing):
    # given
    inputs = {**FULL, missing: None}

    # then
    assert di_text(**inputs) is None
    assert di_text(**{**inputs, "sex": "<"} if missing != "sex" else inputs) is None


def test_di_is_the_same_for_spellings_that_normalise_alike_and_differs_otherwise():
    # given
    one = di_text(surname="Müller-Lüdenscheidt", given_names="anna  maria", birth_date=dt.date(1990, 1, 31),
                  sex="f", nationality="uto")  # fmt: skip
    two = di_text(surname="MULLER LUDENSCHEIDT", given_names="ANNA MARIA", birth_date=dt.date(1990, 1, 31),
                  sex="F", nationality="UTO")  # fmt: skip
    other = di_text(surname="MULLER LUDENSCHEIDT", given_names="ANNA MARIA", birth_date=dt.date(1990, 1, 30),
                    sex="F", nationality="UTO")  # fmt: skip

    # then: a keyed hash (64 hex), never the plain text
    assert one == two
    assert one != other
    assert hash_di(one) == hash_di(two) != hash_di(other)
    assert len(hash_di(one)) == 64
    assert "MULLER" not in hash_di(one)


def test_custom_di_needs_every_chosen_value():
    values = {"email": " P@Example.com ", "cf1": "crm-7", "userid": ""}
    assert custom_di_text(values, ["email", "cf1"]) == custom_di_text({"email": "p@example.com", "cf1": "CRM 7"},
                                                                      ["cf1", "email"])  # fmt: skip
    assert custom_di_text(values, ["email", "userid"]) is None
    assert custom_di_text(values, []) is None


def _evidence(submission: Submission, document, duplicates) -> Evidence:
    now = timezone.now()
    return Evidence(
        timestamps=Timestamps(created_at=submission.created_at, submitted_at=now, evaluated_at=now),
        document=document,
        face=FaceEvidence(similarity=80.0, match=True),
        liveness=LivenessEvidence(decision="passed", score=0.99),
        duplicates=duplicates,
    )


def test_the_same_person_twice_in_a_project_is_caught_and_the_engine_decides_per_setting():
    # given: an approved first submission of the person
    project = ProjectFactory()
    first = keyed_submission(project, created_at=ago(days=3), status="approved", decided_at=ago(days=3))
    duplicates_lookup(first, document=person())
    second = keyed_submission(project)

    # when
    found = duplicates_lookup(second, document=person(document_number="X1234567"))  # a new passport, same person

    # then: the DI is stored (hash only) and the first submission is reported with its status and time
    second.refresh_from_db()
    assert second.duplicated_information == Submission.objects.get(pk=first.pk).duplicated_information != ""
    assert [(m.submission_id, m.status) for m in found.di] == [(first.pk, "approved")]
    assert found.di[0].decided_at == first.decided_at
    assert [m.submission_id for m in found.same_person] == [first.pk]
    evidence = _evidence(second, person(), found)
    # prevention on: rejected with the exact-PII code
    prevented = decide(evidence, PolicySettings(reject_duplicate_user=True))
    assert (prevented.status, prevented.reject_code) == ("rejected", "duplicated_user_PII_exact")
    # prevention off (the default): not rejected for it, but the trace notes the duplicate
    allowed = decide(evidence, PolicySettings())
    assert allowed.reject_code != "duplicated_user_PII_exact"
    assert any(step["name"] == "di_duplicate" for step in allowed.to_json()["trace"])
    # the approve period (7 days) rejects the approved person's resubmission with duplicate_user
    period = decide(evidence, PolicySettings(approve_period_days=7))
    assert (period.status, period.reject_code) == ("rejected", "duplicate_user")


def test_a_rejected_earlier_submission_is_no_duplicate_but_counts_for_the_reject_period():
    project = ProjectFactory()
    first = keyed_submission(project, created_at=ago(days=2), status="rejected", decided_at=ago(days=2))
    duplicates_lookup(first, document=person())
    second = keyed_submission(project)

    found = duplicates_lookup(second, document=person())
    evidence = _evidence(second, person(), found)

    assert decide(evidence, PolicySettings(reject_duplicate_user=True)).reject_code is None
    assert decide(evidence, PolicySettings(reject_period_days=1)).reject_code is None
    assert decide(evidence, PolicySettings(reject_period_days=3)).reject_code == "duplicate_user"


def test_across_projects_the_di_value_is_the_same_but_no_project_sees_the_others_submissions():
    # given: the person approved in project A
    first = keyed_submission(ProjectFactory(), created_at=ago(hours=1), status="approved", decided_at=ago(hours=1))
    duplicates_lookup(first, document=person())
    in_b = keyed_submission(ProjectFactory())

    # when
    found = duplicates_lookup(in_b, document=person())

    # then (spec §8.6: the DI value is kept across projects; look-ups are per project)
    in_b.refresh_from_db()
    first.refresh_from_db()
    assert in_b.duplicated_information == first.duplicated_information
    assert found.di == ()
    assert found.same_person == ()


def test_a_later_submission_does_not_catch_an_earlier_ones_re_run():
    # given: an earlier decided submission, caught by a later one of the same person
    project = ProjectFactory()
    earlier = keyed_submission(project, created_at=ago(hours=2), status="approved", decided_at=ago(hours=2))
    duplicates_lookup(earlier, document=person())
    later = keyed_submission(project, created_at=ago(hours=1))
    assert [m.submission_id for m in duplicates_lookup(later, document=person()).di] == [earlier.pk]

    # when: the earlier one is verified again
    found = duplicates_lookup(earlier, document=person())

    # then: the later one does not count against it
    assert found.di == ()


def test_an_earlier_submission_that_runs_after_a_later_one_catches_it():
    # given: a Liveform submission opened first but verified last (its photos came late), and a
    # later-created submission of the same person that was verified meanwhile (it could not see
    # the first: no DI was recorded for it yet)
    project = ProjectFactory()
    earlier = keyed_submission(project, created_at=ago(hours=2))
    later = keyed_submission(project, created_at=ago(hours=1), status="approved", decided_at=ago(minutes=30))
    assert duplicates_lookup(later, document=person()).di == ()

    # when
    found = duplicates_lookup(earlier, document=person())

    # then
    assert [(m.submission_id, m.status) for m in found.di] == [(later.pk, "approved")]
    assert [m.submission_id for m in found.same_person] == [later.pk]


def test_without_all_four_fields_there_is_no_di_and_no_duplicate():
    project = ProjectFactory()
    first = keyed_submission(project, created_at=ago(days=1), status="approved", decided_at=ago(days=1))
    duplicates_lookup(first, document=person(sex=None))
    second = keyed_submission(project)

    found = duplicates_lookup(second, document=person(sex=None))

    second.refresh_from_db()
    assert second.duplicated_information == ""
    assert found.di == ()


def test_custom_di_over_the_projects_chosen_fields():
    # given: the project combines e-mail and document number
    project = ProjectFactory()
    project_settings_update(project=project, changes={"custom_di_fields": ["email", "documentNumber"]},
                            actor=Actor.system("test"))  # fmt: skip
    first = keyed_submission(project, created_at=ago(days=1), status="pending", metadata={"email": "a@example.com"})
    duplicates_lookup(first, document=person())
    same = keyed_submission(project, metadata={"email": "A@example.com "})
    other = keyed_submission(project, metadata={"email": "b@example.com"})
    no_email = keyed_submission(project)

    # then
    assert [m.submission_id for m in duplicates_lookup(same, document=person()).custom_di] == [first.pk]
    assert duplicates_lookup(other, document=person()).custom_di == ()
    assert duplicates_lookup(no_email, document=person()).custom_di == ()
    no_email.refresh_from_db()
    assert no_email.custom_duplicated_information == ""
    decision = decide(
        _evidence(same, person(), duplicates_lookup(same, document=person())),
        PolicySettings(reject_duplicate_user=True),
    )
    # the DI (same person) takes precedence over the Custom DI's duplicate_user
    assert decision.reject_code == "duplicated_user_PII_exact"


def test_the_custom_di_setting_refuses_unknown_fields():
    from projects.services.projects import InvalidSettings

    with pytest.raises(InvalidSettings, match="Unknown fields: shoe_size"):
        project_settings_update(project=ProjectFactory(), changes={"custom_di_fields": ["email", "shoe_size"]},
                                actor=Actor.system("test"))  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "data_fields", "expected"),
    [
        (None, None, {"di", "custom_di", "portrait", "selfie", "applicant_id"}),
        (["duplicated_information"], None, {"di"}),
        (["data"], None, {"di", "custom_di"}),
        (["data"], ["date_of_birth"], {"di"}),
        (["data"], ["documentNumber"], {"custom_di"}),
        (["data"], ["address_city"], set()),
        (["email"], None, {"custom_di"}),
        (["selfie_image", "id_image"], None, {"portrait", "selfie"}),
        (["custom_duplicated_information", "applicant_id"], None, {"custom_di", "applicant_id"}),
    ],
)
def test_which_components_a_deletion_removes(fields, data_fields, expected):
    assert forgotten_components(fields, data_fields, ["email", "documentNumber"]) == expected


def test_a_partial_deletion_of_a_di_field_removes_the_submission_from_future_checks():
    # given: an approved submission of the person
    project = ProjectFactory()
    first = keyed_submission(project, created_at=ago(days=2), status="approved", decided_at=ago(days=2))
    duplicates_lookup(first, document=person())

    # when: its date of birth is deleted (DELETE /v3/submission/partial fields=data data_fields=date_of_birth)
    assert duplicates_forget(first, fields=["data"], data_fields=["date_of_birth"]) == {"di"}

    # then: a new submission of the person does not find it...
    later = keyed_submission(project)
    assert duplicates_lookup(later, document=person()).di == ()
    # ...even when the first is verified again from the same data (the DI is never stored again)
    duplicates_lookup(first, document=person())
    first.refresh_from_db()
    assert (first.duplicated_information, first.duplicate_exclusions) == ("", ["di"])
    assert duplicates_lookup(later, document=person()).di == ()
    # a repeat of the deletion is harmless
    assert duplicates_forget(first, fields=["duplicated_information"]) == {"di"}
    first.refresh_from_db()
    assert first.duplicate_exclusions == ["di"]
