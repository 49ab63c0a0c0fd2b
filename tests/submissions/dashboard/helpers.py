"""Submissions and admins for the dashboard tests: a real run that ends Pending, members by role."""

from __future__ import annotations

from django.test import Client

from policy.services import policy_settings_update
from projects.actors import Actor
from submissions.models import Submission, SubmissionStatus
from submissions.services import SubmissionDetails, submission_create, submission_process
from tests.conftest import TEST_HOST, sign_in
from tests.factories import MembershipFactory, TOTPDeviceFactory, UserFactory
from tests.submissions.api.helpers import passport_case

ACTOR = Actor.system("test")
# The passport specimen with its selfie scores 90 (tests/submissions/test_process_run.py); a
# custom threshold of 99 leaves it below the threshold, so the run ends Pending.
PENDING_THRESHOLD = 99
SPECIMEN_SCORE = 90


def pending_policy(project) -> None:
    policy_settings_update(project=project, changes={"policy_threshold": PENDING_THRESHOLD}, actor=ACTOR)


def specimen_submission(project, *, email: str = "person@example.com") -> Submission:
    """The passport specimen and its selfie through submission_create, not run yet."""
    case = passport_case()
    return submission_create(
        project=project,
        source="api",
        actor=ACTOR,
        images={"id_front": case.front, "selfie": case.selfie},
        details=SubmissionDetails(email=email, userid="user-42", issuing_country="EST", id_type="passport"),
    )


def pending_submission(project, *, email: str = "person@example.com") -> Submission:
    """The specimen after a real run, Pending by the threshold (call ``pending_policy`` on the
    project first)."""
    submission = specimen_submission(project, email=email)
    submission_process(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.PENDING
    return submission


def member(project, role: str):
    user = UserFactory()
    MembershipFactory(user=user, project=project, role=role)
    TOTPDeviceFactory(user=user)
    return user


def client_for(user) -> Client:
    return sign_in(Client(HTTP_HOST=TEST_HOST), user)
