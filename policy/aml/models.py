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
    monitoring = models.BooleanField(default=False)  # register every approved submission for monitoring
    threshold = models.PositiveSmallIntegerField(default=DEFAULT_THRESHOLD)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(threshold__lte=100), name="project_aml_threshold_0_100"),
        ]

    def __str__(self) -> str:
        return f"AML settings of project {self.project_id}"


class AmlWorklist(models.Model):
    """A project's monitoring workspace (spec §2.16, §8.12): the records registered in it are
    rescreened after every list import. The id is the API's ``worklistId`` and the prefix of its
    records' ids. ``is_default`` is the one approvals are registered in (``aml_monitoring``)."""

    id = models.CharField(primary_key=True, max_length=20)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="aml_worklists")
    name = models.CharField(max_length=120)
    active = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["project"], condition=models.Q(is_default=True),
                                    name="aml_worklist_one_default"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"AML worklist {self.id}"


class AmlMonitorRecord(models.Model):
    """One monitored person: an approved submission registered in a worklist. Who it is (name,
    birth date, nationality) is sealed under the submission's data key by the submissions app,
    which owns that key; ``screened_versions`` are the list versions it was last screened against,
    so a rescreen of the same versions does nothing."""

    id = models.CharField(primary_key=True, max_length=120)  # <worklist id>_<submission id>
    worklist = models.ForeignKey(AmlWorklist, on_delete=models.CASCADE, related_name="records")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey("submissions.Submission", on_delete=models.CASCADE, related_name="+")
    sealed_person = models.BinaryField(null=True, editable=False)
    memo = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    admin = models.CharField(max_length=254, blank=True)
    screened_versions = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    update_time = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["worklist", "submission"], name="aml_monitor_record_once"),
        ]

    def __str__(self) -> str:
        return f"AML monitor record {self.id}"


class MonitorMatchStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    TRUE_POSITIVE = "TRUE_POSITIVE", "True positive"
    FALSE_POSITIVE = "FALSE_POSITIVE", "False positive"
    DISCARDED = "DISCARDED", "Discarded"


class AmlMonitorMatch(models.Model):
    """A profile a screening matched for a record, raised once per content of the profile (a re-import
    of the same entry raises nothing; a changed entry is raised again) and at most once per list
    version. The
    profile and the explanation are sealed with the record's submission; category, score and
    status are plain so the dashboard can list and count them."""

    record = models.ForeignKey(AmlMonitorRecord, on_delete=models.CASCADE, related_name="matches")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=80)
    external_id = models.CharField(max_length=200)
    list_version = models.PositiveIntegerField()  # the source's version whose import raised it
    profile_sha256 = models.CharField(max_length=64)  # the listed profile as matched: a changed one is raised again
    category = models.CharField(max_length=3)
    score = models.PositiveSmallIntegerField()
    sealed_match = models.BinaryField(null=True, editable=False)
    status = models.CharField(max_length=16, choices=MonitorMatchStatus.choices, default=MonitorMatchStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["project", "status", "created_at"], name="aml_monitor_match_queue_idx")]
        constraints = [
            models.UniqueConstraint(fields=["record", "source", "external_id", "list_version"],
                                    name="aml_monitor_match_once_per_version"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"AML monitor match {self.pk} ({self.status})"
