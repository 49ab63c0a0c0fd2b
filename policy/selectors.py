"""Reads of the policy app, always scoped by project."""

from __future__ import annotations

from typing import Any

from policy.errors import InvalidPolicyRules, InvalidPolicySettings
from policy.models import PolicyRuleSet, ProjectPolicy
from policy.rules import RuleIssue, RulesError, RuleSet, validate_rules
from policy.settings import PolicySettings, SettingsError
from projects.models import Project


def settings_merge(stored: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """Stored sparse settings with ``fields`` applied (nested records merged key by key)."""
    merged = dict(stored)
    for name, value in fields.items():
        if isinstance(value, dict) and isinstance(merged.get(name), dict) and name != "allowed_id_types":
            merged[name] = {**merged[name], **value}  # nested records (network_levels) change key by key
        else:
            merged[name] = value
    return merged


def policy_settings_stored(project: Project) -> dict[str, Any]:
    """The settings an admin set (sparse JSON); ``{}`` for a project nobody configured."""
    row = ProjectPolicy.objects.filter(project=project).only("settings").first()
    return dict(row.settings) if row is not None else {}


def policy_settings_get(project: Project) -> PolicySettings:
    """The project's settings, defaults filled in (``SettingsError`` if the stored JSON no longer fits)."""
    return PolicySettings.from_json(policy_settings_stored(project))


def policy_rule_set_current(project: Project) -> PolicyRuleSet | None:
    return PolicyRuleSet.objects.filter(project=project).order_by("-version").first()


def policy_rule_set_list(project: Project) -> list[PolicyRuleSet]:
    """Every published version, newest first."""
    return list(PolicyRuleSet.objects.filter(project=project).select_related("created_by").order_by("-version"))


def policy_rule_set_get(project: Project, version: int) -> PolicyRuleSet | None:
    return PolicyRuleSet.objects.filter(project=project, version=version).first()


def project_policy(project: Project) -> tuple[PolicySettings, RuleSet | None]:
    """What the engine decides this project's submissions with: settings and the current rules
    (None when no rules were ever published: the engine's empty rule set, version 0)."""
    current = policy_rule_set_current(project)
    return policy_settings_get(project), validate_rules(current.rules) if current is not None else None


def rules_document(document: Any, version: int) -> dict[str, Any]:
    """A rules document as ``validate_rules`` reads it, numbered ``version``: a list of rules, or an
    object with ``rules`` (its ``version``, if any, is replaced: the service numbers versions)."""
    if isinstance(document, list):
        return {"version": version, "rules": document}
    if isinstance(document, dict):
        return {**document, "version": version}
    raise InvalidPolicyRules([RuleIssue("<root>", "must be a list of rules or an object with 'rules'")])


def policy_rules_check(document: Any, *, version: int = 1) -> Any:
    """The validated ``RuleSet`` for ``document``, or ``InvalidPolicyRules`` (every path + reason)."""
    try:
        return validate_rules(rules_document(document, version))
    except RulesError as exc:
        raise InvalidPolicyRules(exc.issues) from None


def policy_candidate(
    project: Project, *, rules_document: Any = None, settings_changes: dict[str, Any] | None = None
) -> tuple[PolicySettings, RuleSet | None]:
    """The project's policy with proposed changes, for a back-test (nothing is stored).

    ``settings_changes`` are ``PolicySettings`` fields as JSON (``{"threshold_preset": "open"}``,
    nested records as objects) over the stored settings; ``rules_document`` replaces the current
    rules and is numbered as the next version. Problems raise ``InvalidPolicySettings`` /
    ``InvalidPolicyRules`` with every path and reason."""
    settings = policy_settings_get(project)
    if settings_changes is not None:
        if not isinstance(settings_changes, dict):
            raise InvalidPolicySettings([("<root>", "must be an object of policy settings")])
        try:
            settings = PolicySettings.from_json(settings_merge(policy_settings_stored(project), settings_changes))
        except SettingsError as exc:
            raise InvalidPolicySettings(exc.problems) from None
    if rules_document is None:
        return settings, project_policy(project)[1]
    current = policy_rule_set_current(project)
    return settings, policy_rules_check(rules_document, version=(current.version if current else 0) + 1)
