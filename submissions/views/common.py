"""What every User Submissions page does first: the caller's membership, then the submission
of THAT project (404 for another project's id, whatever the caller's role elsewhere)."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from projects.access import project_membership
from projects.models import Membership
from submissions.models import Submission
from submissions.selectors import submission_get


def member_submission(request: HttpRequest, pid: str, sid: str, *, need: str = "view") -> tuple[Membership, Submission]:
    membership = project_membership(request, pid, need=need)
    submission = submission_get(project=membership.project, submission_id=sid)
    if submission is None:
        raise Http404("No such submission")
    return membership, submission
