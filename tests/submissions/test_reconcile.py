"""``manage.py reconcile`` (issue 11): a clean database passes every check; each inconsistency a
fault can leave, made here directly in the database, is reported exactly, with exit status 1.

The clean world goes through the real services: a top-up, a webhook endpoint, a passport run to
its approval (real engines), a submission still queued, and one deleted.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.utils import timezone

from policy.rules import RuleSet
from policy.settings import PolicySettings
from projects.actors import Actor
from projects.models import AuditEvent, CreditLedgerEntry, Project
from projects.models.credits import CreditReason
from projects.services import credits_top_up
from submissions.management.commands import reconcile as reconcile_command
from submissions.models import CheckResult, LivenessCapture, RunState, Submission, SubmissionImage
from submissions.reconcile import ORPHANS_DELETED
from submissions.services import (
    SubmissionDetails,
    process,
    submission_create,
    submission_delete,
    submission_migrate,
    submission_process,
    submissions_expire_incomplete,
    submissions_requeue_stuck,
)
from tests.factories import MembershipFactory, ProjectFactory, SubmissionFactory
from tests.submissions.api.helpers import passport_case, photo, stored_files
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookOutbox
from webhooks.services import webhook_endpoint_set

ACTOR = Actor.system("test")
CHECKS = ["credits", "runs", "webhooks", "files", "rows"]


@dataclass
class World:
    project: Project
    approved: Submission
    queued: Submission
    deleted: Submission
    migrated: Submission
    expired: Submission


@pytest.fixture
def world(db, monkeypatch, django_capture_on_commit_callbacks) -> World:
    project = ProjectFactory(credits=0)
    credits_top_up(project=project, amount=10, actor=ACTOR, note="test")
    webhook_endpoint_set(project=project, url="https://example.com/hooks")
    case = passport_case()
    approved = submission_create(project=project, source="api", actor=ACTOR,
                                 images={"id_front": case.front, "selfie": case.selfie},
                                 details=SubmissionDetails(email="a@example.com"))  # fmt: skip
    monkeypatch.setattr(process, "project_policy", lambda project: (PolicySettings(), RuleSet()))
    assert submission_process(submission_id=approved.id) is not None
    queued = submission_create(project=project, source="api", actor=ACTOR, images={"id_front": photo()})
    deleted = submission_create(project=project, source="api", actor=ACTOR, images={"id_front": photo()},
                                details=SubmissionDetails(email="d@example.com"))  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        submission_delete(project=project, submission_id=deleted.id, actor=ACTOR)
    # free and without a run: no debit, no sealed decision
    admin = MembershipFactory(project=project).user
    migrated = submission_migrate(project=project, actor=ACTOR, fields={
        "admin": admin.email, "email": "m@example.com", "fullName": "ERIKSSON ANNA", "birthDate": "1990-01-31",
        "kycStatus": "approved"})  # fmt: skip
    # never submitted, rejected by the timeout: a sealed decision, no evidence
    expired = submission_create(project=project, source="liveform", actor=ACTOR)
    assert submissions_expire_incomplete(now=timezone.now() + dt.timedelta(days=2)) == 1
    for submission in (approved, queued, deleted, expired):
        submission.refresh_from_db()
    assert (approved.status, expired.status) == ("approved", "rejected")
    return World(project, approved, queued, deleted, migrated, expired)


def _reconcile(*args: str) -> tuple[int, dict]:
    """The command's exit status and its --json report."""
    out = io.StringIO()
    try:
        call_command("reconcile", "--json", *args, stdout=out)
        status = 0
    except CommandError as error:
        status = error.returncode
    return status, json.loads(out.getvalue())


def _findings(report: dict) -> dict[str, dict[str, tuple[int, list[str]]]]:
    """{check: {what: (count, ids)}} of the checks that found something."""
    return {
        check["name"]: {f["what"]: (f["count"], f["ids"]) for f in check["findings"]}
        for check in report["checks"]
        if check["findings"]
    }


def _media() -> Path:
    return Path(django_settings.MEDIA_ROOT)


def _age(name: str, *, minutes: int) -> None:
    then = (timezone.now() - dt.timedelta(minutes=minutes)).timestamp()
    os.utime(default_storage.path(name), (then, then))


# --- a clean database ----------------------------------------------------------------------------


def test_a_clean_database_passes_every_check(world):
    # when
    status, report = _reconcile()

    # then
    assert status == 0
    assert report["ok"] is True
    assert report["offenders"] == 0
    assert [(check["name"], check["ok"], check["findings"]) for check in report["checks"]] == [
        (name, True, []) for name in CHECKS
    ]


def test_the_text_report_says_ok_per_check_and_sums_up_in_a_table(world):
    # when
    out = io.StringIO()
    call_command("reconcile", stdout=out)

    # then
    lines = out.getvalue().splitlines()
    assert [line.split()[:2] for line in lines[:5]] == [[name, "OK:"] for name in CHECKS]
    assert lines[6].split() == ["check", "result", "offenders"]
    assert [line.split() for line in lines[7:]] == [*([name, "ok", "0"] for name in CHECKS), ["total", "0"]]


def test_an_unknown_project_is_a_clear_error(world):
    with pytest.raises(CommandError, match="No project with pid 'nosuchpid0'"):
        call_command("reconcile", "--project", "nosuchpid0", stdout=io.StringIO())


def test_a_database_that_cannot_be_read_is_a_clear_error_with_its_own_exit_status(db, monkeypatch):
    # given: PostgreSQL still down
    def down(scope, *, deep=False):
        raise OperationalError("connection refused")

    monkeypatch.setattr(reconcile_command, "reconcile_all", down)

    # when
    with pytest.raises(CommandError) as refused:
        call_command("reconcile", stdout=io.StringIO())

    # then
    assert (str(refused.value), refused.value.returncode) == (
        "reconcile could not read the database: connection refused",
        2,
    )


# --- 1. credits ----------------------------------------------------------------------------------


def test_it_reports_a_submission_without_its_debit(world):
    # given: a submission row committed without the debit its creation takes
    stray = SubmissionFactory(project=world.project)

    # when
    status, report = _reconcile()

    # then
    assert status == 1
    assert _findings(report) == {"credits": {"submission without its debit": (1, [stray.id])}}


def test_it_reports_a_second_debit_that_belongs_to_no_submission(world):
    # given: one more debit, the balance following it, but no submission behind it
    balance = Project.objects.get(pk=world.project.pk).credits - 1
    Project.objects.filter(pk=world.project.pk).update(credits=balance)
    extra = CreditLedgerEntry.objects.create(project=world.project, delta=-1, balance_after=balance,
                                             reason=CreditReason.SUBMISSION)  # fmt: skip

    # when
    status, report = _reconcile()

    # then
    assert status == 1
    assert _findings(report) == {"credits": {"debit without a submission": (1, [str(extra.pk)])}}


def test_it_reports_a_balance_the_ledger_does_not_explain(world):
    # given: credits changed without a ledger row (a read-modify-write, E1)
    Project.objects.filter(pk=world.project.pk).update(credits=50)

    # when
    status, report = _reconcile()

    # then
    assert status == 1
    assert _findings(report) == {
        "credits": {"project whose balance is not its last ledger entry's": (1, [world.project.pid])}
    }


# --- 2. verification runs ------------------------------------------------------------------------


def test_it_reports_a_queued_submission_stuck_past_the_sweepers_resend(world):
    # given: queued an hour ago, never re-sent by the sweeper
    Submission.objects.filter(pk=world.queued.pk).update(queued_at=timezone.now() - dt.timedelta(hours=1))

    # when
    status, report = _reconcile()

    # then
    assert status == 1
    assert _findings(report) == {"runs": {"queued long past the sweeper's re-send": (1, [world.queued.id])}}


def test_a_submission_queued_a_moment_ago_is_still_in_flight(world):
    # given
    Submission.objects.filter(pk=world.queued.pk).update(queued_at=timezone.now() - dt.timedelta(minutes=5))

    # when
    status, report = _reconcile()

    # then
    assert (status, report["offenders"]) == (0, 0)


def test_a_run_whose_worker_died_three_times_is_reported_until_the_sweeper_fails_it_visibly(
    world, django_capture_on_commit_callbacks
):
    # given: the third claim's worker was killed two hours ago
    Submission.objects.filter(pk=world.queued.pk).update(
        run_state=RunState.PROCESSING, claimed_at=timezone.now() - dt.timedelta(hours=2), attempts=3
    )
    before_status, before = _reconcile()

    # when: the sweeper runs
    with django_capture_on_commit_callbacks(execute=False):
        assert submissions_requeue_stuck().failed == 1

    # then: before, the stuck run; after, a visible failure sent to review, and nothing to report
    after_status, after = _reconcile()
    assert before_status == 1
    assert _findings(before) == {"runs": {"processing long past its lease": (1, [world.queued.id])}}
    assert (after_status, after["offenders"]) == (0, 0)
    world.queued.refresh_from_db()
    assert (world.queued.run_state, world.queued.status) == (RunState.FAILED, "pending")
    assert world.queued.failure_reason == "the worker was lost during each of 3 attempts"


def test_it_reports_a_run_processing_long_past_its_lease_and_a_failure_without_reason(world):
    # given
    Submission.objects.filter(pk=world.queued.pk).update(
        run_state=RunState.PROCESSING, claimed_at=timezone.now() - dt.timedelta(hours=2)
    )
    Submission.objects.filter(pk=world.deleted.pk).update(failure_reason="")

    # when
    status, report = _reconcile()

    # then
    assert status == 1
    assert _findings(report) == {
        "runs": {
            "processing long past its lease": (1, [world.queued.id]),
            "failed without a reason": (1, [world.deleted.id]),
        }
    }


def test_it_reports_an_incomplete_submission_the_expiry_sweep_missed(world):
    # given: never submitted, created 31 days ago (past the longest timeout a project may set)
    waiting = submission_create(project=world.project, source="liveform", actor=ACTOR)
    Submission.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - dt.timedelta(days=31))

    # when
    status, report = _reconcile()

    # then
    assert status == 1
    assert _findings(report) == {
        "runs": {"incomplete long past any timeout (the expiry sweep did not reject it)": (1, [waiting.id])}
    }


# --- 3. webhooks ---------------------------------------------------------------------------------


def test_it_reports_an_outbox_event_without_its_delivery(world):
    # given: the event committed, its delivery row lost
    event = WebhookOutbox.objects.get(resource_id=world.approved.id, event="approved")
    WebhookDelivery.objects.filter(event=event).delete()

    # when
    status, report = _reconcile()

    # then
    assert status == 1
    assert _findings(report) == {"webhooks": {"event without a delivery to its endpoint": (1, [str(event.pk)])}}


def test_it_reports_an_overdue_delivery_but_not_the_one_waiting_behind_it(world):
    # given: the first event of the submission an hour overdue; its second waits in line (G5)
    first = WebhookDelivery.objects.get(resource_id=world.approved.id, sequence=1)
    WebhookDelivery.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now() - dt.timedelta(hours=1))
    WebhookDelivery.objects.filter(resource_id=world.approved.id, sequence=2).update(
        next_attempt_at=timezone.now() - dt.timedelta(hours=1)
    )

    # when
    status, report = _reconcile()

    # then
    assert status == 1
    assert _findings(report) == {
        "webhooks": {"delivery overdue (the sweeper did not send it)": (1, [first.webhook_id])}
    }


def test_it_reports_a_delivery_locked_long_past_its_lease(world):
    # given
    delivery = WebhookDelivery.objects.get(resource_id=world.queued.id)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.IN_FLIGHT, locked_until=timezone.now() - dt.timedelta(minutes=30)
    )

    # when
    status, report = _reconcile()

    # then
    assert status == 1
    assert _findings(report) == {"webhooks": {"delivery in flight long past its lease": (1, [delivery.webhook_id])}}


def test_delivered_and_dead_deliveries_and_a_disabled_endpoint_are_not_offenders(world):
    # given
    WebhookDelivery.objects.filter(resource_id__in=[world.approved.id, world.expired.id]).update(
        status=DeliveryStatus.DELIVERED
    )
    WebhookDelivery.objects.filter(resource_id=world.queued.id).update(status=DeliveryStatus.DEAD)
    WebhookEndpoint.objects.filter(project=world.project).update(is_active=False)
    WebhookDelivery.objects.filter(resource_id=world.deleted.id).update(
        next_attempt_at=timezone.now() - dt.timedelta(days=1)
    )

    # when
    status, report = _reconcile()

    # then: the disabled endpoint's delivery is held, and said so
    assert (status, report["offenders"]) == (0, 0)
    webhooks = next(check for check in report["checks"] if check["name"] == "webhooks")
    assert webhooks["notes"] == ["1 pending deliveries held for a disabled endpoint (sent once its URL is set again)"]


# --- 4. files ------------------------------------------------------------------------------------


def test_it_reports_an_old_orphan_file_but_not_one_being_written(world):
    # given: a file no row names (a create that died after writing it), and a fresh one
    orphan = default_storage.save("submissions/zz/orphan.bin", ContentFile(b"sealed bytes"))
    _age(orphan, minutes=60)
    default_storage.save("submissions/zz/in-flight.bin", ContentFile(b"sealed bytes"))

    # when
    status, report = _reconcile()

    # then
    assert status == 1
    assert _findings(report) == {"files": {"file without its row": (1, [orphan])}}


def test_it_reports_a_row_whose_file_is_missing_and_a_file_of_another_size(world):
    # given
    front = SubmissionImage.objects.get(submission=world.approved, kind="id_front")
    selfie = SubmissionImage.objects.get(submission=world.approved, kind="selfie")
    default_storage.delete(front.storage_name)
    with open(default_storage.path(selfie.storage_name), "ab") as handle:
        handle.write(b"tail")

    # when
    status, report = _reconcile()

    # then
    assert status == 1
    assert _findings(report) == {
        "files": {
            "image row whose file is missing": (1, [f"{world.approved.id}/id_front"]),
            "image file of another size than its row records": (1, [f"{world.approved.id}/selfie"]),
        }
    }


def test_it_reports_a_liveness_row_whose_frames_file_is_missing(world):
    # given: a live capture's row committed, its sealed frames never written
    LivenessCapture.objects.create(submission=world.approved, plan={}, nonce_sent="n", received_at_ms=0, frame_count=3,
                                   storage_name="submissions/zz/frames.bin", sha256="0" * 64, size=10)  # fmt: skip

    # when
    status, report = _reconcile()

    # then
    assert status == 1
    assert _findings(report) == {
        "files": {"liveness row whose file is missing": (1, [f"{world.approved.id}/liveness"])}
    }


def test_it_reports_files_kept_for_a_deleted_submission(world):
    # given: an image row (and its file) that outlived the deletion
    name = default_storage.save("submissions/zz/kept.bin", ContentFile(b"x" * 40))
    SubmissionImage.objects.create(submission=world.deleted, kind="id_front", storage_name=name, sha256="0" * 64,
                                   size=11, content_type="image/jpeg")  # fmt: skip

    # when
    status, report = _reconcile()

    # then
    assert status == 1
    assert _findings(report) == {"files": {"image row of a deleted submission": (1, [world.deleted.id])}}


def test_deep_reports_a_file_altered_at_its_recorded_size(world):
    # given: one byte flipped; the size still matches
    front = SubmissionImage.objects.get(submission=world.approved, kind="id_front")
    path = Path(default_storage.path(front.storage_name))
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))

    # when
    quick_status, quick = _reconcile()
    deep_status, deep = _reconcile("--deep")

    # then
    assert (quick_status, quick["offenders"]) == (0, 0)
    assert deep_status == 1
    assert _findings(deep) == {
        "files": {"file that does not open to its sha256": (1, [f"{world.approved.id}/id_front"])}
    }


def test_fix_orphans_deletes_only_the_orphan_file_and_records_it(world):
    # given
    orphan = default_storage.save("submissions/zz/orphan.bin", ContentFile(b"sealed bytes"))
    _age(orphan, minutes=60)
    fresh = default_storage.save("submissions/zz/in-flight.bin", ContentFile(b"sealed bytes"))
    files_before = stored_files(_media())
    rows_before = sorted(SubmissionImage.objects.values_list("storage_name", flat=True))

    # when
    out = io.StringIO()
    call_command("reconcile", "--fix-orphans", stdout=out)

    # then: the orphan is gone, every other file and row stays, the Event Log says how many
    assert out.getvalue().splitlines()[0] == "deleted 1 orphan file(s)"
    assert stored_files(_media()) == [path for path in files_before if path != Path(default_storage.path(orphan))]
    assert default_storage.exists(fresh)
    assert sorted(SubmissionImage.objects.values_list("storage_name", flat=True)) == rows_before
    event = AuditEvent.objects.get(action=ORPHANS_DELETED)
    assert (event.project_id, event.actor_label, event.details) == (
        None,
        "reconcile",
        {"files": 1, "folder": "submissions"},
    )


# --- 5. rows -------------------------------------------------------------------------------------


def test_it_reports_a_decided_submission_without_its_sealed_decision(world):
    # given: the run's and the timeout's decisions lost; a migration never had one
    Submission.objects.filter(pk__in=[world.approved.pk, world.expired.pk]).update(sealed_decision=None)

    # when
    status, report = _reconcile()

    # then
    assert status == 1
    assert _findings(report) == {
        "rows": {"decided without its sealed decision": (2, sorted([world.approved.id, world.expired.id]))}
    }


def test_it_reports_a_migrated_submission_without_its_sealed_evidence_or_with_a_debit(world):
    # given
    Submission.objects.filter(pk=world.migrated.pk).update(sealed_evidence=None)
    balance = Project.objects.get(pk=world.project.pk).credits - 1
    Project.objects.filter(pk=world.project.pk).update(credits=balance)
    debit = CreditLedgerEntry.objects.create(project=world.project, delta=-1, balance_after=balance,
                                             reason=CreditReason.SUBMISSION, submission=world.migrated)  # fmt: skip

    # when
    status, report = _reconcile()

    # then
    assert status == 1
    assert _findings(report) == {
        "credits": {"debit of a migrated submission (never charged)": (1, [str(debit.pk)])},
        "rows": {"decided without its sealed evidence": (1, [world.migrated.id])},
    }


def test_it_reports_a_decided_run_without_its_check_results_and_an_approval_without_applicant(world):
    # given
    CheckResult.objects.filter(submission=world.approved, step="liveness").delete()
    Submission.objects.filter(pk=world.approved.pk).update(applicant_id="")

    # when
    status, report = _reconcile()

    # then
    assert status == 1
    assert _findings(report) == {
        "rows": {
            "decided run without its liveness check result": (1, [world.approved.id]),
            "approved without an applicant id": (1, [world.approved.id]),
        }
    }


def test_deep_reports_a_step_the_evidence_references_without_its_check_result(world):
    # given: the face comparison's result lost (only --deep reads the evidence that references it)
    CheckResult.objects.filter(submission=world.approved, step="face").delete()

    # when
    quick_status, quick = _reconcile()
    deep_status, deep = _reconcile("--deep")

    # then
    assert (quick_status, quick["offenders"]) == (0, 0)
    assert deep_status == 1
    assert _findings(deep) == {
        "rows": {"decided run without a check result its evidence references": (1, [world.approved.id])}
    }


def test_deep_reports_sealed_evidence_that_does_not_open(world):
    # given
    Submission.objects.filter(pk=world.approved.pk).update(sealed_evidence=b"\x01" + bytes(40))

    # when
    status, report = _reconcile("--deep")

    # then
    assert status == 1
    assert _findings(report) == {"rows": {"sealed evidence that does not open": (1, [world.approved.id])}}


def test_an_approval_whose_applicant_id_was_deleted_on_request_is_whole(world):
    # given: a partial deletion of applicant_id (spec §2.6) leaves the approval without one
    Submission.objects.filter(pk=world.approved.pk).update(applicant_id="", duplicate_exclusions=["applicant_id"])

    # when
    status, report = _reconcile()

    # then
    assert (status, report["offenders"]) == (0, 0)


def test_it_reports_a_deleted_submission_that_kept_its_lookups_or_results(world):
    # given
    Submission.objects.filter(pk=world.deleted.pk).update(email_lookup="f" * 64)
    CheckResult.objects.create(submission=world.deleted, step="document_front", outcome="read")

    # when
    status, report = _reconcile()

    # then
    assert status == 1
    assert _findings(report) == {
        "rows": {
            "deleted but sealed data or e-mail/userid lookups kept": (1, [world.deleted.id]),
            "deleted but check results or face templates kept": (1, [world.deleted.id]),
        }
    }


# --- scope ---------------------------------------------------------------------------------------


def test_project_limits_the_checks_to_that_project(world):
    # given: an offender in another project
    other = ProjectFactory()
    SubmissionFactory(project=other)

    # when
    own_status, own = _reconcile("--project", world.project.pid)
    other_status, other_report = _reconcile("--project", other.pid)

    # then
    assert (own_status, own["offenders"], own["project"]) == (0, 0, world.project.pid)
    assert other_status == 1
    assert list(_findings(other_report)) == ["credits"]


def test_fix_orphans_keeps_the_proof_of_an_address_injection_waiting_for_its_checks(world):
    # given: an address injection queued an hour ago (its worker down), its proof older than the grace
    from unittest import mock

    from submissions.injection import DeclaredAddress, InjectionOptions
    from submissions.services.injection import submission_injection_request
    from tests.submissions.injection_helpers import ADDRESS, liveform_submission

    submission = liveform_submission(ProjectFactory(credits=2))
    with mock.patch("submissions.tasks.submission_injection_run_task.delay", autospec=True):
        injection = submission_injection_request(
            project=submission.project, submission_id=submission.pk, address=DeclaredAddress(**ADDRESS),
            image=photo(), ip="", options=InjectionOptions(), echo={},
        )  # fmt: skip
    _age(injection.storage_name, minutes=60)

    # when
    from submissions.reconcile.files import orphan_files_delete

    deleted = orphan_files_delete()

    # then: it is not an orphan
    assert deleted == 0
    assert default_storage.exists(injection.storage_name)
