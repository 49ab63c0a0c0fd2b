"""``manage.py bench_decisions [--runs N]``: upload-to-decision latency, one worker, as issue 5 asks.

Each run is what a verification costs the server: ``submission_create`` (G16 intake, sealing,
the credit, the Event Log) then ``submission_process`` (document, face, age, duplicates,
network, policy, the decision's transaction), in this process — the work of one solo Celery
worker without the broker's hop. The case is a generated passport SPECIMEN whose portrait is a
real face photo (the face_recognition package's test images, fetched with ``pip download``
into var/cache) and a second photo of the same man as the selfie.

Everything runs in a transaction that is rolled back, in a throw-away project, and the sealed
files written are deleted: the database and storage are left as they were. The first run loads
the models and is reported apart (cold); the percentiles are over the warm runs.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from projects.actors import Actor
from projects.services import project_create
from submissions.evaluation.face_set import SourcesUnavailable, passports_with_selfie
from submissions.evaluation.summary import percentile
from submissions.models import SubmissionImage
from submissions.services import submission_create, submission_process

ACTOR = Actor.system("bench_decisions")


class Command(BaseCommand):
    help = "Measure upload-to-decision latency (create + process, one worker) on a specimen passport and a selfie."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--runs", type=int, default=11, help="Verifications, the first one cold (default 11).")

    def handle(self, *args: Any, **options: Any) -> None:
        runs = options["runs"]
        if runs < 2:
            raise CommandError("--runs must be at least 2 (one cold run, then warm ones).")
        passport, selfie = self._case()
        timings: list[tuple[float, float, str]] = []
        written: list[str] = []
        try:
            with transaction.atomic():
                project = project_create(name="bench decisions", owner=None, actor=ACTOR, credits=runs)
                for run in range(1, runs + 1):
                    timings.append(self._verify(project, passport, selfie, written))
                    create_ms, process_ms, status = timings[-1]
                    self.stdout.write(
                        f"{run:3d}/{runs}  create {create_ms:6.0f} ms  process {process_ms:6.0f} ms  {status}"
                    )
                transaction.set_rollback(True)
        finally:
            for name in written:
                default_storage.delete(name)
        self._summary(timings)

    def _case(self) -> tuple[bytes, bytes]:
        work = Path(tempfile.mkdtemp(prefix="idcheck-bench-"))
        try:
            [passport], selfie = passports_with_selfie(work, count=1, seed=5)
        except SourcesUnavailable as exc:
            raise CommandError(str(exc)) from None
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return passport, selfie

    def _verify(self, project: Any, passport: bytes, selfie: bytes, written: list[str]) -> tuple[float, float, str]:
        started = time.perf_counter()
        submission = submission_create(
            project=project, source="api", actor=ACTOR, images={"id_front": passport, "selfie": selfie}
        )
        created = time.perf_counter()
        written += list(SubmissionImage.objects.filter(submission=submission).values_list("storage_name", flat=True))
        decided = submission_process(submission_id=submission.id)
        done = time.perf_counter()
        status = decided.status if decided is not None else "not decided"
        return (created - started) * 1000, (done - created) * 1000, f"{status} {getattr(decided, 'argos_score', '')}"

    def _summary(self, timings: list[tuple[float, float, str]]) -> None:
        cold, warm = timings[0], timings[1:]
        totals = [create + process for create, process, _ in warm]
        write = self.stdout.write
        write("")
        write(f"{'':22} {'p50 ms':>8} {'p95 ms':>8}")
        for name, values in (
            ("create (upload)", [create for create, _, _ in warm]),
            ("process (decision)", [process for _, process, _ in warm]),
            ("upload to decision", totals),
        ):
            write(f"{name:22} {percentile(values, 50):8.0f} {percentile(values, 95):8.0f}")
        write(f"cold first run: {cold[0] + cold[1]:.0f} ms (models loaded); {len(warm)} warm runs; nothing kept.")
