"""The verification run with the real engines: the same passport and face three times in a project."""

from __future__ import annotations

import pytest

from policy.rules import RuleSet
from policy.settings import PolicySettings
from projects.actors import Actor
from submissions import vault
from submissions.duplicates import face_indexes_reset
from submissions.models import FaceTemplate, Submission
from submissions.services import SubmissionDetails, process, submission_create, submission_process
from tests.factories import ProjectFactory
from tests.submissions.api.helpers import passport_case

ACTOR = Actor.system("test")


def _submit(project) -> Submission:
    case = passport_case()
    return submission_create(project=project, source="api", actor=ACTOR,
                             images={"id_front": case.front, "selfie": case.selfie},
                             details=SubmissionDetails(email="p@example.com"))  # fmt: skip


def _run(submission: Submission, monkeypatch, settings: PolicySettings) -> tuple[Submission, dict]:
    monkeypatch.setattr(process, "project_policy", lambda project: (settings, RuleSet()))
    assert submission_process(submission_id=submission.id) is not None
    submission.refresh_from_db()
    evidence = vault.open_json(submission, submission.sealed_evidence, context=vault.EVIDENCE_CONTEXT)
    return submission, evidence["duplicates"]


@pytest.mark.django_db
def test_the_same_person_again_is_grouped_without_prevention_and_rejected_with_it(monkeypatch):
    # given
    face_indexes_reset()
    project = ProjectFactory(credits=3)

    # when: the first verification
    first, found = _run(_submit(project), monkeypatch, PolicySettings())

    # then: approved, with a DI, both faces stored sealed, a new applicant id, no duplicates
    assert first.status == "approved"
    assert len(first.duplicated_information) == 64
    assert set(FaceTemplate.objects.filter(submission=first).values_list("kind", flat=True)) == {"portrait", "selfie"}
    assert first.applicant_id
    assert found["di"] == []
    assert found["face"] == []

    # when: the same person again, duplicate prevention off (the default)
    second, found = _run(_submit(project), monkeypatch, PolicySettings())

    # then: approved, both duplicates recorded, grouped under the first's applicant id
    assert second.status == "approved"
    assert [m["submission_id"] for m in found["di"]] == [first.id]
    assert [m["submission_id"] for m in found["face"]] == [first.id]
    assert found["face"][0]["similarity"] > 99  # the very same images
    assert second.duplicated_information == first.duplicated_information
    assert second.applicant_id == first.applicant_id

    # when: a third time with duplicate user prevention and face duplicate prevention on
    third, found = _run(_submit(project), monkeypatch, PolicySettings(reject_duplicate_user=True,
                                                                      reject_duplicate_face=True))  # fmt: skip

    # then: rejected with the exact-PII code (DI first in precedence), no applicant id
    assert (third.status, third.kyc_comment_code) == ("rejected", ["duplicated_user_PII_exact"])
    assert {m["submission_id"] for m in found["face"]} == {first.id, second.id}
    assert third.applicant_id == ""
