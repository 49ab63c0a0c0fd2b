"""What a reconcile check returns, what it checks (``Scope``), and how a finding is counted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from idcheck.celery import app as celery_app

CAP = 10  # ids shown per finding
SLACK = dt.timedelta(minutes=2)  # a sweeper that is busy, a clock a little apart


def beat_interval(name: str) -> dt.timedelta:
    return dt.timedelta(seconds=float(celery_app.conf.beat_schedule[name]["schedule"]))


@dataclass(frozen=True)
class Finding:
    what: str
    count: int
    ids: tuple[str, ...]


@dataclass(frozen=True)
class CheckReport:
    name: str
    goals: tuple[str, ...]
    proves: str
    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = ()
    skipped: str = ""

    @property
    def offenders(self) -> int:
        return sum(finding.count for finding in self.findings)

    @property
    def ok(self) -> bool:
        return self.offenders == 0 and not self.skipped


@dataclass(frozen=True)
class Scope:
    """What to check: one project (``project_id``) or all, as of ``now``."""

    project_id: int | None = None
    now: dt.datetime = field(default_factory=timezone.now)

    def of(self, queryset: QuerySet, path: str = "project_id") -> QuerySet:
        return queryset if self.project_id is None else queryset.filter(**{path: self.project_id})


def finding_of(what: str, queryset: QuerySet, id_field: str = "pk") -> Finding:
    count = queryset.count()
    ids = queryset.order_by(id_field).values_list(id_field, flat=True)[:CAP] if count else []
    return Finding(what, count, tuple(str(value) for value in ids))


def found(*findings: Finding) -> tuple[Finding, ...]:
    return tuple(finding for finding in findings if finding.count)
