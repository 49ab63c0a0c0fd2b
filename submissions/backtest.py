"""Back-test a project's policy on its stored decisions (reads only; nothing is written).

``submission_policy_backtest`` opens the last N decided submissions' sealed evidence and decision
(each with its own data key, ``submissions.vault``), re-decides them with
``policy.backtest.backtest`` under proposed rules and/or settings (``policy.selectors.policy_candidate``)
and returns the report. The ``policy_backtest`` command prints it; the dashboard can call the
same function. It lives in ``submissions`` because the policy app never imports submissions
(DESIGN.md: submissions → policy).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from idcheck.lib.crypto import DecryptionError
from policy.backtest import BacktestReport, backtest
from policy.engine import Decision
from policy.evidence import Evidence, EvidenceError
from policy.selectors import policy_candidate
from projects.models import Project
from submissions import vault
from submissions.models import Submission

DEFAULT_LAST = 100
MAX_LAST = 10_000


@dataclass(frozen=True)
class SubmissionBacktest:
    report: BacktestReport
    rules_version: int  # the rules evaluated (the candidate's number when new rules were given)
    skipped: tuple[tuple[str, str], ...]  # (submission id, why it could not be re-read)

    def to_json(self) -> dict[str, Any]:
        skipped = [{"submission_id": sid, "reason": reason} for sid, reason in self.skipped]
        return {"rules_version": self.rules_version, **self.report.to_json(), "skipped": skipped}

    def to_text(self) -> str:
        lines = [self.report.to_text().rstrip("\n")]
        lines += [f"{sid}  skipped: {reason}" for sid, reason in self.skipped]
        return "\n".join(lines) + "\n"


def submission_decisions_stored(
    *, project: Project, last: int = DEFAULT_LAST
) -> tuple[list[tuple[str, Evidence, Decision]], list[tuple[str, str]]]:
    """The last ``last`` decided submissions (newest first) as ``(id, evidence, decision)``, and
    those whose sealed data can no longer be read (data key destroyed, schema changed)."""
    rows = (
        Submission.objects.filter(project=project, decided_at__isnull=False)
        .exclude(sealed_evidence__isnull=True)
        .exclude(sealed_decision__isnull=True)
        .order_by("-decided_at", "-id")[: max(0, min(last, MAX_LAST))]
    )
    items: list[tuple[str, Evidence, Decision]] = []
    skipped: list[tuple[str, str]] = []
    for submission in rows:
        try:
            evidence = vault.open_json(submission, submission.sealed_evidence, context=vault.EVIDENCE_CONTEXT)
            decision = vault.open_json(submission, submission.sealed_decision, context=vault.DECISION_CONTEXT)
            items.append((submission.pk, Evidence.from_json(evidence), Decision.from_json(decision)))
        except vault.DataKeyDestroyed:
            skipped.append((submission.pk, "its data was deleted (data key destroyed)"))
        except DecryptionError:
            skipped.append((submission.pk, "its sealed evidence does not open"))
        except (EvidenceError, ValueError) as exc:
            skipped.append((submission.pk, f"stored evidence no longer reads: {exc}"))
    return items, skipped


def submission_policy_backtest(
    *,
    project: Project,
    rules_document: Any = None,
    settings_changes: dict[str, Any] | None = None,
    last: int = DEFAULT_LAST,
) -> SubmissionBacktest:
    """Re-decide the last ``last`` decided submissions under the proposed rules (a rules document,
    as ``policy_rules_publish`` takes) and settings changes (``PolicySettings`` fields as JSON);
    either left out keeps the project's current one. Raises ``InvalidPolicyRules`` /
    ``InvalidPolicySettings``. Writes nothing."""
    settings, rules = policy_candidate(project, rules_document=rules_document, settings_changes=settings_changes)
    items, skipped = submission_decisions_stored(project=project, last=last)
    report = backtest(items, settings, rules)
    return SubmissionBacktest(report, rules.version if rules is not None else 0, tuple(skipped))
