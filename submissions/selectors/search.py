"""The dashboard list's search: its filters, and the holder-name search through sealed evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from idcheck.lib.crypto import DecryptionError
from projects.models import Project
from submissions import vault
from submissions.duplicates.identity import normalise_name
from submissions.models import Submission
from submissions.selectors.lists import DEFAULT_PAGE_SIZE, SubmissionPage, by_lookups, keyset_beyond

NAME_SCAN_ROWS = 1000  # sealed evidences a dashboard name search opens per page


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
    submissions = filtered_submissions(project, filters)
    if after is not None:
        submissions = submissions.filter(keyset_beyond(after, forward=filters.oldest_first))
    submissions = submissions.order_by(*filters.order)
    if filters.name:
        return _name_page(submissions, name_words(filters.name), count)
    rows = list(submissions[: count + 1])
    items = rows[:count]
    return SubmissionPage(items=items, next_key=items[-1] if len(rows) > count else None)


def filtered_submissions(project: Project, filters: SubmissionFilters) -> QuerySet[Submission]:
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
    submissions = by_lookups(submissions, email=filters.email, userid=filters.userid)
    if filters.name:
        submissions = submissions.exclude(sealed_evidence__isnull=True)  # no evidence, no name
    return submissions


def name_words(text: str) -> frozenset[str]:
    """A name as the DI normalises it (accents dropped, upper case, punctuation a space), in words."""
    return frozenset(normalise_name(text).split())


def holder_named(submission: Submission, words: frozenset[str]) -> bool:
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
        if holder_named(row, words):
            if len(items) == count:
                return SubmissionPage(items=items, next_key=items[-1], scanned=position)
            items.append(row)
    if len(opened) == NAME_SCAN_ROWS:
        return SubmissionPage(items=items, next_key=opened[-1], scan_stopped=True, scanned=len(opened))
    return SubmissionPage(items=items, next_key=None, scanned=len(opened))
