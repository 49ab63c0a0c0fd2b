"""The files check (G15, G19) and the one repair: deleting files no row names.

The storage folder is walked once and loaded (names, sizes, times) into a temporary table of
this connection, so that "file without its row" and "row without its file" are anti-joins too.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Iterator
from pathlib import Path

from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from idcheck.lib.crypto import DecryptionError
from projects.actors import Actor
from projects.services import audit_record
from submissions import vault
from submissions.models import AddressInjection, LivenessCapture, SubmissionImage
from submissions.reconcile.report import CAP, CheckReport, Finding, Scope, finding_of, found
from submissions.storage import frames_file_read, image_file_read

# A file younger than this may belong to a submission being created right now (its row is not
# committed yet): it is never called an orphan, and never deleted.
ORPHAN_GRACE = dt.timedelta(minutes=15)
SUBMISSIONS_FOLDER = "submissions"
# vault.seal_bytes: a version byte and a nonce before the ciphertext, the GCM tag after it.
SEALED_OVERHEAD = len(vault._VERSION) + vault._NONCE_LEN + 16
ORPHANS_DELETED = "media.orphan_files_deleted"
RECONCILE_ACTOR = Actor.system("reconcile")


def _storage_root() -> Path | None:
    """The media folder to walk; None for object storage (S3 and the like), which has none."""
    if not isinstance(default_storage, FileSystemStorage):
        return None
    return Path(default_storage.path(""))


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
    # a Liveform address injection's proof, waiting for its checks (submissions.services.injection)
    " AND NOT EXISTS (SELECT 1 FROM submissions_addressinjection AS a WHERE a.storage_name = f.name)"
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
        finding_of("image row of a deleted submission",
                   scope.of(SubmissionImage.objects.filter(deleted), "submission__project_id"), "submission_id"),
        finding_of("liveness row of a deleted submission",
                   scope.of(LivenessCapture.objects.filter(deleted), "submission__project_id"), "submission_id"),
    ]  # fmt: skip
    if deep:
        findings.append(_unopenable(scope))
    notes = ("files without a row are counted for the whole storage, whatever --project",) if scope.project_id else ()
    return CheckReport(name, goals, proves, found(*findings), notes=notes)


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
        named |= set(AddressInjection.objects.filter(storage_name__in=batch).values_list("storage_name", flat=True))
        for name in batch:
            if name not in named:
                default_storage.delete(name)
                deleted += 1
    if deleted:
        audit_record(actor=actor, action=ORPHANS_DELETED, target_type="media",
                     details={"files": deleted, "folder": SUBMISSIONS_FOLDER})  # fmt: skip
    return deleted
