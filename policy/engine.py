"""The policy engine: ``decide(evidence, settings, rules) -> Decision`` (pure: no Django, no I/O).

Order of a decision, every step recorded in ``Decision.trace``:

1. **Timeout.** A submission never finished (``submitted_at`` is None) is rejected ``timeout``
   once ``incomplete_timeout_hours`` (24) have passed since it was created; before that
   :class:`NotReady` is raised: there is nothing to decide yet.
2. **Score.** The ARGOS score and its per-check breakdown (``policy.score``).
3. **Hard checks** (``policy.checks``), in precedence order: rejects with a §8.4 code, reviews
   (at least pending) and notes. The first reject's code is the decision's code.
4. **Custom rules** (``policy.rules``). Conditions see the score of step 2, so rules do not
   depend on each other's order. Every ``cap_score`` caps and every ``penalty`` subtracts;
   the result (0–100) is the submission's ``argos_score``.
5. **Status.** Precedence: a hard reject; a rule forcing ``rejected``; a rule forcing
   ``pending``; a review cause (→ pending); a rule forcing ``approved`` (it overrides the
   threshold, never a hard check or review cause: rules may lower trust freely but raise it
   only within the score); the threshold.
6. **Threshold.** ``score >= threshold`` approves, below is pending. §8.1 is in conflict
   ("exceeds" vs "meets or exceeds"); we read it as *meets or exceeds*, so a score of exactly
   70 is approved under Conservative, exactly 50 under Standard, exactly 40 under Open. The
   score is a whole number (rounded half up) before it is compared.
7. **Automated processing only.** Anything that would be pending is rejected with
   ``automatic_verification_fail`` (§8.1, §8.4 "didn't meet quality requirements"); the trace
   keeps the cause that made it pending.

``Decision.reviewer`` is ``system`` for automatic outcomes and the project's reviewer setting
(``staff`` or ``client_api``) for pending ones, as the submission's ``reviewer`` field (§3.1).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from policy.checks import Finding, run_checks
from policy.codec import from_plain, to_plain
from policy.evidence import Evidence
from policy.reject_codes import reject_comment
from policy.rules import FiredRule, RuleSet
from policy.score import Score, clamp_score, compute_score
from policy.settings import PolicySettings


class NotReady(ValueError):
    """An incomplete submission still inside its timeout: it cannot be decided yet."""


@dataclass(frozen=True)
class TraceStep:
    kind: str  # score | reject | review | note | rule | decision
    name: str  # the check, reject code, review cause or rule id
    detail: str
    value: float | None = None  # score lines: 0–1
    weight: int | None = None
    contribution: float | None = None
    threshold: float | None = None


@dataclass(frozen=True)
class Decision:
    status: str  # approved | pending | rejected
    score: int  # the argos_score, after custom rules
    reject_code: str | None
    reject_comment: str | None
    trace: tuple[TraceStep, ...]
    rules_version: int
    deciding: str  # what set the status: "reject:<code>", "rule:<id>", "review:<cause>", "threshold", …
    reviewer: str  # system | staff | client_api
    base_score: int  # before custom rules
    threshold: int
    rules_fired: tuple[str, ...] = ()

    def kyc(self) -> dict[str, Any]:
        """The submission's ``kyc`` object (§3.1)."""
        return {
            "result": self.status,
            "comment": [self.reject_comment] if self.reject_comment else [],
            "commentCode": [self.reject_code] if self.reject_code else [],
        }

    def to_json(self) -> dict[str, Any]:
        return to_plain(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | str) -> Decision:
        return from_plain(cls, json.loads(data) if isinstance(data, str) else data)


def decide(evidence: Evidence, settings: PolicySettings, rules: RuleSet | None = None) -> Decision:
    rules = rules or RuleSet()
    score = compute_score(evidence)
    trace = [
        TraceStep("score", line.check, line.detail, line.value, line.weight, line.contribution, line.threshold)
        for line in score.lines
    ]
    build = _Builder(evidence, settings, rules, score, trace)
    stamps = evidence.timestamps
    if stamps.submitted_at is None:
        waited = stamps.evaluated_at - stamps.created_at
        if waited < dt.timedelta(hours=settings.incomplete_timeout_hours):
            raise NotReady(f"incomplete for {waited}, timeout after {settings.incomplete_timeout_hours} h")
        trace.append(TraceStep("reject", "timeout", f"incomplete for {waited}"))
        return build.done("rejected", score.value, "reject:timeout", "timeout", ())

    findings = run_checks(evidence, settings)
    trace += [TraceStep(f.outcome, f.name, f.detail) for f in findings]
    fired = rules.fired(evidence, score.value)
    final = _apply_rules(fired, score.value, trace)
    status, deciding, code, comment = _status(findings, fired, final, settings.threshold, trace)
    if status == "pending" and settings.automated_processing_only:
        trace.append(TraceStep("decision", "automated_processing_only", f"would be pending ({deciding}): rejected"))
        status, deciding, code, comment = "rejected", "automated_processing_only", "automatic_verification_fail", None
    return build.done(status, final, deciding, code, tuple(f.rule.id for f in fired), comment)


@dataclass
class _Builder:
    evidence: Evidence
    settings: PolicySettings
    rules: RuleSet
    score: Score
    trace: list[TraceStep]

    def done(
        self,
        status: str,
        final: int,
        deciding: str,
        code: str | None,
        fired: tuple[str, ...],
        comment: str | None = None,
    ) -> Decision:
        text = reject_comment(code, age_limit=self.settings.age_limit, text=comment) if code else None
        reviewer = self.settings.reviewer if status == "pending" else "system"
        self.trace.append(
            TraceStep("decision", status, f"{deciding}; score {final}, threshold {self.settings.threshold}")
        )
        return Decision(
            status, final, code, text, tuple(self.trace), self.rules.version, deciding, reviewer,
            self.score.value, self.settings.threshold, fired,
        )  # fmt: skip


def _apply_rules(fired: tuple[FiredRule, ...], base: int, trace: list[TraceStep]) -> int:
    caps = [f.rule.then.params["value"] for f in fired if f.rule.then.kind == "cap_score"]
    penalty = sum(f.rule.then.params["points"] for f in fired if f.rule.then.kind == "penalty")
    final = clamp_score(min([base, *caps]) - penalty)
    for item in fired:
        detail = f"{item.rule.describe_action()} because {'; '.join(item.reasons)}"
        trace.append(TraceStep("rule", item.rule.id, detail))
    if final != base:
        trace.append(TraceStep("rule", "score", f"score {base} -> {final} (caps {caps or 'none'}, penalty {penalty})"))
    return final


def _forced(fired: tuple[FiredRule, ...], status: str) -> FiredRule | None:
    for item in fired:
        if item.rule.then.kind == "force_status" and item.rule.then.params["status"] == status:
            return item
    return None


def _status(
    findings: list[Finding], fired: tuple[FiredRule, ...], final: int, threshold: int, trace: list[TraceStep]
) -> tuple[str, str, str | None, str | None]:
    """(status, deciding step, reject code, free text of ``other``)."""
    rejects = [f for f in findings if f.outcome == "reject"]
    reviews = [f for f in findings if f.outcome == "review"]
    if rejects:
        return "rejected", f"reject:{rejects[0].name}", rejects[0].name, rejects[0].comment
    if rule := _forced(fired, "rejected"):
        params = rule.rule.then.params
        return "rejected", f"rule:{rule.rule.id}", params["reject_code"], params.get("comment")
    if rule := _forced(fired, "pending"):
        return "pending", f"rule:{rule.rule.id}", None, None
    if reviews:
        return "pending", f"review:{reviews[0].name}", None, None
    if rule := _forced(fired, "approved"):
        return "approved", f"rule:{rule.rule.id}", None, None
    if final >= threshold:
        trace.append(TraceStep("decision", "threshold", f"score {final} >= threshold {threshold}", threshold=threshold))
        return "approved", "threshold", None, None
    trace.append(TraceStep("decision", "threshold", f"score {final} < threshold {threshold}", threshold=threshold))
    return "pending", "threshold", None, None
