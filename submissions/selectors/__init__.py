"""Reads of the submissions app, always scoped by project, one module per concept: ``lists``
(the API's pages), ``search`` (the dashboard list's filters), ``export``, ``review_queue``,
``views`` (sealed parts opened) and ``injection``. Every name is importable from here."""

from submissions.selectors.export import (
    EXPORT_CHUNK,
    EXPORT_MAX_ROWS,
    ExportRow,
    submission_export_ids,
    submission_export_rows,
)
from submissions.selectors.injection import INJECTABLE, injectable_submission, injection_echo_open, injection_status
from submissions.selectors.lists import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    SubmissionPage,
    by_lookups,
    keyset_beyond,
    submission_get,
    submission_list,
    submissions_of_applicant,
)
from submissions.selectors.review_queue import ReviewQueue, review_queue_oldest, review_queue_position
from submissions.selectors.search import (
    AML_RESULTS,
    NAME_SCAN_ROWS,
    SubmissionFilters,
    filtered_submissions,
    holder_named,
    name_words,
    submission_search,
)
from submissions.selectors.views import (
    ClientView,
    SubmissionView,
    submission_view,
    submission_views,
    token_submission_status,
)

__all__ = [
    "AML_RESULTS",
    "ClientView",
    "DEFAULT_PAGE_SIZE",
    "EXPORT_CHUNK",
    "EXPORT_MAX_ROWS",
    "ExportRow",
    "INJECTABLE",
    "MAX_PAGE_SIZE",
    "NAME_SCAN_ROWS",
    "ReviewQueue",
    "SubmissionFilters",
    "SubmissionPage",
    "SubmissionView",
    "by_lookups",
    "filtered_submissions",
    "holder_named",
    "injectable_submission",
    "injection_echo_open",
    "injection_status",
    "keyset_beyond",
    "name_words",
    "review_queue_oldest",
    "review_queue_position",
    "submission_export_ids",
    "submission_export_rows",
    "submission_get",
    "submission_list",
    "submission_search",
    "submission_view",
    "submission_views",
    "submissions_of_applicant",
    "token_submission_status",
]
