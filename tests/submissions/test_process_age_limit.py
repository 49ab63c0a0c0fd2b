"""The project's age limit decides through the whole run: a real passport specimen, its birth date read
from the MRZ, the policy's ``under_ageLimit`` with the age in the comment."""

from __future__ import annotations

import datetime as dt

import time_machine

from policy.services import policy_settings_update
from projects.actors import Actor
from submissions.models import SubmissionStatus
from submissions.services import SubmissionDetails, submission_create, submission_process
from tests.factories import ProjectFactory
from tests.submissions.api.helpers import passport_case

ACTOR = Actor.system("test")


def _decide(project) -> object:
    case = passport_case()
    submission = submission_create(
        project=project,
        source="api",
        actor=ACTOR,
        images={"id_front": case.front, "selfie": case.selfie},
        details=SubmissionDetails(email="p@example.com"),
    )
    submission_process(submission_id=submission.id)
    submission.refresh_from_db()
    return submission


@time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC), tick=False)
def test_a_holder_under_the_projects_age_limit_is_rejected_with_the_age(db):
    # given: the specimen's holder was born on 1996-02-17, so is 30; the project requires 40
    project = ProjectFactory(credits=1)
    policy_settings_update(project=project, changes={"policy_age_limit": 40}, actor=ACTOR)

    # when
    submission = _decide(project)

    # then
    assert submission.status == SubmissionStatus.REJECTED
    assert submission.kyc_comment_code == ["under_ageLimit"]
    assert submission.kyc_comment == ["KYC is not accepted for individuals under 40 years old."]


@time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC), tick=False)
def test_the_same_holder_passes_a_limit_they_meet(db):
    project = ProjectFactory(credits=1)
    policy_settings_update(project=project, changes={"policy_age_limit": 30}, actor=ACTOR)

    submission = _decide(project)

    assert (submission.status, submission.kyc_comment_code) == (SubmissionStatus.APPROVED, [])
