"""``manage.py evaluate_locate DIR``: how well the document locator finds documents in a specimen set.

DIR is a set written by ``make_specimens``. Every labelled image is searched with
``locate_document`` (MRZ images with the MRZ reader's first reading as the anchor, unless
``--no-anchor``), and the summary per kind and condition is printed: found rate, mean and p95
worst-corner error as % of the document's width, share within 3 %, share upright (and among
images with an anchor). ``--plots DIR`` writes a histogram of the corner errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from submissions.evaluation import locate as ev


class Command(BaseCommand):
    help = "Locate the document in every labelled specimen photo and report corner error and orientation."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", type=Path, help="A directory written by make_specimens (with labels.jsonl).")
        parser.add_argument("--no-anchor", action="store_true", help="Do not give the locator the MRZ reading.")
        parser.add_argument("--plots", type=Path, metavar="OUTDIR", help="Write locate_errors.png here.")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        try:
            labels = ev.load_quad_labels(directory)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from None
        if not labels:
            raise CommandError(f"no label in {directory} has a document_quad.")
        self.stdout.write(f"Locating the document in {len(labels)} images of {directory}")
        rows = ev.evaluate_locate(directory, labels, use_anchor=not options["no_anchor"], progress=self._progress)
        self.stdout.write("")
        self.stdout.write(ev.locate_table(ev.summarise_locate(rows)))
        times = [row.ms for row in rows]
        self.stdout.write(
            f"\nlocate_document: mean {np.mean(times):.1f} ms, p95 {np.percentile(times, 95):.1f} ms per image "
            "(wall clock, the MRZ reading excluded)"
        )
        missed = ev.failures(rows)
        if missed:
            self.stdout.write(f"\n{len(missed)} images off target:")
            for line in missed:
                self.stdout.write(f"  {line}")
        if options["plots"] is not None:
            self.stdout.write(f"\nwrote {ev.write_error_histogram(options['plots'], rows)}")

    def _progress(self, done: int, total: int, seconds: float) -> None:
        self.stdout.write(f"{done * 100 // total:>4}%  {done}/{total} images, {seconds:.1f} s")
