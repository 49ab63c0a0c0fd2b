"""AML screening of an approved submission (spec §2.14, §4.10, §8.12): ONE service for both ways in.

* **On approval.** Every place that approves a submission (the worker's decision and the reviews,
  through ``process.outcome_emit``; a PATCH to ``approved``, ``update._record``) calls
  :func:`submission_aml_schedule` inside its transaction. When the project screens on approval
  (project setting ``aml_screening``), the screening is queued after the commit
  (``submission_aml_screen_task``, ``pipeline`` queue); a rejection is never screened.
* **On request.** ``POST /v3/submission/aml`` calls :func:`submission_aml_screen` directly, with
  the request's ``amlThreshold`` or the project's ``aml_threshold`` (default 90).

The person screened is the document's full name, birth date and nationality as the decision
stored them (``policy.aml.aml_screen`` does the matching). In ONE transaction the result replaces
the submission's previous one: ``AmlScreening`` (status, risk summary, the screened person and
every match with its explanation sealed under the data key), one ``AmlMatch`` per matched profile
with a fresh ``resourceId``, the Event Log entry (counts, never names) and the ``aml`` webhook.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.db import transaction

from idcheck.errors import ApplicationError
from idcheck.lib.crypto import DecryptionError
from idcheck.timeformat import format_iso
from policy.aml.index import watchlist_index
from policy.aml.matching import Match, Person
from policy.aml.report import aml_report_pdf
from policy.aml.selectors import aml_settings_get
from policy.aml.services import RED_FLAG, AmlResult, aml_screen
from policy.evidence import Evidence
from projects.actors import Actor
from projects.models import Project
from projects.services import audit_record
from submissions import (
    tasks_aml_monitor,  # noqa: F401  the worker must know the monitoring tasks wherever it screens
    vault,
)
from submissions.evidence import identity_data
from submissions.models import AmlMatch, AmlScreening, Submission, SubmissionStatus
from submissions.services.submission_access import SubmissionNotFound, locked_submission
from webhooks.services import webhook_event_emit

AML_CONTEXT = "submissions.submission.aml"
AML_ACTOR = Actor.system("aml")
_ALPHA3 = re.compile(r"[A-Z]{3}")


class AmlRefused(ApplicationError):
    """A screening that cannot run; ``code`` and the message are the spec's (§2.14)."""


def submission_aml_schedule(submission: Submission) -> None:
    """Queue the screening of a just-approved submission after the commit, when the project
    screens on approval; nothing for any other status. Ongoing monitoring registers it too."""
    from submissions.services.aml_monitoring import aml_monitor_schedule

    aml_monitor_schedule(submission)
    if submission.status != SubmissionStatus.APPROVED or not aml_settings_get(submission.project).screening:
        return
    submission_id = submission.pk
    transaction.on_commit(lambda: _enqueue(submission_id))


def _enqueue(submission_id: str) -> None:
    from submissions.tasks import submission_aml_screen_task

    submission_aml_screen_task.delay(submission_id)


def screened_person(submission: Submission) -> Person | None:
    """The document's identity as decided; None when there is no name to screen (or no key)."""
    try:
        stored = vault.open_json(submission, submission.sealed_evidence, context=vault.EVIDENCE_CONTEXT)
    except DecryptionError:
        return None
    if stored is None:
        return None
    data = identity_data(Evidence.from_json(stored))
    if not data.get("full_name"):
        return None
    return Person(data["full_name"], data.get("date_of_birth", ""), (data.get("nationality") or "").upper())


@transaction.atomic
def submission_aml_screen(
    *, project: Project, submission_id: str, actor: Actor = AML_ACTOR, threshold: int | None = None
) -> AmlScreening:
    """Screen one approved submission of ``project`` and store the result (module doc).
    ``AmlRefused`` with the spec's code when it cannot run; nothing is written then."""
    watchlist_index()  # a cold index takes seconds to build: not while the submission's row is locked
    try:
        submission = locked_submission(project, submission_id)
    except SubmissionNotFound:
        raise AmlRefused("Cannot find submission.", code="invalid_submissionId") from None
    if submission.status != SubmissionStatus.APPROVED:
        raise AmlRefused("Fail to search AML.", code="request_failed", extra={"status": submission.status})
    person = screened_person(submission)
    if person is None:
        raise AmlRefused("Fail to search AML.", code="request_failed")
    if person.nationality and not _ALPHA3.fullmatch(person.nationality):
        raise AmlRefused(f"The nationality is invalid : {person.nationality}", code="invalid_country")
    if threshold is None:
        threshold = aml_settings_get(project).threshold
    result = aml_screen(person=person, threshold=threshold)
    return _store(submission, person, result, actor)


def _store(submission: Submission, person: Person, result: AmlResult, actor: Actor) -> AmlScreening:
    AmlScreening.objects.filter(submission=submission).delete()
    matches = [(secrets.token_hex(12), match) for match in result.matches]
    sealed = {
        "person": {"name": person.name, "birth_date": person.birth_date, "nationality": person.nationality},
        "matches": [{"resourceId": resource_id, **match_json(match)} for resource_id, match in matches],
    }
    screening = AmlScreening.objects.create(
        submission=submission,
        project=submission.project,
        current_status=result.current_status,
        risk_level_summary=result.risk_level_summary,
        threshold=result.threshold,
        list_versions=result.list_versions,
        sealed_result=vault.seal_json(submission, sealed, context=AML_CONTEXT),
    )
    AmlMatch.objects.bulk_create(
        AmlMatch(resource_id=resource_id, screening=screening, project=submission.project, rank=rank,
                 category=match.profile.category, score=match.score)
        for rank, (resource_id, match) in enumerate(matches, start=1)
    )  # fmt: skip
    audit_record(actor=actor, action="submission.aml_screened", project=submission.project, target_type="submission",
                 target_id=submission.pk, details={"status": result.current_status, "matches": len(matches),
                                                   "threshold": result.threshold,
                                                   "list_versions": result.list_versions})  # fmt: skip
    webhook_event_emit(
        project=submission.project,
        event="aml",
        resource_id=submission.pk,
        payload={"webhook_trigger": "aml", "submission_id": submission.pk, "aml_result": aml_summary(screening)},
    )
    return screening


def match_json(match: Match) -> dict[str, Any]:
    profile = match.profile
    return {
        "category": profile.category,
        "risk_level": profile.risk_level,
        "score": match.score,
        "profile": {
            "name": profile.name,
            "aliases": list(profile.aliases),
            "birth_dates": list(profile.birth_dates),
            "nationalities": list(profile.nationalities),
            "source": profile.source,
            "external_id": profile.external_id,
        },  # fmt: skip
        "explanation": match.explanation(),
    }


def aml_summary(screening: AmlScreening | None) -> dict[str, str]:
    """§4.10's ``aml_result``; an unscreened submission reads as ``Not Screened``."""
    if screening is None:
        return {"currentstatus": "Not Screened", "risk_level_summary": "Not Screened"}
    return {"currentstatus": screening.current_status, "risk_level_summary": screening.risk_level_summary}


def aml_result_open(screening: AmlScreening) -> dict[str, Any]:
    """The sealed person and matches; ``{}`` once the submission's data key was destroyed."""
    try:
        return vault.open_json(screening.submission, screening.sealed_result, context=AML_CONTEXT) or {}
    except DecryptionError:
        return {}


def aml_match_get(*, project: Project, resource_id: str) -> AmlMatch | None:
    """The project's match with this ``resourceId`` (None for another project's)."""
    return (
        AmlMatch.objects.select_related("screening__submission")
        .filter(project=project, resource_id=resource_id)
        .first()
    )


def aml_report(*, project: Project, resource_id: str) -> bytes | None:
    """The PDF report of one matched profile (``policy.aml.report``); None when the project has
    no such match or its submission's data was deleted."""
    found = aml_match_get(project=project, resource_id=resource_id)
    if found is None:
        return None
    screening = found.screening
    opened = aml_result_open(screening)
    match = next((item for item in opened.get("matches", []) if item["resourceId"] == resource_id), None)
    if match is None:
        return None
    return aml_report_pdf(
        resource_id=resource_id,
        match=match,
        person=opened["person"],
        screening={"submission_id": screening.submission_id, "screened_at": format_iso(screening.screened_at),
                   "threshold": screening.threshold, "list_versions": screening.list_versions},
    )  # fmt: skip


def aml_json(submission: Submission) -> dict[str, Any] | None:
    """The stored result as GET shows it: §4.10's two values, the threshold and time, and on a
    Red Flag one ``resourceId`` per matched profile with its category and score; None when the
    submission was never screened. A page of items reads them at once (``aml_screenings``)."""
    screening = AmlScreening.objects.filter(submission=submission).prefetch_related("matches").first()
    return aml_shown(screening)


def aml_screenings(submission_ids: list[str]) -> dict[str, AmlScreening]:
    """The screenings of a page of submissions, with their matches, in two queries."""
    found = AmlScreening.objects.filter(submission_id__in=submission_ids).prefetch_related("matches")
    return {screening.submission_id: screening for screening in found}


def aml_shown(screening: AmlScreening | None) -> dict[str, Any] | None:
    """``aml_json`` of an already read screening."""
    if screening is None:
        return None
    shown: dict[str, Any] = {
        **aml_summary(screening),
        "threshold": screening.threshold,
        "screened_at": format_iso(screening.screened_at),
    }
    if screening.current_status == RED_FLAG:
        shown["matches"] = [
            {"resourceId": match.resource_id, "category": match.category, "score": match.score}
            for match in screening.matches.all()
        ]
    return shown
