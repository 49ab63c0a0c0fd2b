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

import datetime as dt
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from idcheck.celery import app as celery_app
from idcheck.lib.crypto import DecryptionError
from projects.actors import Actor
from projects.models import CreditLedgerEntry, Project
from projects.models.credits import CreditReason
from projects.services import audit_record
from submissions import vault
from submissions.models import (
    CheckResult,
    FaceTemplate,
    LivenessCapture,
    RunState,
    Submission,
    SubmissionImage,
    SubmissionSource,
    SubmissionStatus,
)
from submissions.services.process import QUEUED_STALE, processing_lease
from submissions.storage import frames_file_read, image_file_read
from webhooks import services as webhook_services
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookOutbox

CAP = 10  # ids shown per finding
SLACK = dt.timedelta(minutes=2)  # a sweeper that is busy, a clock a little apart
# A file younger than this may belong to a submission being created right now (its row is not
# committed yet): it is never called an orphan, and never deleted.
ORPHAN_GRACE = dt.timedelta(minutes=15)
SUBMISSIONS_FOLDER = "submissions"
# vault.seal_bytes: a version byte and a nonce before the ciphertext, the GCM tag after it.
SEALED_OVERHEAD = len(vault._VERSION) + vault._NONCE_LEN + 16
# The longest incomplete_timeout_hours a project may set (policy.settings: 1–720): an incomplete
# submission older than that was due for the expiry sweep whatever its project's setting.
LONGEST_TIMEOUT = dt.timedelta(hours=720)
STEPS_OF_EVERY_RUN = ("document_front", "liveness")  # steps.run_document / run_liveness always store one
ORPHANS_DELETED = "media.orphan_files_deleted"
RECONCILE_ACTOR = Actor.system("reconcile")


def _beat_interval(name: str) -> dt.timedelta:
    return dt.timedelta(seconds=float(celery_app.conf.beat_schedule[name]["schedule"]))


@dataclass(frozen=True)
class Finding:
    what: str
    count: int
    ids: tuple[str, ...]


@dataclass(frozen=True)
class CheckReport:
    name: str
    goals: tuple[str, ...]
    proves: str
    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = ()
    skipped: str = ""

    @property
    def offenders(self) -> int:
        return sum(finding.count for finding in self.findings)

    @property
    def ok(self) -> bool:
        return self.offenders == 0 and not self.skipped


@dataclass(frozen=True)
class Scope:
    """What to check: one project (``project_id``) or all, as of ``now``."""

    project_id: int | None = None
    now: dt.datetime = field(default_factory=timezone.now)

    def of(self, queryset: QuerySet, path: str = "project_id") -> QuerySet:
        return queryset if self.project_id is None else queryset.filter(**{path: self.project_id})


def _finding(what: str, queryset: QuerySet, id_field: str = "pk") -> Finding:
    count = queryset.count()
    ids = queryset.order_by(id_field).values_list(id_field, flat=True)[:CAP] if count else []
    return Finding(what, count, tuple(str(value) for value in ids))


def _found(*findings: Finding) -> tuple[Finding, ...]:
    return tuple(finding for finding in findings if finding.count)


# --- 1. credits (G1) ----------------------------------------------------------------------------


def _ledger_breaks(scope: Scope) -> Finding:
    """Entries whose ``balance_after`` is not the previous one's plus ``delta`` (rows of one
    project are written under its row lock, so their ids follow the balance)."""
    where, params = ("WHERE project_id = %s", [scope.project_id]) if scope.project_id is not None else ("", [])
    sql = (
        "SELECT id FROM (SELECT id, balance_after, delta, LAG(balance_after) OVER "
        f"(PARTITION BY project_id ORDER BY id) AS previous FROM projects_creditledgerentry {where}) AS chain "
        "WHERE previous IS NOT NULL AND balance_after <> previous + delta ORDER BY id"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) AS breaks", params)
        count = cursor.fetchone()[0]
        cursor.execute(f"{sql} LIMIT {CAP}", params)
        ids = tuple(str(row[0]) for row in cursor.fetchall())
    return Finding("ledger entry that does not follow the one before", count, ids)


def credits_reconcile(scope: Scope) -> CheckReport:
    debits = CreditLedgerEntry.objects.filter(reason=CreditReason.SUBMISSION)
    debited = Exists(CreditLedgerEntry.objects.filter(submission=OuterRef("pk")))
    latest = CreditLedgerEntry.objects.filter(project=OuterRef("pk")).order_by("-pk").values("balance_after")[:1]
    projects = Project.objects.filter(Exists(CreditLedgerEntry.objects.filter(project=OuterRef("pk"))))
    if scope.project_id is not None:
        projects = projects.filter(pk=scope.project_id)
    return CheckReport(
        name="credits",
        goals=("G1",),
        proves="every created submission has exactly one debit and the ledger adds up to the balance",
        findings=_found(
            _finding("submission without its debit",
                     scope.of(Submission.objects.exclude(source=SubmissionSource.MIGRATION)).filter(~debited)),
            _finding("debit without a submission", scope.of(debits.filter(submission__isnull=True))),
            _finding("debit of a migrated submission (never charged)",
                     scope.of(debits.filter(submission__source=SubmissionSource.MIGRATION))),
            _finding("submission entry that is not one credit",
                     scope.of(CreditLedgerEntry.objects.filter(submission__isnull=False).filter(
                         ~Q(delta=-1) | ~Q(reason=CreditReason.SUBMISSION)))),
            _ledger_breaks(scope),
            _finding("project whose balance is not its last ledger entry's",
                     projects.annotate(last=Subquery(latest)).exclude(credits=F("last")), "pid"),
        ),
    )  # fmt: skip


# --- 2. verification runs (G14, G15) ------------------------------------------------------------


def runs_reconcile(scope: Scope) -> CheckReport:
    requeue_every = _beat_interval("submissions-requeue-stuck")
    queued_by = scope.now - (QUEUED_STALE + requeue_every + SLACK)
    claimed_by = scope.now - (processing_lease() + requeue_every + SLACK)
    expired_by = scope.now - (LONGEST_TIMEOUT + _beat_interval("submissions-expire-incomplete") + SLACK)
    runs = scope.of(Submission.objects.all())
    return CheckReport(
        name="runs",
        goals=("G14", "G15"),
        proves="every queued submission was decided, failed with a visible reason, or is still in flight",
        findings=_found(
            _finding("queued long past the sweeper's re-send", runs.filter(
                Q(queued_at__isnull=True) | Q(queued_at__lt=queued_by), run_state=RunState.QUEUED)),
            _finding("processing long past its lease", runs.filter(
                Q(claimed_at__isnull=True) | Q(claimed_at__lt=claimed_by), run_state=RunState.PROCESSING)),
            _finding("decided without a decision", runs.filter(
                Q(decided_at__isnull=True) | Q(status=SubmissionStatus.INCOMPLETE), run_state=RunState.DECIDED)),
            _finding("failed without a reason", runs.filter(run_state=RunState.FAILED, failure_reason="")),
            _finding("incomplete long past any timeout (the expiry sweep did not reject it)", runs.filter(
                status=SubmissionStatus.INCOMPLETE, submitted_at__isnull=True, created_at__lt=expired_by)),
        ),
    )  # fmt: skip


# --- 3. webhooks (G3, G4, G7) -------------------------------------------------------------------


def webhooks_reconcile(scope: Scope) -> CheckReport:
    sweep_every = _beat_interval("webhooks-sweep-due")
    due_by = scope.now - (sweep_every + webhook_services.WAKE_HOLD + SLACK)
    # An event emitted while the project had its endpoint got a delivery in the same transaction;
    # a delivered one may have been pruned (its event keeps delivered_at), a dead one after KEEP_DEAD.
    endpoint_then = Exists(
        WebhookEndpoint.objects.filter(project=OuterRef("project"), created_at__lte=OuterRef("created_at"))
    )
    undelivered = scope.of(WebhookOutbox.objects.filter(endpoint_then, delivered_at__isnull=True)).filter(
        ~Exists(WebhookDelivery.objects.filter(event=OuterRef("pk"))),
        created_at__gte=scope.now - webhook_services.KEEP_DEAD,
    )
    waiting = scope.of(WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING))
    held = waiting.filter(endpoint__is_active=False).count()
    overdue = waiting.filter(endpoint__is_active=True, next_attempt_at__lt=due_by).exclude(
        webhook_services._earlier_waiting()
    )
    stale_lease = Q(locked_until__isnull=True) | Q(locked_until__lt=scope.now - (sweep_every + SLACK))
    notes = (
        (f"{held} pending deliveries held for a disabled endpoint (sent once its URL is set again)",) if held else ()
    )
    return CheckReport(
        name="webhooks",
        goals=("G3", "G4", "G7"),
        proves="every outbox event is delivered, dead-lettered, or pending and not overdue",
        findings=_found(
            _finding("event without a delivery to its endpoint", undelivered),
            _finding("delivery overdue (the sweeper did not send it)", overdue, "webhook_id"),
            _finding("delivery in flight long past its lease",
                     scope.of(WebhookDelivery.objects.filter(stale_lease, status=DeliveryStatus.IN_FLIGHT)),
                     "webhook_id"),
        ),
        notes=notes,
    )  # fmt: skip


# --- 4. files (G15, G19) ------------------------------------------------------------------------


def _storage_root() -> Path | None:
    try:
        return Path(default_storage.path(""))
    except NotImplementedError:  # a bucket: no folder to walk
        return None


def _walk(root: Path, folder: Path) -> Iterator[tuple[str, int, float]]:
    """(storage name, size, mtime) of every file under ``folder``, depth first."""
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(root, Path(entry.path))
        elif entry.is_file(follow_symlinks=False):
            stat = entry.stat(follow_symlinks=False)
            yield Path(entry.path).relative_to(root).as_posix(), stat.st_size, stat.st_mtime


def _temp_table() -> str:
    return "pg_temp.reconcile_files" if connection.vendor == "postgresql" else "temp.reconcile_files"


def _load_files(root: Path) -> None:
    """The storage folder as the temporary table ``reconcile_files`` of this connection (dropped
    by the caller): COPY on PostgreSQL, batched inserts on SQLite (``make run``'s database)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_temp_table()}")
        cursor.execute("CREATE TEMP TABLE reconcile_files (name text PRIMARY KEY, size bigint, mtime double precision)")
        files = _walk(root, root / SUBMISSIONS_FOLDER)
        if connection.vendor == "postgresql":
            with cursor.cursor.copy("COPY reconcile_files (name, size, mtime) FROM STDIN") as copy:
                for row in files:
                    copy.write_row(row)
        else:
            while batch := list(itertools.islice(files, 1000)):
                cursor.executemany("INSERT INTO reconcile_files (name, size, mtime) VALUES (%s, %s, %s)", batch)
        cursor.execute("ANALYZE reconcile_files")


def _drop_files() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_temp_table()}")


_ORPHANS = (
    "FROM reconcile_files AS f WHERE f.mtime < %s"
    " AND NOT EXISTS (SELECT 1 FROM submissions_submissionimage AS i WHERE i.storage_name = f.name)"
    " AND NOT EXISTS (SELECT 1 FROM submissions_livenesscapture AS c WHERE c.storage_name = f.name)"
)


def _sql_finding(what: str, body: str, params: list, id_sql: str) -> Finding:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) {body}", params)
        count = cursor.fetchone()[0]
        cursor.execute(f"SELECT {id_sql} {body} ORDER BY 1 LIMIT {CAP}", params)
        return Finding(what, count, tuple(str(row[0]) for row in cursor.fetchall()))


_FILE_ROWS = (
    ("submissions_submissionimage", "r.kind", "image"),
    ("submissions_livenesscapture", "'liveness'", "liveness"),
)


def _row_findings(scope: Scope) -> list[Finding]:
    """Rows of live submissions without their file, or with a file of another size."""
    findings = []
    project = "" if scope.project_id is None else " AND s.project_id = %s"
    params = [] if scope.project_id is None else [scope.project_id]
    for table, label, noun in _FILE_ROWS:
        rows = (f"FROM {table} AS r JOIN submissions_submission AS s ON s.id = r.submission_id"
                f" LEFT JOIN reconcile_files AS f ON f.name = r.storage_name"
                f" WHERE s.wrapped_data_key IS NOT NULL{project}")  # fmt: skip
        ident = f"s.id || '/' || {label}"
        findings += [
            _sql_finding(f"{noun} row whose file is missing", f"{rows} AND f.name IS NULL", params, ident),
            _sql_finding(f"{noun} file of another size than its row records",
                         f"{rows} AND f.size <> r.size + {SEALED_OVERHEAD}", params, ident),
        ]  # fmt: skip
    return findings


def _unopenable(scope: Scope) -> Finding:
    """--deep: every live file opens under its submission's key to its recorded sha256."""
    bad: list[str] = []
    for model, read, label in (
        (SubmissionImage, image_file_read, None),
        (LivenessCapture, frames_file_read, "liveness"),
    ):
        rows = scope.of(model.objects.filter(submission__wrapped_data_key__isnull=False), "submission__project_id")
        for row in rows.select_related("submission").order_by("pk").iterator(chunk_size=200):
            try:
                read(row)
            except FileNotFoundError:
                continue  # counted as a row whose file is missing
            except DecryptionError:
                bad.append(f"{row.submission_id}/{label or row.kind}")
    return Finding("file that does not open to its sha256", len(bad), tuple(sorted(bad)[:CAP]))


def files_reconcile(scope: Scope, *, deep: bool = False) -> CheckReport:
    name, goals = "files", ("G15", "G19")
    proves = "every stored file belongs to a row of a live submission and every such row has its file"
    root = _storage_root()
    if root is None:
        return CheckReport(name, goals, proves, (), skipped="the storage has no local folder to walk")
    deleted = Q(submission__wrapped_data_key__isnull=True)
    with transaction.atomic():
        try:
            _load_files(root)
            orphans = _sql_finding("file without its row", _ORPHANS, [(scope.now - ORPHAN_GRACE).timestamp()], "f.name")
            findings = [orphans, *_row_findings(scope)]
        finally:
            _drop_files()
    findings += [
        _finding("image row of a deleted submission",
                 scope.of(SubmissionImage.objects.filter(deleted), "submission__project_id"), "submission_id"),
        _finding("liveness row of a deleted submission",
                 scope.of(LivenessCapture.objects.filter(deleted), "submission__project_id"), "submission_id"),
    ]  # fmt: skip
    if deep:
        findings.append(_unopenable(scope))
    notes = ("files without a row are counted for the whole storage, whatever --project",) if scope.project_id else ()
    return CheckReport(name, goals, proves, _found(*findings), notes=notes)


# --- 5. rows (G17, G19) -------------------------------------------------------------------------


def rows_reconcile(scope: Scope) -> CheckReport:
    live = scope.of(Submission.objects.filter(wrapped_data_key__isnull=False))
    gone = scope.of(Submission.objects.filter(wrapped_data_key__isnull=True))
    decided = live.filter(run_state=RunState.DECIDED)
    ran = decided.filter(submitted_at__isnull=False).exclude(source=SubmissionSource.MIGRATION)
    kept = (~Q(sealed_metadata=None) | ~Q(sealed_evidence=None) | ~Q(sealed_decision=None) | ~Q(sealed_memo=None)
            | ~Q(email_lookup="") | ~Q(userid_lookup=""))  # fmt: skip
    # A partial deletion of ``applicant_id`` leaves an approval without one on purpose (the JSON
    # list as text: SQLite has no JSON containment).
    unassigned = live.filter(status=SubmissionStatus.APPROVED, applicant_id="").annotate(
        exclusions=Cast("duplicate_exclusions", TextField())
    )
    derived = Exists(CheckResult.objects.filter(submission=OuterRef("pk"))) | Exists(
        FaceTemplate.objects.filter(submission=OuterRef("pk"))
    )
    return CheckReport(
        name="rows",
        goals=("G17", "G19"),
        proves="decided submissions are whole and deleted ones keep nothing personal",
        findings=_found(
            _finding("decided without its sealed decision",
                     decided.exclude(source=SubmissionSource.MIGRATION).filter(sealed_decision=None)),
            _finding("decided without its sealed evidence", decided.filter(submitted_at__isnull=False,
                                                                          sealed_evidence=None)),
            # one anti-join per step: an OR of two would be probed row by row
            *(_finding(f"decided run without its {step} check result",
                       ran.filter(~Exists(CheckResult.objects.filter(submission=OuterRef("pk"), step=step))))
              for step in STEPS_OF_EVERY_RUN),
            _finding("approved without an applicant id", unassigned.exclude(exclusions__contains='"applicant_id"')),
            _finding("deleted but sealed data or e-mail/userid lookups kept", gone.filter(kept)),
            _finding("deleted but check results or face templates kept", gone.filter(derived)),
        ),
    )  # fmt: skip


# --- all of them, and the one repair --------------------------------------------------------


def reconcile_all(scope: Scope, *, deep: bool = False) -> list[CheckReport]:
    return [
        credits_reconcile(scope),
        runs_reconcile(scope),
        webhooks_reconcile(scope),
        files_reconcile(scope, deep=deep),
        rows_reconcile(scope),
    ]


def orphan_files_delete(*, now: dt.datetime | None = None, actor: Actor = RECONCILE_ACTOR) -> int:
    """Delete every file under the submissions folder that no row names (never a row) and is
    older than ``ORPHAN_GRACE``; one Event Log entry (system chain) with how many. Each batch
    is checked against the rows again right before it goes, so a row committed meanwhile keeps
    its file."""
    root = _storage_root()
    if root is None:
        return 0
    now = now or timezone.now()
    with transaction.atomic():
        try:
            _load_files(root)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT f.name {_ORPHANS} ORDER BY 1", [(now - ORPHAN_GRACE).timestamp()])
                names = [row[0] for row in cursor.fetchall()]
        finally:
            _drop_files()
    deleted = 0
    for start in range(0, len(names), 500):
        batch = names[start : start + 500]
        named = set(SubmissionImage.objects.filter(storage_name__in=batch).values_list("storage_name", flat=True))
        named |= set(LivenessCapture.objects.filter(storage_name__in=batch).values_list("storage_name", flat=True))
        for name in batch:
            if name not in named:
                default_storage.delete(name)
                deleted += 1
    if deleted:
        audit_record(actor=actor, action=ORPHANS_DELETED, target_type="media",
                     details={"files": deleted, "folder": SUBMISSIONS_FOLDER})  # fmt: skip
    return deleted
