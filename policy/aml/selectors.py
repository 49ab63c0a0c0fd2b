"""Reads of the AML watch lists and of a project's Watch-list filtering settings."""

from __future__ import annotations

from dataclasses import dataclass

from policy.aml.models import DEFAULT_THRESHOLD, ProjectAmlSettings, WatchlistSource
from projects.models import Project


@dataclass(frozen=True)
class AmlSettings:
    screening: bool = False  # screen every approved submission
    threshold: int = DEFAULT_THRESHOLD
    monitoring: bool = False  # register every approved submission for ongoing monitoring


def aml_settings_get(project: Project) -> AmlSettings:
    row = ProjectAmlSettings.objects.filter(project=project).first()
    return AmlSettings(row.screening, row.threshold, row.monitoring) if row is not None else AmlSettings()


def watchlist_sources() -> list[WatchlistSource]:
    return list(WatchlistSource.objects.order_by("name"))
