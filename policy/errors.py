"""The policy app's refusals, each with every problem as ``{"path", "reason"}``."""

from __future__ import annotations

from idcheck.errors import ApplicationError, ConflictError
from policy.rules import RuleIssue


class InvalidPolicyRules(ApplicationError):
    code = "invalid_policy_rules"

    def __init__(self, issues: list[RuleIssue]):
        self.issues = issues
        errors = [{"path": issue.path, "reason": issue.reason} for issue in issues]
        super().__init__("; ".join(str(issue) for issue in issues), extra={"errors": errors})


class InvalidPolicySettings(ApplicationError):
    code = "invalid_policy_settings"

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        errors = [{"path": path, "reason": reason} for path, reason in problems]
        super().__init__("; ".join(f"{path}: {reason}" for path, reason in problems), extra={"errors": errors})


class RulesVersionConflict(ConflictError):
    code = "policy_rules_version_conflict"
