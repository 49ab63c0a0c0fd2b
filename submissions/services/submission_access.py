"""The two steps an admin's action on one submission starts with: the submission's row, locked
for the transaction, or :class:`SubmissionNotFound`; and the project member the request's
``admin`` / ``admin_name`` names. The change, memo, AML review, client review, migration, image
and deletion services use them."""

from __future__ import annotations

from idcheck.errors import ApplicationError
from projects.models import Membership, Project, User
from submissions.models import Submission


class SubmissionNotFound(ApplicationError):
    """No such submission in the project, or it was deleted already (§2.5's answer)."""

    code = "not_found"
    http_status = 400

    def __init__(self) -> None:
        super().__init__("not Exist Submission Data")


def locked_submission(project: Project, submission_id: str) -> Submission:
    """``project``'s submission ``submission_id``, its row locked until the commit;
    ``SubmissionNotFound`` when there is none or its data key is destroyed (deleted)."""
    submission = (
        Submission.objects.select_for_update(of=("self",))  # the row, not the joined project
        .select_related("project")
        .filter(project=project, pk=submission_id)
        .first()
    )
    if submission is None or not submission.wrapped_data_key:
        raise SubmissionNotFound()
    return submission


def admin_named(project: Project, admin_name: str) -> User | None:
    """The active project member ``admin_name`` names (an e-mail, any case), else None."""
    if not admin_name:
        return None
    membership = (
        Membership.objects.filter(project=project, user__email__iexact=admin_name.strip(), user__is_active=True)
        .select_related("user")
        .first()
    )
    return membership.user if membership else None
