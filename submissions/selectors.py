"""Reads of the submissions app, always scoped by project."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from idcheck.lib.crypto import DecryptionError
from idcheck.timeformat import format_compact
from network.selectors import submission_clients
from policy.evidence import Evidence
from projects.models import Project
from submissions import vault
from submissions.duplicates.identity import normalise_name
from submissions.lookups import email_lookups, userid_lookups
from submissions.models import (
    AddressInjection,
    InjectionState,
    RunState,
    Submission,
    SubmissionSource,
    SubmissionStatus,
)

MAX_PAGE_SIZE = 2000
DEFAULT_PAGE_SIZE = 50
NAME_SCAN_ROWS = 1000  # sealed evidences a dashboard name search opens per page
EXPORT_MAX_ROWS = 10_000  # rows a CSV export of the list may read (and so write)
EXPORT_CHUNK = 500


@dataclass(frozen=True)
class SubmissionPage:
    items: list[Submission]
    next_key: Submission | None  # the last item (or row searched), when more follow
    scan_stopped: bool = False  # a name search reached NAME_SCAN_ROWS before the end
    scanned: int = 0  # the rows a name search opened


def submission_get(*, project: Project, submission_id: str) -> Submission | None:
    return Submission.objects.filter(project=project, pk=submission_id).first()


def submission_list(
    *,
    project: Project,
    count: int = DEFAULT_PAGE_SIZE,
    after: tuple[dt.datetime, str] | None = None,
    created_from: dt.datetime | None = None,
    created_before: dt.datetime | None = None,
    email: str = "",
    userid: str = "",
) -> SubmissionPage:
    """Newest first, keyset-paginated by (created_at, id) as the original's last-evaluated key.
    ``email`` / ``userid`` match exactly through their blind indexes (``submissions.lookups``)."""
    submissions: QuerySet[Submission] = Submission.objects.filter(project=project)
    submissions = _by_lookups(submissions, email=email, userid=userid)
    if created_from is not None:
        submissions = submissions.filter(created_at__gte=created_from)
    if created_before is not None:
        submissions = submissions.filter(created_at__lt=created_before)
    if after is not None:
        submissions = submissions.filter(_beyond(after, forward=False))
    rows = list(submissions.order_by("-created_at", "-id")[: count + 1])
    has_more = len(rows) > count
    items = rows[:count]
    return SubmissionPage(items=items, next_key=items[-1] if has_more else None)


# The list's AML filter (spec §8.12): one screening per submission at most (``AmlScreening``).
AML_RESULTS = {
    "red_flag": Q(aml_screening__current_status="Red Flag"),
    "clean": Q(aml_screening__isnull=False) & ~Q(aml_screening__current_status="Red Flag"),
    "not_screened": Q(aml_screening__isnull=True),
}


@dataclass(frozen=True)
class SubmissionFilters:
    """The dashboard list's filters. Each is served by an index, but ``name``: e-mail and userid
    through their blind indexes, status, claimed country, claimed ID type and nationality by
    (project, value, created_at, id). The holder's name is sealed in the evidence with no keyed
    hash to look it up by, so a name search opens the evidence of the rows the other filters
    leave, newest (or oldest) first, at most ``NAME_SCAN_ROWS`` per page."""

    created_from: dt.datetime | None = None
    created_before: dt.datetime | None = None
    status: str = ""
    issuing_country: str = ""  # as claimed (the document's own is sealed in the evidence)
    id_type: str = ""  # as claimed
    nationality: str = ""  # as the run read it from the document
    aml: str = ""  # red_flag, clean (screened, nothing matched) or not_screened (``AML_RESULTS``)
    submission_id: str = ""
    email: str = ""
    userid: str = ""
    name: str = ""  # words of the holder's name, in any order
    oldest_first: bool = False

    @property
    def order(self) -> tuple[str, str]:
        return ("created_at", "id") if self.oldest_first else ("-created_at", "-id")

    def as_details(self) -> dict[str, str]:
        """The filters set, for an Event Log row: codes, days and ids; of an e-mail, userid or
        name only which kind was searched, never the value."""
        keyword = next((kind for kind in ("email", "userid", "name") if getattr(self, kind)), "")
        last_day = self.created_before - dt.timedelta(days=1) if self.created_before else None
        values = {
            "from": self.created_from.date().isoformat() if self.created_from else "",
            "to": last_day.date().isoformat() if last_day else "",
            "status": self.status,
            "country": self.issuing_country,
            "id_type": self.id_type,
            "nationality": self.nationality,
            "aml": self.aml,
            "submission_id": self.submission_id,
            "keyword": keyword,
            "sort": "oldest" if self.oldest_first else "",
        }
        return {name: value for name, value in values.items() if value}


def submission_search(
    *,
    project: Project,
    filters: SubmissionFilters,
    count: int = DEFAULT_PAGE_SIZE,
    after: tuple[dt.datetime, str] | None = None,
) -> SubmissionPage:
    """A page of the dashboard list, keyset-paginated by (created_at, id) in the chosen order."""
    submissions = _filtered(project, filters)
    if after is not None:
        submissions = submissions.filter(_beyond(after, forward=filters.oldest_first))
    submissions = submissions.order_by(*filters.order)
    if filters.name:
        return _name_page(submissions, name_words(filters.name), count)
    rows = list(submissions[: count + 1])
    items = rows[:count]
    return SubmissionPage(items=items, next_key=items[-1] if len(rows) > count else None)


def _filtered(project: Project, filters: SubmissionFilters) -> QuerySet[Submission]:
    submissions: QuerySet[Submission] = Submission.objects.filter(project=project)
    if filters.created_from is not None:
        submissions = submissions.filter(created_at__gte=filters.created_from)
    if filters.created_before is not None:
        submissions = submissions.filter(created_at__lt=filters.created_before)
    if filters.status:
        submissions = submissions.filter(status=filters.status)
    if filters.issuing_country:
        submissions = submissions.filter(claimed_issuing_country=filters.issuing_country)
    if filters.id_type:
        submissions = submissions.filter(claimed_id_type=filters.id_type)
    if filters.nationality:
        submissions = submissions.filter(nationality=filters.nationality)
    if filters.aml:
        submissions = submissions.filter(AML_RESULTS[filters.aml])
    if filters.submission_id:
        submissions = submissions.filter(pk=filters.submission_id)
    submissions = _by_lookups(submissions, email=filters.email, userid=filters.userid)
    if filters.name:
        submissions = submissions.exclude(sealed_evidence__isnull=True)  # no evidence, no name
    return submissions


def name_words(text: str) -> frozenset[str]:
    """A name as the DI normalises it (accents dropped, upper case, punctuation a space), in words."""
    return frozenset(normalise_name(text).split())


def _holder_matches(submission: Submission, words: frozenset[str]) -> bool:
    """Every word asked is a whole word of the document holder's surname or given names."""
    try:
        evidence = vault.open_json(submission, submission.sealed_evidence, context=vault.EVIDENCE_CONTEXT) or {}
    except DecryptionError:
        return False
    fields = (evidence.get("document") or {}).get("fields") or {}
    return words <= name_words(f"{fields.get('surname') or ''} {fields.get('given_names') or ''}")


def _name_page(candidates: QuerySet[Submission], words: frozenset[str], count: int) -> SubmissionPage:
    """Open at most ``NAME_SCAN_ROWS`` candidates in order and keep the holders named ``words``.
    When the bound is reached first, the page ends at the last row opened (``scan_stopped``) and
    its cursor goes on from there, so the cost of a page never grows with the table."""
    opened = list(candidates[:NAME_SCAN_ROWS])
    items: list[Submission] = []
    for position, row in enumerate(opened):
        if _holder_matches(row, words):
            if len(items) == count:
                return SubmissionPage(items=items, next_key=items[-1], scanned=position)
            items.append(row)
    if len(opened) == NAME_SCAN_ROWS:
        return SubmissionPage(items=items, next_key=opened[-1], scan_stopped=True, scanned=len(opened))
    return SubmissionPage(items=items, next_key=None, scanned=len(opened))


def _by_lookups(submissions: QuerySet[Submission], *, email: str, userid: str) -> QuerySet[Submission]:
    """Served by the partial (project, email_lookup) / (project, userid_lookup) indexes: one
    person's submissions are few, so ordering them for the page costs nothing."""
    for text, lookups, column in ((email, email_lookups, "email_lookup"), (userid, userid_lookups, "userid_lookup")):
        if text:
            # a blank text has no lookups: it matches nothing (never the rows stored without one)
            submissions = submissions.filter(**{f"{column}__in": lookups(text) or ["-"]})
    return submissions


def submissions_of_applicant(*, project: Project, applicant_id: str, limit: int = MAX_PAGE_SIZE) -> list[Submission]:
    """The project's submissions sharing ``applicant_id``, oldest first (the person's history in
    the order it happened), at most ``limit``; served by the partial applicant index."""
    if not applicant_id:
        return []
    found = Submission.objects.filter(project=project, applicant_id=applicant_id)
    return list(found.order_by("created_at", "id")[:limit])


def _beyond(key: tuple[dt.datetime, str], *, forward: bool) -> Q:
    created_at, submission_id = key
    if forward:
        return Q(created_at__gt=created_at) | Q(created_at=created_at, id__gt=submission_id)
    return Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=submission_id)


def submission_export_ids(*, project: Project, filters: SubmissionFilters, limit: int) -> list[str] | None:
    """The ids of every submission the list shows with ``filters``, in its order; None when more
    than ``limit`` rows would have to be read (a name search reads each candidate's evidence)."""
    candidates = _filtered(project, filters).order_by(*filters.order)
    if not filters.name:
        ids = list(candidates.values_list("pk", flat=True)[: limit + 1])
        return ids if len(ids) <= limit else None
    words, matched = name_words(filters.name), []
    rows = candidates.only("pk", "wrapped_data_key", "sealed_evidence")[: limit + 1]
    for read, row in enumerate(rows.iterator(chunk_size=EXPORT_CHUNK), start=1):
        if read > limit:
            return None
        if _holder_matches(row, words):
            matched.append(row.pk)
    return matched


@dataclass(frozen=True)
class ExportRow:
    submission: Submission
    deciding: str  # what set the status (policy.engine.Decision.deciding); "" before a decision
    email: str  # "" unless asked for (``with_pii``)
    userid: str


def submission_export_rows(*, project: Project, ids: list[str], with_pii: bool) -> Iterator[ExportRow]:
    """The rows of ``ids`` in that order, read and opened ``EXPORT_CHUNK`` at a time; the sealed
    metadata is opened only ``with_pii``."""
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = ids[start : start + EXPORT_CHUNK]
        found = Submission.objects.filter(project=project, pk__in=chunk).defer("sealed_evidence", "sealed_memo")
        by_id = {row.pk: row for row in found}
        for pk in chunk:
            yield _export_row(by_id[pk], with_pii=with_pii)


def _export_row(submission: Submission, *, with_pii: bool) -> ExportRow:
    try:
        decision = vault.open_json(submission, submission.sealed_decision, context=vault.DECISION_CONTEXT) or {}
        metadata = (
            vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT) or {}
            if with_pii
            else {}
        )
    except DecryptionError:
        decision, metadata = {}, {}
    return ExportRow(submission, decision.get("deciding") or "", metadata.get("email") or "",
                     metadata.get("userid") or "")  # fmt: skip


@dataclass(frozen=True)
class ReviewQueue:
    """Where a pending submission sits in the review queue (pending, oldest first)."""

    previous: str | None  # the submission id before it, None at the head
    next: str | None  # the one after it, None at the tail


def review_queue_oldest(*, project: Project) -> Submission | None:
    """The head of the review queue: the oldest pending submission."""
    pending = Submission.objects.filter(project=project, status=SubmissionStatus.PENDING)
    return pending.order_by("created_at", "id").first()


def review_queue_position(*, project: Project, submission: Submission) -> ReviewQueue:
    """The pending submissions on either side of ``submission`` in queue order."""
    pending = Submission.objects.filter(project=project, status=SubmissionStatus.PENDING)
    key = (submission.created_at, submission.pk)
    before = pending.filter(_beyond(key, forward=False)).order_by("-created_at", "-id").values_list("pk", flat=True)
    after = pending.filter(_beyond(key, forward=True)).order_by("created_at", "id").values_list("pk", flat=True)
    return ReviewQueue(previous=before.first(), next=after.first())


@dataclass(frozen=True)
class SubmissionView:
    """A submission with its sealed parts opened (empty once its data key was destroyed)."""

    submission: Submission
    metadata: dict[str, str]  # email, userid, cf1–cf3
    evidence: Evidence | None  # None until decided
    decision: dict[str, Any] | None  # policy.engine.Decision.to_json(), trace included
    client: ClientView | None = None  # what the network app stored; None: no client captured
    memo: dict[str, str] | None = None  # the reviewers' memo: {"text", "updated_at" (ISO)}; None: none
    # the last address injection: {"type", "created_at", "failCode"?, "checks"}; None: none
    injection_action: dict[str, Any] | None = None


@dataclass(frozen=True)
class ClientView:
    """The end user's client as the network app stored it (``network.selectors.submission_clients``):
    the address, and the last run's IP and device verdicts (None until a run checked them)."""

    ip_address: str | None
    network_verdict: dict[str, Any] | None  # network.verdicts.NetworkVerdict.to_json()
    device_verdict: dict[str, Any] | None  # network.device.DeviceAssessment.to_json()


def _clients(submission_ids: list[str]) -> dict[str, ClientView]:
    return {sid: ClientView(*client) for sid, client in submission_clients(submission_ids).items()}


def submission_view(
    submission: Submission, *, client: ClientView | None = None, load_client: bool = True
) -> SubmissionView:
    if client is None and load_client:
        client = _clients([submission.pk]).get(submission.pk)
    try:
        metadata = vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT) or {}
        evidence_json = vault.open_json(submission, submission.sealed_evidence, context=vault.EVIDENCE_CONTEXT)
        decision = vault.open_json(submission, submission.sealed_decision, context=vault.DECISION_CONTEXT)
        memo = vault.open_json(submission, submission.sealed_memo, context=vault.MEMO_CONTEXT)
        injection = vault.open_json(
            submission, submission.sealed_injection_action, context=vault.INJECTION_ACTION_CONTEXT
        )
    except DecryptionError:
        return SubmissionView(submission, {}, None, None, client)
    evidence = Evidence.from_json(evidence_json) if evidence_json is not None else None
    return SubmissionView(submission, metadata, evidence, decision, client, memo or None, injection)


_DECIDED = (SubmissionStatus.APPROVED, SubmissionStatus.PENDING, SubmissionStatus.REJECTED)


def token_submission_status(first_used_at: dt.datetime, *, project: Project, token_id: str) -> str:
    """For private mode ``usage``: the status of a decided Liveform submission of the project made
    with the token since its first use, or "". The token is sealed inside each submission, so the
    few decided since then (at most 3 minutes' worth: the window) are opened and compared."""
    candidates = Submission.objects.filter(
        project=project, source=SubmissionSource.LIVEFORM, created_at__gte=first_used_at, status__in=_DECIDED
    ).order_by("created_at")
    for submission in candidates:
        if submission_view(submission, load_client=False).metadata.get("token_id") == token_id:
            return submission.status
    return ""


def submission_views(submissions: list[Submission]) -> list[SubmissionView]:
    """``submission_view`` of each, their clients read in one query (a page of the list)."""
    clients = _clients([submission.pk for submission in submissions])
    return [submission_view(s, client=clients.get(s.pk), load_client=False) for s in submissions]


# --- the Liveform's address injection (``submissions.services.injection``) ---------------------

# [UNKNOWN in the spec] which submissions take an injection: decided as approved or pending
# (docs/liveform.md, "Address injection").
INJECTABLE = (SubmissionStatus.APPROVED, SubmissionStatus.PENDING)


def injectable_submission(*, project: Project, submission_id: str) -> Submission | None:
    """The project's Liveform submission ``submission_id`` when it can take an injection."""
    return (
        Submission.objects.filter(
            project=project, pk=submission_id, source=SubmissionSource.LIVEFORM, status__in=INJECTABLE,
            run_state=RunState.DECIDED, wrapped_data_key__isnull=False,
        ).first()
    )  # fmt: skip


def _injection_action_open(submission: Submission) -> dict[str, Any] | None:
    """The sealed ``injection_action`` (type, created_at, failCode, checks); None when none was
    made or the data key is gone."""
    try:
        return vault.open_json(submission, submission.sealed_injection_action, context=vault.INJECTION_ACTION_CONTEXT)
    except DecryptionError:
        return None


def injection_echo_open(injection: AddressInjection) -> dict[str, str]:
    """The injection link's cf1–cf3 and userid, for its webhook; {} when gone."""
    try:
        return vault.open_json(injection.submission, injection.sealed_echo,
                               context=f"{vault.INJECTION_ECHO_CONTEXT}:{injection.pk}") or {}  # fmt: skip
    except DecryptionError:
        return {}


def injection_status(*, project: Project, injection_id: int) -> tuple[str, str | None]:
    """(state, failCode) of one of the project's injections, for the Liveform's waiting page."""
    injection = AddressInjection.objects.select_related("submission").filter(project=project, pk=injection_id).first()
    if injection is None:
        return InjectionState.FAILED, None
    if injection.state == InjectionState.QUEUED:
        return InjectionState.QUEUED, None
    action = _injection_action_open(injection.submission) or {}
    same = action.get("created_at") == format_compact(injection.created_at)
    return injection.state, (action.get("failCode") if same else None)
