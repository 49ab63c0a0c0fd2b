"""AML ongoing monitoring (spec §2.16, §4.11, §8.12): approved people registered in a project's
worklist are screened again after every watch-list import, and what is new to them is raised as
an OPEN match that a reviewer resolves (true positive, false positive, discarded).

* **Registration.** After an approval, when the project has ``aml_monitoring`` on, in its default
  worklist (:func:`aml_monitor_schedule`, queued after the commit); or by
  ``POST /v3/submission/aml/monitor/{worklistId}`` (:func:`aml_monitor_register`). Only an
  approved submission with a full name and a birth date is registered. The record's id is
  ``<worklistId>_<submissionId>``; the person (name, birth date, nationality, e-mail) is sealed
  under the submission's data key. The record is screened at once.
* **Rescreen.** ``import_watchlist`` queues :func:`aml_monitor_rescreen_all` after its commit.
  Each submission's records are screened in their own transaction against the lists as they are
  then; a record already screened against those versions is skipped, so a repeated task does
  nothing. A profile is raised only when the record has no match of that profile with the same
  content (``profile_sha256``): re-importing an unchanged list raises nothing, whatever was
  resolved.
* Each submission with new matches (or a new record) gets one ``aml_monitor`` webhook (§4.11) and
  one Event Log entry in the transaction that stores them.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from idcheck.errors import ApplicationError
from idcheck.lib.crypto import DecryptionError
from idcheck.timeformat import format_iso
from policy.aml.index import watchlist_index
from policy.aml.matching import Match, Person, Profile, WatchlistIndex
from policy.aml.models import AmlMonitorMatch, AmlMonitorRecord, AmlWorklist, MonitorMatchStatus
from policy.aml.monitoring import aml_worklist_default
from policy.aml.selectors import aml_settings_get
from projects.actors import Actor
from projects.models import Project
from projects.services import audit_record
from submissions import vault
from submissions.models import Submission, SubmissionStatus
from submissions.selectors import submission_view
from submissions.services.aml import AML_ACTOR, match_json, screened_person
from webhooks.services import webhook_event_emit

MONITOR_CONTEXT = "submissions.aml_monitor.person"
MATCH_CONTEXT = "submissions.aml_monitor.match"
MAX_ITEMS = 25  # §2.16 "Up to 25 items per request"
NO_MATCHES, MATCHES = "screenedNoMatches", "screenedMatches"
logger = logging.getLogger("idcheck.aml")


class MonitorRefused(ApplicationError):
    """A monitoring request refused as a whole; ``code`` is the spec's (§2.16)."""


@dataclass
class Registration:
    success: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)


def aml_monitor_schedule(submission: Submission) -> None:
    """Queue the registration of a just-approved submission in the project's default worklist
    after the commit, when the project monitors; nothing for any other status."""
    if submission.status != SubmissionStatus.APPROVED or not aml_settings_get(submission.project).monitoring:
        return
    submission_id = submission.pk
    transaction.on_commit(lambda: _enqueue_register(submission_id))


def _enqueue_register(submission_id: str) -> None:
    from submissions.tasks_aml_monitor import aml_monitor_register_task

    aml_monitor_register_task.delay(submission_id)


def aml_worklist_usable(*, project: Project, worklist_id: str) -> AmlWorklist:
    """The project's active worklist ``worklist_id``; ``MonitorRefused`` with §2.16's code."""
    if not aml_settings_get(project).monitoring:
        raise MonitorRefused("Ongoing monitoring is not enabled for this project.", code="invalid_project")
    worklist = AmlWorklist.objects.filter(project=project, pk=worklist_id).first()
    if worklist is None or not worklist.active:
        raise MonitorRefused(f"Worklist is not found or not active: {worklist_id}", code="invalid_worklist")
    return worklist


def aml_monitor_register(
    *, project: Project, worklist_id: str, submission_ids: list[str], admin: str, actor: Actor
) -> Registration:
    """Register each of ``submission_ids`` (at most 25) in the worklist; one result per item."""
    worklist = aml_worklist_usable(project=project, worklist_id=worklist_id)
    watchlist_index()  # a cold index takes seconds to build: not while a submission's row is locked
    outcome = Registration()
    for submission_id in submission_ids:
        try:
            record_id = _register_one(worklist, submission_id, admin, actor)
        except MonitorRefused as exc:
            outcome.failed.append(
                {"submissionId": submission_id, "recordIds": [], "status": "failed", "error": exc.message}
            )
        else:
            outcome.success.append({"submissionId": submission_id, "recordIds": [record_id], "status": "success"})
    return outcome


def aml_monitor_register_approved(submission_id: str) -> str | None:
    """The registration on approval (the task): the default worklist, created on first use."""
    submission = Submission.objects.select_related("project").filter(pk=submission_id).first()
    if submission is None or not aml_settings_get(submission.project).monitoring:
        return None
    worklist = aml_worklist_default(submission.project)
    watchlist_index()
    try:
        return _register_one(worklist, submission_id, "", AML_ACTOR)
    except MonitorRefused as exc:
        logger.info("AML monitoring registration of %s refused: %s", submission_id, exc.message)
        return None


@transaction.atomic
def _register_one(worklist: AmlWorklist, submission_id: str, admin: str, actor: Actor) -> str:
    submission = Submission.objects.select_for_update().filter(project_id=worklist.project_id, pk=submission_id).first()
    if submission is None or not submission.wrapped_data_key:
        raise MonitorRefused(f"Cannot find submission: {submission_id}", code="invalid_submission")
    if submission.status != SubmissionStatus.APPROVED:
        raise MonitorRefused(f"This submission is not approved: {submission_id}", code="not_approved")
    person = screened_person(submission)
    if person is None or not person.birth_date:
        raise MonitorRefused(
            f"This submission has no valid fullName and birthDate: {submission_id}", code="no_identity"
        )
    record_id = f"{worklist.pk}_{submission.pk}"
    existing = AmlMonitorRecord.objects.filter(pk=record_id).first()
    if existing is not None:
        return existing.pk
    email = submission_view(submission).metadata.get("email") or ""
    sealed = {"name": person.name, "birth_date": person.birth_date, "nationality": person.nationality, "email": email}
    record = AmlMonitorRecord.objects.create(
        id=record_id, worklist=worklist, project=submission.project, submission=submission, admin=admin,
        sealed_person=vault.seal_json(submission, sealed, context=MONITOR_CONTEXT),
    )  # fmt: skip
    index, versions = watchlist_index()
    raised = _screen(record, submission, person, index, versions)
    audit_record(actor=actor, action="submission.aml_monitor_registered", project=submission.project,
                 target_type="submission", target_id=submission.pk,
                 details={"record": record.pk, "worklist": worklist.pk, "matches": raised,
                          "list_versions": versions})  # fmt: skip
    _emit(submission, [record])
    return record.pk


def _screen(
    record: AmlMonitorRecord, submission: Submission, person: Person, index: WatchlistIndex, versions: dict[str, int]
) -> int:
    """Store the matches new to ``record``; the number stored."""
    threshold = aml_settings_get(submission.project).threshold
    known = set(AmlMonitorMatch.objects.filter(record=record).values_list("source", "external_id", "profile_sha256"))
    new: list[AmlMonitorMatch] = []
    for match in index.screen(person, threshold):
        profile = match.profile
        digest = profile_sha256(profile)
        if (profile.source, profile.external_id, digest) in known:
            continue
        known.add((profile.source, profile.external_id, digest))
        new.append(_match_row(record, submission, match, versions.get(profile.source, 0), digest))
    AmlMonitorMatch.objects.bulk_create(new, ignore_conflicts=True)
    record.screened_versions = versions
    record.update_time = timezone.now()
    record.save(update_fields=["screened_versions", "update_time"])
    return len(new)


def _match_row(
    record: AmlMonitorRecord, submission: Submission, match: Match, version: int, digest: str
) -> AmlMonitorMatch:
    profile = match.profile
    return AmlMonitorMatch(
        record=record, project_id=record.project_id, source=profile.source, external_id=profile.external_id,
        list_version=version, profile_sha256=digest, category=profile.category, score=match.score,
        sealed_match=vault.seal_json(submission, match_json(match), context=MATCH_CONTEXT),
    )  # fmt: skip


def profile_sha256(profile: Profile) -> str:
    content = [profile.name, sorted(profile.aliases), sorted(profile.birth_dates), sorted(profile.nationalities),
               profile.category, profile.risk_level]  # fmt: skip
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def _emit(submission: Submission, records: list[AmlMonitorRecord]) -> None:
    webhook_event_emit(
        project=submission.project,
        event="aml_monitor",
        resource_id=submission.pk,
        payload={
            "webhook_trigger": "aml_monitor",
            "submission_id": submission.pk,
            "records": [
                {"recordId": record.pk, "worklistId": record.worklist_id, "created_at": format_iso(record.created_at)}
                for record in records
            ],
        },
    )


def aml_monitor_rescreen_all() -> int:
    """Rescreen every monitored record not yet screened against the current list versions, one
    submission per transaction; the number of matches raised."""
    index, versions = watchlist_index()
    pending = (
        AmlMonitorRecord.objects.exclude(screened_versions=versions)
        .order_by("submission_id")
        .values_list("submission_id", flat=True)
        .distinct()
    )
    return sum(_rescreen_submission(submission_id, index, versions) for submission_id in list(pending))


@transaction.atomic
def _rescreen_submission(submission_id: str, index: WatchlistIndex, versions: dict[str, int]) -> int:
    submission = Submission.objects.select_for_update().select_related("project").get(pk=submission_id)
    records = list(
        AmlMonitorRecord.objects.select_for_update().filter(submission=submission).exclude(screened_versions=versions)
    )
    raised: dict[str, int] = {}
    for record in records:
        person = _person(record, submission)
        if person is None:
            continue
        count = _screen(record, submission, person, index, versions)
        if count:
            raised[record.pk] = count
    if raised:
        audit_record(actor=AML_ACTOR, action="submission.aml_monitor_rescreened", project=submission.project,
                     target_type="submission", target_id=submission.pk,
                     details={"records": raised, "list_versions": versions})  # fmt: skip
        _emit(submission, [record for record in records if record.pk in raised])
    return sum(raised.values())


def _person(record: AmlMonitorRecord, submission: Submission) -> Person | None:
    opened = record_person(record, submission)
    if not opened:
        return None
    return Person(opened["name"], opened["birth_date"], opened["nationality"])


def record_person(record: AmlMonitorRecord, submission: Submission) -> dict[str, str]:
    """The sealed person; ``{}`` once the submission's data key was destroyed."""
    try:
        return vault.open_json(submission, record.sealed_person, context=MONITOR_CONTEXT) or {}
    except DecryptionError:
        return {}


def match_opened(match: AmlMonitorMatch, submission: Submission) -> dict[str, Any]:
    """The sealed profile and explanation of a monitoring match; ``{}`` after a deletion."""
    try:
        return vault.open_json(submission, match.sealed_match, context=MATCH_CONTEXT) or {}
    except DecryptionError:
        return {}


def record_counts(record: AmlMonitorRecord) -> dict[str, int]:
    counts = dict(record.matches.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {
        "openCount": counts.get(MonitorMatchStatus.OPEN, 0),
        "falsePositiveCount": counts.get(MonitorMatchStatus.FALSE_POSITIVE, 0),
        "truePositiveCount": counts.get(MonitorMatchStatus.TRUE_POSITIVE, 0),
        "discardedCount": counts.get(MonitorMatchStatus.DISCARDED, 0),
    }


def aml_monitor_record_json(*, project: Project, worklist_id: str, record_id: str) -> dict[str, Any] | None:
    """§2.16's GET body; None when the worklist has no such record of this project."""
    record = (
        AmlMonitorRecord.objects.select_related("submission")
        .filter(project=project, worklist_id=worklist_id, pk=record_id)
        .first()
    )
    if record is None:
        return None
    person = record_person(record, record.submission)
    counts = record_counts(record)
    return {
        "name": person.get("name", ""),
        "id": record.pk,
        "submissionId": record.submission_id,
        "nationality": person.get("nationality", ""),
        "status": MATCHES if counts["openCount"] or counts["truePositiveCount"] else NO_MATCHES,
        "dob": person.get("birth_date", ""),
        "email": person.get("email", ""),
        "memo": record.memo,
        "tags": record.tags,
        "admin": record.admin,
        "updateTime": format_iso(record.update_time),
        **counts,
    }


@transaction.atomic
def aml_monitor_records_delete(
    *, project: Project, worklist_id: str, record_ids: list[str], admin: str, actor: Actor
) -> list[str]:
    """Delete the worklist's records among ``record_ids``; the ids that did not exist."""
    worklist = aml_worklist_usable(project=project, worklist_id=worklist_id)
    found = set(
        AmlMonitorRecord.objects.select_for_update()
        .filter(worklist=worklist, pk__in=record_ids)
        .values_list("pk", flat=True)
    )
    if found:
        AmlMonitorRecord.objects.filter(pk__in=found).delete()
        audit_record(actor=actor, action="aml.monitor_records_deleted", project=project, target_type="worklist",
                     target_id=worklist.pk, details={"records": sorted(found), "admin": admin})  # fmt: skip
    return [record_id for record_id in record_ids if record_id not in found]


RESOLUTIONS = {
    "true_positive": MonitorMatchStatus.TRUE_POSITIVE,
    "false_positive": MonitorMatchStatus.FALSE_POSITIVE,
    "discard": MonitorMatchStatus.DISCARDED,
}


@transaction.atomic
def aml_monitor_match_resolve(*, project: Project, match_id: int, resolution: str, actor: Actor) -> AmlMonitorMatch:
    """Close an OPEN match as ``true_positive``, ``false_positive`` or ``discard``."""
    status = RESOLUTIONS.get(resolution)
    if status is None:
        raise ApplicationError("Unknown resolution.", code="invalid_resolution")
    match = AmlMonitorMatch.objects.select_for_update().filter(project=project, pk=match_id).first()
    if match is None:
        raise ApplicationError("Cannot find the match.", code="not_found")
    if match.status != MonitorMatchStatus.OPEN:
        raise ApplicationError("This match is already resolved.", code="already_resolved")
    match.status, match.resolved_at, match.resolved_by = status, timezone.now(), actor.label
    match.save(update_fields=["status", "resolved_at", "resolved_by"])
    AmlMonitorRecord.objects.filter(pk=match.record_id).update(update_time=match.resolved_at)
    audit_record(actor=actor, action="submission.aml_monitor_match_resolved", project=project,
                 target_type="submission", target_id=match.record.submission_id,
                 details={"record": match.record_id, "match": match.pk, "status": status.value,
                          "category": match.category, "score": match.score})  # fmt: skip
    return match


@dataclass(frozen=True)
class MatchRow:
    match: AmlMonitorMatch
    person: dict[str, str]  # the monitored person; {} unless opened
    opened: dict[str, Any]  # the profile and the explanation; {} unless opened


def aml_monitor_match_rows(*, project: Project, status: str, reveal: bool, limit: int = 100) -> list[MatchRow]:
    """The project's matches with ``status`` (a ``MonitorMatchStatus``), oldest first; the sealed
    person, profile and explanation only when ``reveal`` (reviewers and owners)."""
    matches = list(
        AmlMonitorMatch.objects.filter(project=project, status=status)
        .select_related("record__submission")
        .order_by("created_at", "id")[:limit]
    )
    if not reveal:
        return [MatchRow(match, {}, {}) for match in matches]
    return [
        MatchRow(
            match, record_person(match.record, match.record.submission), match_opened(match, match.record.submission)
        )
        for match in matches
    ]
