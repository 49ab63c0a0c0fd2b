"""``manage.py bench_report [--output docs/benchmarks.md]``: the quick benchmarks in sequence,
one table (figure, value, baseline, ratio, target, met), printed and written with the machine.

Sizes are chosen so that ``make bench`` ends in under 15 minutes on 2 cores: the API for 10 s
per endpoint, 11 verifications, 1:N search at 10k / 100k / 1M (exact), the MRZ read time on the
committed specimen set if it was made (``make bench-documents``), otherwise on 30 specimens made
in the run, face detection and embedding on the face_recognition package's six test photos,
200 + 2 × 500 webhook deliveries and the dashboard list at 100,000 rows. The hour-long data sets
(liveness, the full face set) stay with their own ``bench-*`` targets.

A sub-benchmark that fails is a row saying so: it never hides the others.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import platform
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from submissions import evaluation as ev
from submissions.evaluation import faces as face_ev
from submissions.evaluation.face_set import DEFAULT_CACHE, face_recognition_images
from submissions.management.commands.bench_api import Command as ApiBench
from submissions.management.commands.bench_api import Measurement
from submissions.pipeline.face_index import bench as fb
from submissions.specimens import make_specimens

DEFAULT_OUTPUT = Path(settings.BASE_DIR) / "docs" / "benchmarks.md"
SPECIMENS = Path(settings.BASE_DIR) / "var" / "bench" / "documents-4242"
TESSDATA = Path(settings.BASE_DIR) / "var" / "cache" / "tessdata"
GENERATED_SPECIMENS = 30
SEARCH_SIZES = (10_000, 100_000, 1_000_000)
SEARCH_TARGET_MS = 100.0
DASHBOARD_TARGET_MS = 300.0
ORDERED_SHARE_TARGET = 0.8
HEADER = ("figure", "value", "baseline", "ratio", "target", "met")


@dataclass(frozen=True)
class Figure:
    figure: str
    value: str
    baseline: str = "–"
    ratio: str = "–"
    target: str = "–"
    met: str = "–"  # yes, no, – (no target) or failed


def markdown_table(figures: list[Figure]) -> str:
    """The table as GitHub Markdown; a ``|`` inside a cell is escaped so it cannot add a column."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join(["---"] * len(HEADER)) + "|"]
    for figure in figures:
        cells = (figure.figure, figure.value, figure.baseline, figure.ratio, figure.target, figure.met)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def failed(name: str, exc: BaseException) -> Figure:
    message = " ".join(str(exc).split()) or type(exc).__name__
    return Figure(name, f"failed: {message[:160]}", met="failed")


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}" if baseline else "–"


def machine() -> list[tuple[str, str]]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in _read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    memory = re.search(r"MemTotal:\s+(\d+) kB", _read("/proc/meminfo"))
    os_name = re.search(r'PRETTY_NAME="([^"]+)"', _read("/etc/os-release"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            database = f"{connection.vendor} {connection.Database.sqlite_version}"
    return [
        ("CPU", cpu),
        ("cores", str(os.cpu_count())),
        ("RAM", f"{int(memory.group(1)) / 2**20:.1f} GiB" if memory else "unknown"),
        ("OS", f"{os_name.group(1) if os_name else platform.system()} (kernel {platform.release()})"),
        ("Python", platform.python_version()),
        ("database", database),
    ]


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def document(figures: list[Figure], about: list[tuple[str, str]], *, when: dt.datetime, seconds: float) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`manage.py bench_report`); run it again to replace this page. Each",
        "figure stands beside its baseline where it has one, measured in the same run on the same machine.",
        "",
        f"Run on {when:%Y-%m-%d %H:%M} UTC in {seconds / 60:.1f} minutes.",
        "",
        *[f"- {name}: {value}" for name, value in about],
        "",
        markdown_table(figures),
        "",
        "How each figure is measured:",
        "",
        "- API: gunicorn on 127.0.0.1 (2 workers × 4 threads, as `make run`), 8 keep-alive client threads in",
        "  the bench's process for 10 s per endpoint, 1,000 submissions in a throw-away project. The baselines",
        "  are a bare Django view and a bare DRF APIView (no key check) on the same gunicorn, routed only",
        "  because the bench sets IDCHECK_BENCH_BASELINE_VIEWS=1. The clients share the 2 cores with gunicorn.",
        "- Submission create: one client, in-process through the real view (middleware, DRF, x-api-key,",
        "  multipart with a generated passport JPEG), rolled back, so that no pipeline run is queued.",
        "- Upload to decision: `bench_decisions --runs 11`, create + process in one process (one worker).",
        "- 1:N search: `bench_face_search` exact index on synthetic 128-d templates, 500 planted queries.",
        "- MRZ: our engine and PassportEye read the same images; ratio = PassportEye p50 / ours.",
        "- Face: detection + embedding of the face_recognition package's test photos (a reduced set; the",
        "  full FNMR/FMR evaluation is `make bench-faces`).",
        "- Webhooks: `bench_webhooks` with one real Celery worker and a signature-checking receiver.",
        "- Dashboard: `bench_dashboard_list --rows 100000`, every filter, worst page's p95.",
        "",
        "Liveness (`make bench-liveness`) and the full document and face sets need data sets that take",
        "about an hour to generate, so they are not part of this run.",
    ]
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Run the quick benchmarks, print one table and write it to docs/benchmarks.md with the machine."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="Markdown file to write.")
        parser.add_argument("--note", default="", help="A line added under the machine (e.g. other load).")

    def handle(self, *args: Any, **options: Any) -> None:
        started, when = time.perf_counter(), dt.datetime.now(dt.UTC)
        sections: list[tuple[str, Callable[[], list[Figure]]]] = [
            ("API reads and creates", self._api),
            ("upload to decision", self._decisions),
            ("1:N face search", self._face_search),
            ("MRZ read", self._mrz),
            ("face embed", self._face_embed),
            ("webhook deliveries", self._webhooks),
            ("dashboard list", self._dashboard),
        ]
        figures: list[Figure] = []
        for name, section in sections:
            self.stdout.write(self.style.MIGRATE_HEADING(f"== {name}"))
            try:
                figures += section()
            except Exception as exc:  # noqa: BLE001 - a failed bench is a row, the others still run
                figures.append(failed(name, exc))
        about = machine()
        if options["note"]:
            about.append(("note", options["note"]))
        self.stdout.write("")
        self.stdout.write(markdown_table(figures))
        output: Path = options["output"]
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(document(figures, about, when=when, seconds=time.perf_counter() - started))
        self.stdout.write(f"\nwrote {output}")

    def _run(self, *arguments: str) -> str:
        out = io.StringIO()
        call_command(*arguments, stdout=out)
        self.stdout.write(out.getvalue())
        return out.getvalue()

    def _api(self) -> list[Figure]:
        reads, create = ApiBench(stdout=self.stdout).measure(seconds=10, concurrency=8, rows=1000, creates=60)
        one, page, django, drf = reads
        figures = []
        for label, row in (("GET one submission by id", one), ("GET a page of 50 submissions", page)):
            figures += [
                Figure(f"{label}, req/s vs bare Django", _rps(row), _rps(django), ratio(row.per_second, django.per_second)),
                Figure(f"{label}, req/s vs bare DRF", _rps(row), _rps(drf), ratio(row.per_second, drf.per_second)),
                Figure(f"{label}, p50 / p95 ms vs bare Django", _latency(row), _latency(django), f"{ratio(row.p95, django.p95)} (p95)"),
            ]  # fmt: skip
        figures.append(Figure("submission create, req/s (one client, in-process)", _rps(create)))
        return figures

    def _decisions(self) -> list[Figure]:
        out = self._run("bench_decisions", "--runs", "11")
        create = re.search(r"^create \(upload\)\s+(\d+)\s+(\d+)", out, re.MULTILINE)
        total = re.search(r"^upload to decision\s+(\d+)\s+(\d+)", out, re.MULTILINE)
        if create is None or total is None:
            raise CommandError("bench_decisions printed no summary")
        return [
            Figure("upload to decision, p50 / p95 ms (one worker, 10 warm runs)", f"{total[1]} / {total[2]}"),
            Figure("of which create (upload), p50 / p95 ms", f"{create[1]} / {create[2]}"),
        ]

    def _face_search(self) -> list[Figure]:
        rows = fb.run_bench(list(SEARCH_SIZES), kinds=("exact",), queries=500, progress=self.stdout.write)
        figures = []
        for row in rows:
            target = row.size == SEARCH_SIZES[-1]
            figures.append(Figure(
                f"1:N face search, {row.size:,} templates (exact), p50 / p95 ms", f"{row.p50_ms:.1f} / {row.p95_ms:.1f}",
                target=f"p95 < {SEARCH_TARGET_MS:.0f} ms" if target else "–",
                met=("yes" if row.p95_ms < SEARCH_TARGET_MS else "no") if target else "–",
            ))  # fmt: skip
        return figures

    def _mrz(self) -> list[Figure]:
        today = dt.datetime.now(dt.UTC).date()
        work = None
        directory = SPECIMENS
        if not (directory / "labels.jsonl").exists():
            work = Path(tempfile.mkdtemp(prefix="idcheck-bench-mrz-"))
            directory = work / "specimens"
            self.stdout.write(f"no {SPECIMENS}: making {GENERATED_SPECIMENS} specimens")
            make_specimens(directory, count=GENERATED_SPECIMENS, seed=4242, kinds=["td3", "td1"], today=today)
        try:
            try:
                baseline = ev.PassportEye(TESSDATA, today=today)
                missing = None
            except ev.BaselineUnavailable as exc:
                baseline, missing = None, exc
            labels = ev.load_labels(directory)
            result = ev.evaluate(directory, labels, today=today, baseline=baseline)
        finally:
            if work is not None:
                shutil.rmtree(work, ignore_errors=True)
        mrz_rows = [row for row in result.rows if row.zone == "mrz"]
        ours = ev.compare(mrz_rows, result.baseline_rows)
        name = f"MRZ read, p50 ms ({len(mrz_rows)} images, {'generated' if work else directory.name})"
        if ours is None:
            own = ev.stats(mrz_rows)
            return [
                Figure(name, f"{own.p50_ms:.0f}", f"failed: {missing}", met="failed"),
                Figure("MRZ lines read exactly, %", f"{own.exact_pct:.1f}", "failed: no PassportEye"),
            ]
        return [
            Figure(name, f"{ours.ours.p50_ms:.0f}", f"{ours.baseline.p50_ms:.0f} (PassportEye)",
                   f"{ours.speed_ratio:.2f}× faster" if ours.speed_ratio else "–"),
            Figure("MRZ lines read exactly, %", f"{ours.ours.exact_pct:.1f}", f"{ours.baseline.exact_pct:.1f} (PassportEye)",
                   f"{ours.exact_points:+.1f} points" if ours.exact_points is not None else "–"),
        ]  # fmt: skip

    def _face_embed(self) -> list[Figure]:
        photos = face_recognition_images(DEFAULT_CACHE)
        work = Path(tempfile.mkdtemp(prefix="idcheck-bench-faces-"))
        try:
            for photo in sorted(photos.glob("*.jpg")):
                person = work / photo.stem.rstrip("0123456789").split("_")[0]
                person.mkdir(exist_ok=True)
                shutil.copy(photo, person / photo.name)
            samples = face_ev.embed_samples(work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        found = [sample for sample in samples if sample.embedding is not None]
        if not found:
            raise CommandError("no face was found in the test photos")
        total = [sample.detect_ms + sample.embed_ms for sample in found]
        embed = [sample.embed_ms for sample in found]
        return [
            Figure(f"face embed, p50 / p95 ms ({len(found)} photos)", f"{_p(embed, 50):.0f} / {_p(embed, 95):.0f}"),
            Figure("face detect + embed, p50 / p95 ms", f"{_p(total, 50):.0f} / {_p(total, 95):.0f}"),
        ]

    def _webhooks(self) -> list[Figure]:
        out = self._run("bench_webhooks", "--latency-events", "200", "--events", "500")
        latency = re.search(r"commit → verified at receiver\s+([\d.]+)\s+([\d.]+)", out)
        rates = dict(re.findall(r"^(independent|ordered)\s+\d+\s+\d+\s+[\d.]+\s+([\d.]+)$", out, re.MULTILINE))
        if latency is None or len(rates) != 2:
            raise CommandError("bench_webhooks printed no summary")
        ordered_share = float(rates["ordered"]) / float(rates["independent"])
        return [
            Figure("webhook deliveries per second, one worker (independent)", rates["independent"]),
            # G5: keeping each resource's events in order costs at most a fifth of the rate.
            Figure("webhook deliveries per second, one worker (10 per resource, ordered)", rates["ordered"],
                   baseline=rates["independent"], ratio=f"{ordered_share:.2f}×", target=f"≥ {ORDERED_SHARE_TARGET:.2f}×",
                   met=_met(ordered_share >= ORDERED_SHARE_TARGET)),
            Figure("webhook first attempt, commit → verified, p50 / p95 ms", f"{latency[1]} / {latency[2]}"),
        ]

    def _dashboard(self) -> list[Figure]:
        out = self._run("bench_dashboard_list", "--rows", "100000")
        pages = re.findall(r"^(.{28}) +([\d.]+) +([\d.]+)  (?:met|NOT MET)$", out, re.MULTILINE)
        if not pages:
            raise CommandError("bench_dashboard_list printed no summary")
        worst = max(pages, key=lambda page: float(page[2]))
        newest = pages[0]
        return [
            Figure("dashboard list at 100,000 rows, newest first, p95 ms", newest[2],
                   target=f"< {DASHBOARD_TARGET_MS:.0f} ms", met=_met(float(newest[2]) < DASHBOARD_TARGET_MS)),
            Figure(f"dashboard list at 100,000 rows, worst filter ({worst[0].strip()}), p95 ms", worst[2],
                   target=f"< {DASHBOARD_TARGET_MS:.0f} ms", met=_met(float(worst[2]) < DASHBOARD_TARGET_MS)),
        ]  # fmt: skip


def _rps(row: Measurement) -> str:
    return f"{row.per_second:.1f}" + (f" ({row.errors} errors)" if row.errors else "")


def _latency(row: Measurement) -> str:
    return f"{row.p50:.1f} / {row.p95:.1f}"


def _p(values: list[float], q: float) -> float:
    return ev.percentile(values, q) or 0.0


def _met(ok: bool) -> str:
    return "yes" if ok else "no"
