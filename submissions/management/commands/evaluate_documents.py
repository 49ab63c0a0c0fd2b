"""``manage.py evaluate_documents DIR``: accuracy and speed of the document engine on a specimen set.

DIR is a set written by ``make_specimens``. Every image whose label has MRZ lines or a PDF417
payload is read and scored (see ``submissions.evaluation``); the summary table per kind and
condition, the targets of issue 3 and the failure list are printed at the end. With
``--baseline passporteye`` PassportEye reads the same MRZ images in the same run, and its
table, the speed ratio and the accuracy difference are printed beside ours. Low accuracy is a
result, not an error: the exit code is non-zero only for bad input or a missing baseline.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from submissions import evaluation as ev

DEFAULT_TESSDATA = Path(settings.BASE_DIR) / "var" / "cache" / "tessdata"


class Command(BaseCommand):
    help = "Read a labelled specimen set (make_specimens) and report exact-read accuracy, failures and read time."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", type=Path, help="A directory written by make_specimens (with labels.jsonl).")
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            help="Reference date for MRZ century resolution (YYYY-MM-DD, default today UTC); use the set's.",
        )
        parser.add_argument(
            "--baseline", choices=[ev.PASSPORTEYE], help="Also run PassportEye on the same MRZ images and compare."
        )
        parser.add_argument(
            "--tessdata",
            type=Path,
            default=DEFAULT_TESSDATA,
            help="Directory holding Tesseract's mrz.traineddata, for the baseline (default var/cache/tessdata).",
        )
        parser.add_argument("--plots", type=Path, metavar="OUTDIR", help="Write latency.png and accuracy.png here.")
        parser.add_argument("--json", action="store_true", help="Print the full results as JSON instead of tables.")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        today: dt.date = options["today"] or dt.datetime.now(dt.UTC).date()
        as_json: bool = options["json"]
        # With --json, stdout carries the JSON alone; progress and notes go to stderr.
        self.notes = self.stderr if as_json else self.stdout
        try:
            labels = ev.load_labels(directory)
        except ev.LabelsError as exc:
            raise CommandError(str(exc)) from None
        baseline = None
        if options["baseline"] == ev.PASSPORTEYE:
            try:
                baseline = ev.PassportEye(options["tessdata"], today=today)
            except ev.BaselineUnavailable as exc:
                raise CommandError(str(exc)) from None
        plots: Path | None = options["plots"]
        if plots is not None and plots.exists() and not plots.is_dir():
            raise CommandError(f"--plots: {plots} exists and is not a directory.")

        evaluated = sum(1 for label in labels if label.zone)
        fronts = sum(1 for label in labels if not label.zone and label.kind in ev.FRONT_KINDS)
        self.notes.write(
            f"Evaluating {evaluated} images in {directory} (and {fronts} card fronts for the visual zone; "
            f"{len(labels) - evaluated - fronts} others skipped), today {today.isoformat()}"
            + (", baseline PassportEye" if baseline else "")
        )
        result = ev.evaluate(directory, labels, today=today, baseline=baseline, progress=self._progress)
        written = ev.write_plots(plots, result.rows, result.baseline_rows) if plots is not None else []

        if as_json:
            data = ev.results_json(
                directory=directory, today=today, evaluation=result, baseline_name=options["baseline"]
            )
            data["plots"] = [str(path) for path in written]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            self._report(result)
        for path in written:
            self.notes.write(f"Plot written: {path}")

    def _progress(self, done: int, total: int, seconds: float) -> None:
        self.notes.write(f"{100 * done // total:3d}%  {done}/{total} images, {seconds:.0f} s")

    def _report(self, result: ev.Evaluation) -> None:
        groups = ev.summarise(result.rows)
        baseline_groups = ev.summarise(result.baseline_rows) if result.baseline_rows else None
        comparison = ev.compare(result.rows, result.baseline_rows)
        write = self.stdout.write
        write("")
        for line in ev.format_table(groups, baseline_groups):
            write(line)
        for line in ev.TABLE_LEGEND:
            write(line)
        write(ev.format_overall(groups, result))
        self._false_accepts(result)
        if comparison is not None:
            write("")
            for line in ev.format_comparison(comparison):
                write(line)
        write("")
        write("Targets (issue 3):")
        for line in ev.format_targets(ev.targets(groups, comparison)):
            write(line)
        if result.visual_rows:
            write("")
            write("Visual zone: printed fields checked against the MRZ / the back's barcode")
            for line in ev.format_visual_table(ev.summarise_visual(result.visual_rows)):
                write(line)
        write("")
        failed = ev.failures(result.rows)
        if failed:
            write(f"Failures, ours: {len(failed)} of {len(result.rows)} images (false accepts first)")
            for line in ev.format_failures(result.rows):
                write(line)
        else:
            write(self.style.SUCCESS(f"No failures: all {len(result.rows)} images read exactly."))
        if result.baseline_rows:
            base_failed = ev.failures(result.baseline_rows)
            write(f"PassportEye: {len(base_failed)} of {len(result.baseline_rows)} MRZ images not exact (in --json).")
            accepted = [row for row in result.baseline_rows if row.false_accept]
            if accepted:
                write("PassportEye false accepts:")
                for line in ev.format_failures(accepted, limit=ev.BASELINE_FALSE_ACCEPTS_SHOWN):
                    write(line)

    def _false_accepts(self, result: ev.Evaluation) -> None:
        text = ev.format_false_accepts(result)
        ours = sum(row.false_accept for row in result.rows)
        self.stdout.write(self.style.ERROR(text) if ours else self.style.SUCCESS(text))
