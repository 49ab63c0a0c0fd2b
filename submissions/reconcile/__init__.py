"""Reconciliation after a fault (issue 11): what ``manage.py reconcile`` proves was not lost or
half-written. docs/reconcile.md says what each check proves and which RELIABILITY goal it serves.

Each check is a selector that reads and counts: anti-joins (``NOT EXISTS``) and one window
query, answered by the database in a few scans however many rows there are, never a Python
loop over all rows. A check returns its findings, each a kind of inconsistency with how many
offenders it has and the first ids (``CAP``) for a person to look at.

"In flight" is measured with the services' own constants (the sweepers' intervals, the
verification lease, the webhook lease), plus ``SLACK``, so a run that is merely behind its
sweeper is not reported while one the sweeper should have picked up long ago is.

The file check walks the storage folder once and loads names and sizes into a temporary table
of this connection, so that "file without its row" and "row without its file" are anti-joins
too. :func:`orphan_files_delete` is the one writer here: it removes files no row names (never
a row) and records how many in the Event Log.
"""

from __future__ import annotations

from submissions.reconcile.files import ORPHAN_GRACE, ORPHANS_DELETED, files_reconcile, orphan_files_delete
from submissions.reconcile.records import credits_reconcile, runs_reconcile, webhooks_reconcile
from submissions.reconcile.report import CAP, SLACK, CheckReport, Finding, Scope
from submissions.reconcile.rows import rows_reconcile

__all__ = [
    "CAP",
    "ORPHANS_DELETED",
    "ORPHAN_GRACE",
    "SLACK",
    "CheckReport",
    "Finding",
    "Scope",
    "credits_reconcile",
    "files_reconcile",
    "orphan_files_delete",
    "reconcile_all",
    "rows_reconcile",
    "runs_reconcile",
    "webhooks_reconcile",
]


def reconcile_all(scope: Scope, *, deep: bool = False) -> list[CheckReport]:
    return [
        credits_reconcile(scope),
        runs_reconcile(scope),
        webhooks_reconcile(scope),
        files_reconcile(scope, deep=deep),
        rows_reconcile(scope, deep=deep),
    ]
