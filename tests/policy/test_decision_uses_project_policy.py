"""The worker decides with the project's stored threshold and current rules, and records the version."""

from __future__ import annotations

from unittest import mock

import pytest

from policy.services import policy_rules_publish, policy_settings_update
from projects.actors import Actor
from submissions import vault
from submissions.models import RunState, SubmissionStatus
from submissions.services import process, submission_process
from tests.factories import ProjectFactory, SubmissionFactory
from tests.policy.builders import scored

ACTOR = Actor.system("test")
SCORE_60 = scored(ocr=2 / 3)  # 50 + 15 × 2/3 = 60 (tests/policy/builders.py)


def _decided(project):
    submission = SubmissionFactory(project=project, run_state=RunState.QUEUED)
    submission.wrapped_data_key = vault.new_wrapped_data_key(submission.pk)
    submission.save()
    with mock.patch.object(process, "_verify", autospec=True, return_value=SCORE_60):
        submission_process(submission_id=submission.pk)
    submission.refresh_from_db()
    return submission


@pytest.mark.parametrize(
    ("threshold", "status"),
    [("open", SubmissionStatus.APPROVED), ("standard", SubmissionStatus.APPROVED), (60, SubmissionStatus.APPROVED),
     (61, SubmissionStatus.PENDING), ("conservative", SubmissionStatus.PENDING)],
)  # fmt: skip
def test_a_submission_scoring_60_follows_the_projects_threshold(db, threshold, status):
    # given
    project = ProjectFactory()
    policy_settings_update(project=project, changes={"policy_threshold": threshold}, actor=ACTOR)

    # when
    submission = _decided(project)

    # then
    assert (submission.status, submission.argos_score, submission.rules_version) == (status, 60, 0)


def test_the_current_rules_decide_and_their_version_is_stored(db):
    # given: open threshold would approve; version 2 forces review of weak OCR
    project = ProjectFactory()
    policy_settings_update(project=project, changes={"policy_threshold": "open"}, actor=ACTOR)
    policy_rules_publish(project=project, document=[], actor=ACTOR)
    rule = {"id": "weak-ocr", "when": [{"condition": "ocr_confidence_below", "value": 0.8}],
            "then": {"action": "force_status", "status": "pending"}}  # fmt: skip
    policy_rules_publish(project=project, document=[rule], actor=ACTOR)

    # when
    submission = _decided(project)

    # then
    assert (submission.status, submission.rules_version) == (SubmissionStatus.PENDING, 2)


def test_automated_processing_only_rejects_what_would_be_pending(db):
    project = ProjectFactory()
    policy_settings_update(project=project, changes={"policy_automated_processing_only": True}, actor=ACTOR)

    submission = _decided(project)

    assert (submission.status, submission.kyc_comment_code) == (
        SubmissionStatus.REJECTED,
        ["automatic_verification_fail"],
    )
