"""Recording a CSV export of the User Submissions list (the rows are read by
``selectors.submission_export_rows``): who exported which filters, how many rows, and whether
e-mails and userids were in it; never a value of a row."""

from __future__ import annotations

from django.db import transaction

from projects.actors import Actor
from projects.models import Project
from projects.services import audit_record
from submissions.selectors import SubmissionFilters

EXPORTED = "submissions.exported"


@transaction.atomic
def submissions_export_record(
    *, project: Project, actor: Actor, filters: SubmissionFilters, rows: int, with_pii: bool
) -> None:
    audit_record(actor=actor, action=EXPORTED, project=project, target_type="submission_list", target_id=project.pid,
                 details={"filters": filters.as_details(), "rows": rows, "email_userid": with_pii})  # fmt: skip
