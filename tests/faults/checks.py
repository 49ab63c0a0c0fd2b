"""What every drill asserts once the fault is over: quiescence, exact counts, a clean reconcile."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from tests.faults.drive import Counts, Database, counts, offenders, reconcile
from tests.faults.stack import Process, wait_until
from webhooks.receiver import SigningReceiver

EVENTS_PER_RUN = 2  # ``created`` at the POST, then ``approved`` / ``rejected`` / ``submit``


def quiescent(db: Database, project_id: int, *, submissions: int, timeout: float = 240) -> Counts:
    """Wait until every run is settled and every delivery delivered or dead-lettered."""

    def settled() -> Counts | None:
        now = counts(db, project_id)
        done = now.decided + now.failed == submissions and now.in_flight == 0
        return now if done and now.delivered + now.dead == now.events == submissions * EVENTS_PER_RUN else None

    return wait_until(settled, timeout=timeout, what=f"{submissions} runs and their webhooks to settle", every=0.5)


def assert_whole(
    db: Database, env: dict[str, str], project_id: int, *, submissions: int, receiver: SigningReceiver
) -> Counts:
    """Exact counts for the project and ``manage.py reconcile --json`` clean for the database."""
    final = quiescent(db, project_id, submissions=submissions)
    assert (final.submissions, final.debits, final.decided + final.failed) == (submissions,) * 3
    assert (final.events, final.delivered, final.dead) == (submissions * EVENTS_PER_RUN,) * 2 + (0,)
    assert final.images == submissions * 2  # the passport and the selfie of each
    assert len(receiver.arrivals) == final.events  # distinct webhook-ids, each verified
    assert receiver.forged == 0
    status, report = reconcile(env)
    assert (status, offenders(report)) == (0, {})
    # reconcile calls a file without a row an orphan only after 15 minutes (a create may still be
    # in its transaction); once everything is settled there must be none at all
    assert stored_files(Path(env["MEDIA_ROOT"])) == image_names(db)
    return final


def stored_files(media: Path) -> set[str]:
    return {path.relative_to(media).as_posix() for path in (media / "submissions").rglob("*") if path.is_file()}


def image_names(db: Database) -> set[str]:
    return {row[0] for row in db.rows("SELECT storage_name FROM submissions_submissionimage")}


def run_of(db: Database, submission_id: str) -> tuple[str, int]:
    return tuple(db.rows("SELECT run_state, attempts FROM submissions_submission WHERE id = %s",
                         (submission_id,))[0])  # fmt: skip


def kill_mid_run(db: Database, worker: Process, project_id: int, *, whole: bool) -> str:
    """SIGKILL the pool child (or the whole worker) the moment a run is claimed; returns the run
    that was cut short. A run that finished between the poll and the kill is not one: the next
    claimed run is tried instead, so the fault lands mid-run every time."""
    tried: set[str] = set()
    while True:
        claimed = wait_until(
            lambda: [r[0] for r in db.rows(
                "SELECT id FROM submissions_submission WHERE project_id = %s AND run_state = 'processing'",
                (project_id,)) if r[0] not in tried],
            timeout=120, what="the pipeline worker to claim a run", every=0.01,
        )[0]  # fmt: skip
        tried.add(claimed)
        if whole:
            worker.kill_group()
        else:
            [child] = wait_until(worker.children, timeout=30, what="the worker's pool child", every=0.01)
            os.kill(child, signal.SIGKILL)
        if run_of(db, claimed) == ("processing", 1):
            return claimed
        assert not whole, "the whole worker was killed after its run had finished; nothing to prove"
