"""Writes of the policy app: a project's settings and its published custom rule sets.

* Settings change through the project settings registry (``policy.project_settings``), so the
  dashboard, ``configure_project`` and :func:`policy_settings_update` validate alike and the
  change is in the Event Log (``project.settings_changed``, by key). :func:`policy_settings_store`
  is the registry's writer.
* Rules are published, never edited: :func:`policy_rules_publish` validates a rules document
  with ``policy.rules.validate_rules`` (every problem with its path) and stores it as the next
  version (``policy.rules_published`` in the Event Log).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from policy.errors import RulesVersionConflict
from policy.models import PolicyRuleSet, ProjectPolicy
from policy.selectors import policy_rules_check, settings_merge
from policy.settings import PolicySettings
from projects.actors import Actor
from projects.models import Project
from projects.services import audit_record, project_settings_update


@transaction.atomic
def policy_settings_store(*, project: Project, fields: dict[str, Any]) -> bool:
    """Merge ``fields`` (``PolicySettings`` JSON, nested records as objects) into the project's
    stored settings if the result validates (``SettingsError`` otherwise, nothing written).
    No Event Log row: the caller (``project_settings_update``) writes it. True when it changed."""
    row, _ = ProjectPolicy.objects.get_or_create(project=project)
    row = ProjectPolicy.objects.select_for_update().get(pk=row.pk)
    merged = settings_merge(row.settings, fields)
    PolicySettings.from_json(merged)
    if merged == row.settings:
        return False
    row.settings = merged
    row.save(update_fields=["settings", "updated_at"])
    return True


def policy_settings_update(*, project: Project, changes: dict[str, Any], actor: Actor) -> list[str]:
    """Change policy settings by registry key (``{"policy_threshold": "open"}``); all or nothing,
    ``InvalidSettings`` listing every bad key. Returns the keys that changed."""
    return project_settings_update(project=project, changes=changes, actor=actor)


@transaction.atomic
def policy_rules_publish(
    *, project: Project, document: Any, actor: Actor, based_on_version: int | None = None
) -> PolicyRuleSet:
    """Publish ``document`` as the project's next rules version (1, 2, …); it becomes current.

    ``based_on_version`` (the version the editor started from; 0 for none) refuses a publish
    that would silently replace a version someone else published meanwhile."""
    Project.objects.select_for_update().only("pk").get(pk=project.pk)  # one publisher at a time per project
    current = (
        PolicyRuleSet.objects.filter(project=project).order_by("-version").values_list("version", flat=True).first()
        or 0
    )
    if based_on_version is not None and based_on_version != current:
        raise RulesVersionConflict(
            f"Version {current} was published after version {based_on_version} you edited; "
            "reload the rules and apply your change again."
        )
    rule_set = policy_rules_check(document, version=current + 1)
    published = PolicyRuleSet.objects.create(
        project=project,
        version=rule_set.version,
        rules=rule_set.to_json(),
        created_by=actor.user,
        created_by_label=actor.label[:80],
    )
    audit_record(
        actor=actor,
        action="policy.rules_published",
        project=project,
        target_type="policy_rule_set",
        target_id=str(published.version),
        details={"version": published.version, "previous_version": current, "rules": len(rule_set.rules)},
    )
    return published
