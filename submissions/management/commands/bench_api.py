"""``manage.py bench_api [--seconds S] [--concurrency C] [--rows N]``: API read throughput and
latency beside the framework's own cost, and submission create throughput (issue 11).

A throw-away project gets N submissions (bulk-inserted) and an API key; gunicorn is started as
``manage.py serve`` starts it (2 workers, 4 threads) on a free port of 127.0.0.1, with the
baseline views of ``idcheck.bench_views`` routed (IDCHECK_BENCH_BASELINE_VIEWS=1, this process
only). C threads in this process, each with its own keep-alive connection, then send as many
requests as they can for S seconds to each of: one submission by id, a page of 50, a bare
Django view and a bare DRF view. The per-project rate limits are raised in gunicorn's
environment, so the limiter still runs but never refuses.

Create throughput is measured in-process, through the real view (Django's test client, the
whole middleware and DRF stack, x-api-key, multipart with a generated passport JPEG), inside a
transaction that is rolled back: over gunicorn every create would also queue a pipeline run.
Everything is deleted at the end: the project, its submissions, its key, the sealed files.
"""

from __future__ import annotations

import http.client
import logging
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import Client
from django.utils import timezone

from idcheck.lib.crypto import keyed_hash
from idcheck.lib.subprocesses import Gunicorn
from idcheck.management.commands.serve import HOST
from projects.models import ApiKey, Project
from projects.models.api_keys import API_KEY_HASH_PURPOSE, API_KEY_LENGTH, API_KEY_PREFIX_LENGTH
from submissions.evaluation.summary import percentile
from submissions.models import Submission, SubmissionImage, SubmissionSource, SubmissionStatus
from submissions.specimens import make_specimens

MAX_SECONDS = 60.0
# The baselines are routed in gunicorn only; the limiter still runs but never refuses.
BASELINE_ENV = {
    "IDCHECK_BENCH_BASELINE_VIEWS": "1",
    "IDCHECK_RATE_LIMIT_PER_SECOND": "1000000000",
    "IDCHECK_RATE_LIMIT_PER_DAY": "1000000000",
}
BATCH = 1000


@dataclass(frozen=True)
class Measurement:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 50) if self.latencies_ms else 0.0

    @property
    def p95(self) -> float:
        return percentile(self.latencies_ms, 95) if self.latencies_ms else 0.0


def hammer(port: int, path: str, headers: dict[str, str], *, seconds: float, concurrency: int) -> Measurement:
    """``concurrency`` keep-alive clients sending ``GET path`` for ``seconds``; any non-200 is an error."""
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    deadline = time.perf_counter() + seconds

    def client(slot: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        try:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    connection.request("GET", path, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    ok = response.status == 200
                except (OSError, http.client.HTTPException):
                    connection.close()
                    ok = False
                latencies[slot].append((time.perf_counter() - started) * 1000)
                errors[slot] += not ok
        finally:
            connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(slot,)) for slot in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    merged = [value for values in latencies for value in values]
    return Measurement(path, len(merged), sum(errors), elapsed, merged)


class Command(BaseCommand):
    help = "Measure GET /v3/submission against gunicorn beside bare Django and DRF views, and create throughput."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seconds", type=float, default=10.0, help="Per measurement, at most 60 (default 10).")
        parser.add_argument("--concurrency", type=int, default=8, help="Client threads (default 8).")
        parser.add_argument("--rows", type=int, default=1000, help="Submissions in the project (default 1,000).")
        parser.add_argument("--creates", type=int, default=30, help="Most submissions to create (default 30).")

    def handle(self, *args: Any, **options: Any) -> None:
        seconds, concurrency = options["seconds"], options["concurrency"]
        if not 0 < seconds <= MAX_SECONDS or not 1 <= concurrency <= 64:
            raise CommandError(f"--seconds must be in (0, {MAX_SECONDS:.0f}] and --concurrency in 1–64.")
        if options["rows"] < 50 or options["creates"] < 2:
            raise CommandError("--rows must be at least 50 and --creates at least 2.")
        reads, create = self.measure(seconds=seconds, concurrency=concurrency, rows=options["rows"],
                                     creates=options["creates"])  # fmt: skip
        self.stdout.write(format_table(reads, create, concurrency))

    def measure(
        self, *, seconds: float, concurrency: int, rows: int, creates: int
    ) -> tuple[list[Measurement], Measurement]:
        """The four reads (the two baselines last), then the creates; also for bench_report."""
        logging.getLogger("idcheck.access").setLevel(logging.WARNING)  # one line per request otherwise
        project = Project.objects.create(name="bench api", credits=creates)
        try:
            key = _bench_key(project)
            self._fill(project, rows)
            reads = self._reads(project, key, seconds=seconds, concurrency=concurrency)
            return reads, self._creates(project, key, count=creates, seconds=seconds)
        finally:
            Submission.objects.filter(project=project).delete()
            ApiKey.objects.filter(project=project).delete()
            project.delete()

    def _fill(self, project: Project, rows: int) -> None:
        now = timezone.now()
        for start in range(0, rows, BATCH):
            Submission.objects.bulk_create([
                Submission(project=project, source=SubmissionSource.API, status=SubmissionStatus.APPROVED,
                           created_at=now - timezone.timedelta(minutes=number), claimed_issuing_country="EST",
                           claimed_id_type="passport", nationality="EST")
                for number in range(start, min(rows, start + BATCH))
            ])  # fmt: skip

    def _reads(self, project: Project, key: str, *, seconds: float, concurrency: int) -> list[Measurement]:
        one = Submission.objects.filter(project=project).values_list("pk", flat=True).first()
        api = {"x-api-key": key}
        targets = [
            ("GET /v3/submission?submission_id=…", f"/v3/submission?submission_id={one}", api),
            ("GET /v3/submission?count=50", "/v3/submission?count=50", api),
            ("bare Django view", "/bench-baseline/django", {}),
            ("bare DRF APIView", "/bench-baseline/drf", {}),
        ]
        results = []
        with Gunicorn(env=BASELINE_ENV) as server:
            for name, path, headers in targets:
                hammer(server.port, path, headers, seconds=min(1.0, seconds), concurrency=concurrency)  # warm-up
                measured = hammer(server.port, path, headers, seconds=seconds, concurrency=concurrency)
                results.append(Measurement(name, measured.requests, measured.errors, measured.seconds,
                                           measured.latencies_ms))  # fmt: skip
                self.stdout.write(f"{name:36} {measured.per_second:8.1f} req/s  {measured.errors} errors")
        return results

    def _creates(self, project: Project, key: str, *, count: int, seconds: float) -> Measurement:
        passport = _passport_jpeg()
        client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0].strip("[]") if settings.ALLOWED_HOSTS else HOST)
        latencies: list[float] = []
        errors = 0
        written: list[str] = []
        started = time.perf_counter()
        try:
            with transaction.atomic():
                while len(latencies) < count and time.perf_counter() - started < seconds:
                    begin = time.perf_counter()
                    response = client.post("/v3/submission", {"idImage": _upload(passport)}, headers={"x-api-key": key})
                    latencies.append((time.perf_counter() - begin) * 1000)
                    errors += response.status_code != 200
                written = list(
                    SubmissionImage.objects.filter(submission__project=project).values_list("storage_name", flat=True)
                )
                transaction.set_rollback(True)
        finally:
            for name in written:
                default_storage.delete(name)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{'POST /v3/submission (in-process)':36} {len(latencies) / elapsed:8.1f} req/s  {errors} errors"
        )
        return Measurement("POST /v3/submission (in-process)", len(latencies), errors, elapsed, latencies)


def _bench_key(project: Project) -> str:
    """A read key written directly: api_key_issue records it in the append-only Event Log, which
    would keep the throw-away project forever. It has no payload key (reads do not use one)."""
    plaintext = secrets.token_hex(API_KEY_LENGTH)[:API_KEY_LENGTH]
    ApiKey.objects.create(
        project=project,
        prefix=plaintext[:API_KEY_PREFIX_LENGTH],
        key_hash=keyed_hash(plaintext, purpose=API_KEY_HASH_PURPOSE),
        payload_key_sealed=b"",
    )
    return plaintext


def _passport_jpeg() -> bytes:
    work = Path(tempfile.mkdtemp(prefix="idcheck-bench-api-"))
    try:
        make_specimens(work, count=1, seed=11, kinds=["td3"], conditions=["clear"])
        return next(work.glob("*.jpg")).read_bytes()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("passport.jpg", data, content_type="image/jpeg")


def format_table(reads: list[Measurement], create: Measurement, concurrency: int) -> str:
    django_rps, drf_rps = reads[2].per_second, reads[3].per_second
    lines = [
        "",
        f"API against gunicorn on {HOST} (2 workers × 4 threads), {concurrency} keep-alive clients",
        f"{'endpoint':36} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} {'÷Django':>8} {'÷DRF':>8}",
    ]
    for row in [*reads, create]:
        django_ratio = f"{row.per_second / django_rps:8.2f}" if django_rps else f"{'–':>8}"
        drf_ratio = f"{row.per_second / drf_rps:8.2f}" if drf_rps else f"{'–':>8}"
        lines.append(
            f"{row.name:36} {row.per_second:8.1f} {row.p50:8.1f} {row.p95:8.1f} {row.errors:7d} {django_ratio} {drf_ratio}"
        )
    lines.append(
        "create: one client, in-process through the real view, rolled back; the throw-away project was deleted."
    )
    return "\n".join(lines)
