"""Back-test: re-decide stored submissions under other settings or rules, write nothing (pure).

``backtest(items, settings, rules)`` takes ``(submission_id, evidence, old_decision)`` triples,
decides each again and reports the decisions whose status or reject code would change, each
with why: the step that now decides, the rules that now fire or no longer fire, the hard checks
that appear or disappear, and the score. The summary is the count table old status → new status
over every item. Incomplete submissions still inside their timeout are listed as not decided.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from policy.codec import to_plain
from policy.engine import Decision, NotReady, decide
from policy.evidence import Evidence
from policy.rules import RuleSet
from policy.settings import PolicySettings

STATUSES = ("approved", "pending", "rejected")
CORNER = "from \\ to"


@dataclass(frozen=True)
class Change:
    submission_id: str
    old_status: str
    new_status: str
    old_code: str | None
    new_code: str | None
    old_score: int
    new_score: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class BacktestReport:
    total: int
    changes: tuple[Change, ...]  # status or reject code differs
    score_only: int  # same status and code, another score
    transitions: tuple[tuple[str, str, int], ...]  # (old status, new status, count), every decided item
    not_decided: tuple[tuple[str, str], ...] = ()  # (submission id, reason)

    def to_json(self) -> dict[str, Any]:
        return to_plain(self)

    def to_text(self) -> str:
        lines = [
            f"Back-test: {self.total} submissions, {len(self.changes)} decisions change, "
            f"{self.score_only} score-only changes, {len(self.not_decided)} not decided",
            "",
            f"{CORNER:<12}" + "".join(f"{status:>10}" for status in STATUSES),
        ]
        counts = {(old, new): count for old, new, count in self.transitions}
        for old in STATUSES:
            lines.append(f"{old:<12}" + "".join(f"{counts.get((old, new), 0):>10}" for new in STATUSES))
        if self.changes:
            lines += ["", "Changes:"]
        for change in self.changes:
            old = _outcome(change.old_status, change.old_code, change.old_score)
            new = _outcome(change.new_status, change.new_code, change.new_score)
            lines.append(f"{change.submission_id}  {old} -> {new}")
            lines += [f"    {reason}" for reason in change.reasons]
        for submission_id, reason in self.not_decided:
            lines.append(f"{submission_id}  not decided: {reason}")
        return "\n".join(lines) + "\n"


def _outcome(status: str, code: str | None, score: int) -> str:
    return f"{status}{f' ({code})' if code else ''} score {score}"


def backtest(
    items: Iterable[tuple[str, Evidence, Decision]], settings: PolicySettings, rules: RuleSet | None = None
) -> BacktestReport:
    total, score_only = 0, 0
    changes: list[Change] = []
    transitions: Counter[tuple[str, str]] = Counter()
    not_decided: list[tuple[str, str]] = []
    for submission_id, evidence, old in items:
        total += 1
        try:
            new = decide(evidence, settings, rules)
        except NotReady as exc:
            not_decided.append((submission_id, str(exc)))
            continue
        transitions[(old.status, new.status)] += 1
        if (old.status, old.reject_code) != (new.status, new.reject_code):
            reasons = explain(old, new)
            changes.append(
                Change(
                    submission_id,
                    old.status,
                    new.status,
                    old.reject_code,
                    new.reject_code,
                    old.score,
                    new.score,
                    reasons,
                )
            )
        elif old.score != new.score:
            score_only += 1
    table = tuple((old, new, count) for (old, new), count in sorted(transitions.items()))
    return BacktestReport(total, tuple(changes), score_only, table, tuple(not_decided))


def explain(old: Decision, new: Decision) -> tuple[str, ...]:
    """Why ``new`` differs from ``old``: deciding step, rules, hard checks, score."""
    reasons = []
    if old.deciding != new.deciding:
        reasons.append(f"decided by {new.deciding} (was {old.deciding})")
    new_rules = {step.name: step.detail for step in new.trace if step.kind == "rule" and step.name in new.rules_fired}
    for rule_id in new.rules_fired:
        if rule_id not in old.rules_fired:
            reasons.append(f"rule {rule_id} fires: {new_rules[rule_id]}")
    reasons += [f"rule {rule_id} no longer fires" for rule_id in old.rules_fired if rule_id not in new.rules_fired]
    old_checks, new_checks = _checks(old), _checks(new)
    reasons += [f"{kind} {name} now applies" for kind, name in new_checks if (kind, name) not in old_checks]
    reasons += [f"{kind} {name} no longer applies" for kind, name in old_checks if (kind, name) not in new_checks]
    if (old.score, old.threshold) != (new.score, new.threshold):
        reasons.append(f"score {old.score} -> {new.score}, threshold {old.threshold} -> {new.threshold}")
    return tuple(reasons)


def _checks(decision: Decision) -> list[tuple[str, str]]:
    return [(step.kind, step.name) for step in decision.trace if step.kind in ("reject", "review")]
