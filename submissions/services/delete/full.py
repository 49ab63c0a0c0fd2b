"""Deleting all of a submission's personal data (spec §2.5, G19).

The data key is destroyed (``wrapped_data_key`` NULL, ``submissions.vault``), so every sealed copy
of the submission (images, metadata, evidence, decision, check results, face templates; in the
database, in storage, in backups) is unreadable for good; the sealed columns are cleared as well,
the image rows and files, check results, face templates (and the in-process face index), DI,
Custom DI and applicant id (``duplicates_forget``: the submission stays out of every future
duplicate check) and the end user's client (network app) are deleted. What stays is the tombstone
the spec keeps: id, project, dates, status, reject codes, score, source and the claimed ID type. A
destroyed data key is what marks a submission deleted: deleting it again answers ``not Exist
Submission Data`` and changes nothing. Credits are not refunded (spec §2.5 "Still billed", §9).

The deletion emits the ``delete`` webhook (§4.8) when ``admin_name`` names a member of the
project (the spec sends it "only if an admin is identified"); its ``account_email`` is that
member's account e-mail, never the string passed in.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from idcheck.timeformat import format_iso
from network.services import submission_client_purge
from policy.aml.monitoring import aml_monitor_records_forget
from projects.actors import Actor
from projects.models import Project
from submissions.duplicates import duplicates_forget
from submissions.models import CheckResult, ImageKind, RunState, Submission
from submissions.services.delete.shared import deletion_audit, submission_images_delete
from submissions.services.idempotency import (
    idempotency_key_check,
    idempotency_remember,
    idempotency_replay,
    request_fingerprint,
)
from submissions.services.injection import injections_forget
from submissions.services.submission_access import admin_named, locked_submission
from webhooks.services import webhook_event_emit

DELETED_RUN = "deleted"


def submission_delete(
    *, project: Project, submission_id: str, actor: Actor, admin_name: str = "", idempotency_key: str = ""
) -> Submission:
    """Delete every piece of personal data of one submission of ``project`` (module doc).

    Raises ``SubmissionNotFound`` when the project has no such submission or it was deleted
    before. ``idempotency_key`` (G2) replays a finished deletion with the same key as a success.
    """
    idempotency_key_check(idempotency_key)
    fingerprint = request_fingerprint(operation="delete", submission_id=submission_id, admin_name=admin_name)
    return _delete(project, submission_id, actor, admin_name, idempotency_key, fingerprint)


@transaction.atomic
def _delete(
    project: Project, submission_id: str, actor: Actor, admin_name: str, idempotency_key: str, fingerprint: str
) -> Submission:
    if (replayed := idempotency_replay(project, idempotency_key, fingerprint)) is not None:
        return replayed
    submission = locked_submission(project, submission_id)
    components = duplicates_forget(submission)
    aml_monitor_records_forget(submission.pk)
    images = submission_images_delete(submission, ImageKind.values)
    results, _ = CheckResult.objects.filter(submission=submission).delete()
    submission_client_purge(submission_id=submission.pk)
    injections = injections_forget(submission)
    now = timezone.now()
    changes: dict[str, Any] = {
        "wrapped_data_key": None,
        "sealed_metadata": None,
        "sealed_evidence": None,
        "sealed_decision": None,
        "sealed_memo": None,
        "sealed_injection_action": None,
        "email_lookup": "",
        "userid_lookup": "",
        "nationality": "",
        "updated_at": now,
    }
    if submission.run_state != RunState.DECIDED:
        # A queued or running verification finds its claim gone and drops its result.
        changes.update(run_state=RunState.FAILED, failure_reason=DELETED_RUN, claimed_at=None)
    Submission.objects.filter(pk=submission.pk).update(**changes)
    for name, value in changes.items():
        setattr(submission, name, value)
    admin = admin_named(project, admin_name)
    deletion_audit(actor, submission, "submission.deleted", admin, duplicate_components=sorted(components),
                   images=images, check_results=results, injections=injections)  # fmt: skip
    if admin is not None:
        webhook_event_emit(
            project=project,
            event="delete",
            resource_id=submission.pk,
            payload={
                "webhook_trigger": "delete",
                "submission_id": submission.pk,
                "account_email": admin.email,
                "delete_time": format_iso(now),
            },
        )
    idempotency_remember(project, idempotency_key, fingerprint, submission)
    return submission
