"""A project's stored policy: its settings (sparse JSON) and its versioned custom rule sets.

* :class:`ProjectPolicy` keeps only the policy settings an admin changed (``settings``, keyed as
  ``policy.settings.PolicySettings``'s fields, JSON as ``PolicySettings.to_json``); everything
  else takes the engine's default, so a default changed in code reaches projects that never set
  it. ``PolicySettings.from_json`` validates it on every write (``policy.services``).
* :class:`PolicyRuleSet` is one published version of the project's custom rules, numbered 1, 2, …
  per project; the newest is the current one. Published versions are immutable: the database
  refuses an UPDATE (migration 0002), so a submission's ``rules_version`` always names the rules
  it was decided with.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ProjectPolicy(models.Model):
    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="policy")
    settings = models.JSONField(default=dict, blank=True)  # sparse: {field: JSON value} of PolicySettings
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Policy of project {self.project_id}"


class PolicyRuleSet(models.Model):
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="policy_rule_sets")
    version = models.PositiveIntegerField()
    rules = models.JSONField()  # policy.rules.RuleSet.to_json(): {"version": n, "rules": [...]}
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")  # fmt: skip
    created_by_label = models.CharField(max_length=80, blank=True)  # the actor's label (user:…, cli, …)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["project", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="policy_rule_set_version_unique"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="policy_rule_set_version_positive"),
        ]

    def __str__(self) -> str:
        return f"Rules v{self.version} of project {self.project_id}"


# The AML watch lists live in their own package; Django finds models through this module.
from policy.aml.models import ProjectAmlSettings, WatchlistEntry, WatchlistSource  # noqa: E402

__all__ = ["PolicyRuleSet", "ProjectAmlSettings", "ProjectPolicy", "WatchlistEntry", "WatchlistSource"]
