"""CSV export of the User Submissions list: every page of the filtered list, streamed.

The columns are the list's and the decision's reasons (reject code and comment, and what set
the status). E-mail and userid are opened per row only for owners and reviewers: a viewer may
look at one submission at a time, but a file of every person's e-mail leaves the dashboard's
access control for good, so a viewer's file has no such columns. A cell a spreadsheet would
read as a formula (starting with = + - @, a tab or a carriage return) is written with a leading
apostrophe. An export reads at most ``EXPORT_MAX_ROWS`` rows and is otherwise refused with the
way out. Each export writes one Event Log row before the first byte: who, which filters (of an
e-mail, userid or name only which kind), how many rows, and whether e-mail and userid were in it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from projects.access import otp_required, project_membership
from projects.actors import Actor
from projects.models import Project
from submissions.forms import SubmissionFilterForm
from submissions.selectors import EXPORT_MAX_ROWS, ExportRow, submission_export_ids, submission_export_rows
from submissions.services.export import submissions_export_record

COLUMNS = ("Submission", "Created (UTC)", "Status", "Score", "Country", "Nationality", "ID type", "Reviewer",
           "Reject code", "Reject comment", "Decided by")  # fmt: skip
PII_COLUMNS = ("E-mail", "Userid")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_cells(row: ExportRow, *, with_pii: bool) -> list[str]:
    s = row.submission
    cells = [s.pk, s.created_at.strftime("%Y-%m-%d %H:%M:%S"), s.status, s.argos_score, s.claimed_issuing_country,
             s.nationality, s.claimed_id_type, s.reviewer, ", ".join(s.kyc_comment_code), " | ".join(s.kyc_comment),
             row.deciding]  # fmt: skip
    if with_pii:
        cells += [row.email, row.userid]
    return [csv_cell(cell) for cell in cells]


class _Echo:
    """A file-like object whose ``write`` hands the line back, for ``csv.writer`` to stream."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(project: Project, ids: list[str], *, with_pii: bool) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([*COLUMNS, *(PII_COLUMNS if with_pii else ())])
    for row in submission_export_rows(project=project, ids=ids, with_pii=with_pii):
        yield writer.writerow(export_cells(row, with_pii=with_pii))


@otp_required
@require_POST
def submission_export(request: HttpRequest, pid: str) -> HttpResponse:
    membership = project_membership(request, pid)
    project = membership.project
    form = SubmissionFilterForm(request.POST)
    kept = request.POST.copy()
    for name in ("csrfmiddlewaretoken", "after"):
        kept.pop(name, None)
    back = f"{reverse('dashboard:submissions', args=[project.pid])}?{kept.urlencode()}"
    if not form.is_valid():
        messages.error(request, "Fix the filters before exporting.")
        return redirect(back)
    filters = form.filters()
    ids = submission_export_ids(project=project, filters=filters, limit=EXPORT_MAX_ROWS)
    if ids is None:
        messages.error(request, f"An export holds at most {EXPORT_MAX_ROWS:,} submissions; narrow the filters "
                                "(the dates, say) and export again.")  # fmt: skip
        return redirect(back)
    with_pii = membership.can_review
    submissions_export_record(project=project, actor=Actor.from_request(request), filters=filters, rows=len(ids),
                              with_pii=with_pii)  # fmt: skip
    response = StreamingHttpResponse(
        _csv_lines(project, ids, with_pii=with_pii), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="submissions-{project.pid}-{stamp}.csv"'
    return response
