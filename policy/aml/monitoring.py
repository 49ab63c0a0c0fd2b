"""Ongoing-monitoring worklists (spec §2.16, §8.12) and the rescreen trigger.

Worklists belong to a project; the first use of monitoring (an approval with ``aml_monitoring``
on) creates the project's default one. What a monitored person is and what matched is sealed
with their submission, so the records are written and rescreened by the submissions app
(``submissions.services.aml_monitoring``). This app only names its Celery task: policy never
imports submissions, and a list import has to reach the records of every project.
"""

from __future__ import annotations

import secrets
import string

from django.db import transaction

from policy.aml.models import AmlMonitorRecord, AmlWorklist
from projects.models import Project

RESCREEN_TASK = "submissions.aml_monitor_rescreen"
DEFAULT_WORKLIST_NAME = "Approved submissions"
_ID_ALPHABET = string.ascii_letters + string.digits


def worklist_id_new() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))


@transaction.atomic
def aml_worklist_default(project: Project) -> AmlWorklist:
    """The project's default worklist, created on first use (the project row is locked so two
    first approvals create one)."""
    Project.objects.select_for_update().filter(pk=project.pk).first()
    found = AmlWorklist.objects.filter(project=project, is_default=True).first()
    if found is not None:
        return found
    return AmlWorklist.objects.create(
        id=worklist_id_new(), project=project, name=DEFAULT_WORKLIST_NAME, is_default=True
    )


def aml_monitor_rescreen_queue() -> None:
    """Queue the rescreen of every monitored record against the lists as they are now; called
    after an import committed. The task is looked up by name in the Celery app."""
    from idcheck.celery import app

    app.loader.import_default_modules()
    app.tasks[RESCREEN_TASK].delay()


def aml_monitor_records_forget(submission_id: str) -> int:
    """A deleted submission is monitored no more: its records and their matches go (the caller's
    transaction)."""
    deleted, _ = AmlMonitorRecord.objects.filter(submission_id=submission_id).delete()
    return deleted
