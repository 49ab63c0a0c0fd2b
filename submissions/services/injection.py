"""Address injection (Liveform ``action=addveri``, spec §6.6, §4.9): a person replaces the address
of their existing submission, after checks.

``submission_injection_request`` (the Liveform, one transaction): the submission must be the
project's, made by the Liveform, not deleted, and decided as ``approved`` or ``pending``
(``selectors.INJECTABLE``; docs/liveform.md says why), with no other injection still being checked. The
proof of address passes the G16 intake and is written sealed under the submission's ``address``
image context; the declaration, the IP and the link's options are sealed in an
``AddressInjection`` row; an Event Log entry; the checks are queued after the commit.

``submission_injection_run`` (the ``pipeline`` worker, ``submission_injection_run_task``) runs
``submissions.injection.injection_checks`` outside any transaction, then in ONE transaction
stores the outcome: on success the declared address replaces the evidence's address (sealed)
and the proof replaces the address image; on failure nothing of the request is kept. Either way
the sealed ``injection_action`` of the submission, the Event Log entry and the ``injection`` /
``injectionFail`` webhook. A repeated task finds the row no longer queued and does nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from idcheck.celery import delay_or_leave_to_sweeper
from idcheck.errors import ApplicationError
from idcheck.lib.crypto import DecryptionError
from idcheck.timeformat import format_compact
from policy.evidence import AddressEvidence, Evidence
from policy.selectors import policy_settings_get
from projects.actors import Actor
from projects.models import Project
from projects.services import audit_record
from submissions import vault
from submissions.injection import IP_RISK, DeclaredAddress, InjectionOptions, injection_checks
from submissions.models import (
    AddressInjection,
    ImageKind,
    InjectionState,
    Submission,
    SubmissionImage,
)
from submissions.selectors import INJECTABLE, injectable_submission
from submissions.services.create import image_intake
from submissions.storage import CONTENT_TYPE, image_file_write, image_files_delete
from webhooks.services import webhook_event_emit

ACTOR = Actor.system("liveform")


class InjectionRefused(ApplicationError):
    """``code``: ``invalid_submission`` (no such injectable submission) or ``injection_error``
    (it cannot take one now: another is being checked, or its data was deleted)."""


def _context(base: str, injection_id: int) -> str:
    return f"{base}:{injection_id}"


def submission_injection_request(
    *,
    project: Project,
    submission_id: str,
    address: DeclaredAddress,
    image: bytes,
    ip: str,
    options: InjectionOptions,
    echo: dict[str, str],
) -> AddressInjection:
    """Queue the checks of a declared address and its proof (module doc). ``ImageRefused`` for a
    photo the intake refuses, ``InjectionRefused`` otherwise; nothing is kept after a refusal."""
    jpeg = image_intake(ImageKind.ADDRESS, image)
    written: list[str] = []
    try:
        return _request(project, submission_id, address, jpeg, ip, options, echo, written)
    except BaseException:
        image_files_delete(written)
        raise


@transaction.atomic
def _request(project: Project, submission_id: str, address: DeclaredAddress, jpeg: bytes, ip: str,
             options: InjectionOptions, echo: dict[str, str], written: list[str]) -> AddressInjection:  # fmt: skip
    submission = injectable_submission(project=project, submission_id=submission_id)
    if submission is None:
        raise InjectionRefused("Invalid submissionId", code="invalid_submission")
    submission = Submission.objects.select_for_update(of=("self",)).select_related("project").get(pk=submission.pk)
    if submission.status not in INJECTABLE or not submission.wrapped_data_key:
        raise InjectionRefused("Invalid submissionId", code="invalid_submission")
    if submission.injections.filter(state=InjectionState.QUEUED).exists():
        raise InjectionRefused("Error in injecting address", code="injection_error")
    image = image_file_write(submission, kind=ImageKind.ADDRESS, jpeg=jpeg)
    written.append(image.storage_name)
    injection = AddressInjection.objects.create(
        submission=submission, project=project, storage_name=image.storage_name, sha256=image.sha256, size=image.size
    )
    request = {"address": address.to_json(), "ip": ip, "options": options.to_json()}
    injection.sealed_request = vault.seal_json(
        submission, request, context=_context(vault.INJECTION_REQUEST_CONTEXT, injection.pk)
    )
    injection.sealed_echo = vault.seal_json(
        submission, echo, context=_context(vault.INJECTION_ECHO_CONTEXT, injection.pk)
    )
    injection.save(update_fields=["sealed_request", "sealed_echo"])
    audit_record(actor=ACTOR, action="submission.injection_requested", project=project, target_type="submission",
                 target_id=submission.pk, details={"injection": injection.pk, "type": "address",
                                                   "checks": _asked(options)})  # fmt: skip
    injection_id = injection.pk
    transaction.on_commit(lambda: _enqueue(injection_id))
    return injection


def _asked(options: InjectionOptions) -> list[str]:
    asked = ["blacklist"]
    if options.ip_risk_categories:
        asked.insert(0, "ipRisk")
    if options.distance_source:
        asked.append("distance")
    return asked


def _enqueue(injection_id: int) -> None:
    """After the commit; with the broker down the person's request still succeeds (the row is
    committed and queued) and ``injections_requeue_stuck`` sends it once the broker is back."""
    from submissions.tasks import submission_injection_run_task

    delay_or_leave_to_sweeper(submission_injection_run_task, injection_id)


def submission_injection_run(*, injection_id: int) -> AddressInjection | None:
    """Check one queued injection and store the outcome (module doc); None when there is nothing
    to do (unknown, or already checked)."""
    injection = AddressInjection.objects.select_related("submission__project").filter(pk=injection_id).first()
    if injection is None or injection.state != InjectionState.QUEUED:
        return None
    submission = injection.submission
    try:
        request = vault.open_json(submission, injection.sealed_request,
                                  context=_context(vault.INJECTION_REQUEST_CONTEXT, injection.pk))  # fmt: skip
    except DecryptionError:  # the submission was deleted meanwhile: its data key is gone
        return _abandon(injection_id)
    options = InjectionOptions.from_json(request["options"])
    address = DeclaredAddress(**request["address"])
    blocked = _blocked_since(submission, now=timezone.now())
    outcome = injection_checks(
        address=address, ip=request["ip"], options=options,
        blacklist=policy_settings_get(submission.project).blacklist_countries, blocked_since=blocked,
    )  # fmt: skip
    return _store(injection_id, address, outcome.checks, outcome.fail_code, options)


def _blocked_since(submission: Submission, *, now: dt.datetime) -> dt.datetime | None:
    """When the still-running ipRisk block of this submission began (None: no block)."""
    blocking = submission.injections.filter(ip_blocked_until__gt=now).order_by("checked_at").first()
    return blocking.checked_at if blocking is not None else None


@transaction.atomic
def _abandon(injection_id: int) -> AddressInjection | None:
    injection = AddressInjection.objects.select_for_update().filter(pk=injection_id).first()
    if injection is None or injection.state != InjectionState.QUEUED:
        return None
    _drop_request(injection, InjectionState.FAILED, delete_file=True)
    return injection


def _drop_request(injection: AddressInjection, state: str, *, delete_file: bool) -> None:
    old_file = injection.storage_name
    injection.state, injection.checked_at, injection.sealed_request = state, timezone.now(), None
    injection.storage_name, injection.sha256, injection.size = "", "", 0
    injection.save()
    if delete_file and old_file:
        transaction.on_commit(lambda: image_files_delete([old_file]))


@transaction.atomic
def _store(injection_id: int, address: DeclaredAddress, checks: dict[str, Any], fail_code: str | None,
           options: InjectionOptions) -> AddressInjection | None:  # fmt: skip
    submission_id = AddressInjection.objects.values_list("submission_id", flat=True).get(pk=injection_id)
    submission = Submission.objects.select_for_update(of=("self",)).select_related("project").get(pk=submission_id)
    injection = AddressInjection.objects.select_for_update().get(pk=injection_id)
    if injection.state != InjectionState.QUEUED:
        return None  # a duplicate delivery got here first
    if not submission.wrapped_data_key:
        _drop_request(injection, InjectionState.FAILED, delete_file=True)
        return injection
    action: dict[str, Any] = {"type": "address", "created_at": format_compact(injection.created_at)}
    if fail_code is None:
        _replace_address(submission, injection, address)
        _drop_request(injection, InjectionState.COMPLETED, delete_file=False)
    else:
        action["failCode"] = fail_code
        if (
            fail_code == IP_RISK
            and checks[IP_RISK]["result"] == "failed"
            and checks[IP_RISK].get("reason") != "blocked"
        ):
            injection.ip_blocked_until = timezone.now() + dt.timedelta(hours=options.ip_risk_hours)
        _drop_request(injection, InjectionState.FAILED, delete_file=True)
    stored = {**action, "checks": checks}
    submission.sealed_injection_action = vault.seal_json(submission, stored, context=vault.INJECTION_ACTION_CONTEXT)
    submission.save(update_fields=["sealed_injection_action", "updated_at"])
    audit_record(actor=ACTOR, action="submission.address_injected" if fail_code is None else
                 "submission.address_injection_failed", project=submission.project, target_type="submission",
                 target_id=submission.pk, details={"injection": injection.pk, "failCode": fail_code or "",
                                                   "checks": {name: check["result"] for name, check in checks.items()}})  # fmt: skip
    trigger = "injection" if fail_code is None else "injectionFail"
    webhook_event_emit(project=submission.project, event=trigger, resource_id=submission.pk,
                       payload={"webhook_trigger": trigger, "action": action, "submission_id": submission.pk,
                                "kyc_status": submission.status})  # fmt: skip
    return injection


def _replace_address(submission: Submission, injection: AddressInjection, address: DeclaredAddress) -> None:
    """The declared address in place of the evidence's (sealed again, the old one gone with the
    old blob) and the proof in place of the address image (the old file deleted after commit)."""
    stored = vault.open_json(submission, submission.sealed_evidence, context=vault.EVIDENCE_CONTEXT)
    if stored is not None:
        evidence = Evidence.from_json(stored)
        declared = AddressEvidence(submitted=True, street=address.street, city=address.city,
                                   postal_code=address.postal_code or None, country=address.country)  # fmt: skip
        evidence = dataclasses.replace(evidence, address=declared)
        submission.sealed_evidence = vault.seal_json(submission, evidence.to_json(), context=vault.EVIDENCE_CONTEXT)
        submission.save(update_fields=["sealed_evidence"])
    old = list(submission.images.filter(kind=ImageKind.ADDRESS))
    SubmissionImage.objects.filter(pk__in=[image.pk for image in old]).delete()
    SubmissionImage.objects.create(submission=submission, kind=ImageKind.ADDRESS, storage_name=injection.storage_name,
                                   sha256=injection.sha256, size=injection.size, content_type=CONTENT_TYPE)  # fmt: skip
    old_files = [image.storage_name for image in old]
    transaction.on_commit(lambda: image_files_delete(old_files))


def injections_forget(submission: Submission) -> int:
    """For a deletion (inside its transaction): drop the request, echoes and pending proof of
    every injection of the submission (their files after commit); the rows stay, as ids and
    states. Returns how many held something."""
    rows = list(submission.injections.select_for_update().exclude(sealed_request=None, sealed_echo=None,
                                                                  storage_name=""))  # fmt: skip
    files = [row.storage_name for row in rows if row.storage_name]
    for row in rows:
        if row.state == InjectionState.QUEUED:
            row.state, row.checked_at = InjectionState.FAILED, timezone.now()
        row.sealed_request, row.sealed_echo, row.storage_name, row.sha256, row.size = None, None, "", "", 0
        row.save()
    transaction.on_commit(lambda: image_files_delete(files))
    return len(rows)


@transaction.atomic
def injections_requeue_stuck(*, now: dt.datetime | None = None) -> int:
    """The sweeper (Celery beat, every minute): injections still queued ``queued_stale()`` after
    they were last sent to the worker may have lost their message (a broker restart, a worker
    killed before it acknowledged): send them again. The run is idempotent, so a message that was
    only slow costs a second look at a row already checked. Returns how many were re-sent."""
    from submissions.services.process import queued_resend

    queued = AddressInjection.objects.filter(state=InjectionState.QUEUED)
    return queued_resend(queued, now=now or timezone.now(), enqueue=_enqueue)
