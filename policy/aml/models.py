"""The operator's AML watch lists (spec §8.12): one :class:`WatchlistSource` per imported list
(``manage.py import_watchlist FILE --source NAME``), its entries, and the version of the last
import. Lists are the operator's, shared by every project; what a screening found is stored with
the submission (``submissions.models.AmlScreening``), never here.

A re-import replaces a source's entries in one transaction and bumps ``version``, so a reader sees
the old list or the new one, never half of each, and the matcher's cached index
(``policy.aml.index``) knows when to rebuild.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from policy.aml.formats import CATEGORIES

RISK_LEVELS = ("HIGH", "MEDIUM", "LOW")


class WatchlistSource(models.Model):
    name = models.CharField(max_length=80, unique=True)
    file_format = models.CharField(max_length=10)  # ftm | simple | csv
    version = models.PositiveIntegerField(default=1)  # +1 per import
    file_sha256 = models.CharField(max_length=64)
    entry_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"watch list {self.name} v{self.version}"


class WatchlistEntry(models.Model):
    """One listed person. Names and aliases are kept as the list spells them (any script); the
    matcher normalises and transliterates them when it builds its index."""

    source = models.ForeignKey(WatchlistSource, on_delete=models.CASCADE, related_name="entries")
    external_id = models.CharField(max_length=200)  # the list's own id (FtM id, or the row number)
    name = models.CharField(max_length=500)
    aliases = models.JSONField(default=list, blank=True)
    birth_dates = models.JSONField(default=list, blank=True)  # "YYYY-MM-DD", "YYYY-MM" or "YYYY"
    nationalities = models.JSONField(default=list, blank=True)  # alpha-3
    category = models.CharField(max_length=3)  # one of CATEGORIES
    risk_level = models.CharField(max_length=6)  # one of RISK_LEVELS

    class Meta:
        indexes = [models.Index(fields=["source", "id"], name="watchlist_entry_source_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(category__in=CATEGORIES), name="watchlist_entry_category"),
        ]

    def __str__(self) -> str:
        return f"{self.category} entry {self.external_id} of source {self.source_id}"


DEFAULT_THRESHOLD = 90  # §8.12 "default 90"


class ProjectAmlSettings(models.Model):
    """A project's Watch-list filtering switches (``aml_screening``, ``aml_threshold`` in the
    project settings registry, ``policy.project_settings``)."""

    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="aml_settings")
    screening = models.BooleanField(default=False)  # screen every approved submission
    threshold = models.PositiveSmallIntegerField(default=DEFAULT_THRESHOLD)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(threshold__lte=100), name="project_aml_threshold_0_100"),
        ]

    def __str__(self) -> str:
        return f"AML settings of project {self.project_id}"
