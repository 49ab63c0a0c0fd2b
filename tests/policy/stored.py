"""Submissions decided in the past, with their evidence and decision sealed as the worker stores them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from policy.engine import decide
from policy.evidence import Evidence
from policy.rules import RuleSet
from policy.settings import PolicySettings
from submissions import vault
from submissions.models import RunState, Submission
from tests.factories import SubmissionFactory


def stored_submission(
    project,
    evidence: Evidence,
    *,
    settings: PolicySettings | None = None,
    rules: RuleSet | None = None,
    minutes_ago: int = 0,
    submission_id: str | None = None,
) -> Submission:
    decision = decide(evidence, settings or PolicySettings(), rules)
    submission = SubmissionFactory(project=project, **({"id": submission_id} if submission_id else {}))
    submission.wrapped_data_key = vault.new_wrapped_data_key(submission.pk)
    submission.status = decision.status
    submission.argos_score = decision.score
    submission.rules_version = decision.rules_version
    submission.run_state = RunState.DECIDED
    submission.decided_at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    submission.sealed_evidence = vault.seal_json(submission, evidence.to_json(), context=vault.EVIDENCE_CONTEXT)
    submission.sealed_decision = vault.seal_json(submission, decision.to_json(), context=vault.DECISION_CONTEXT)
    submission.save()
    return submission
