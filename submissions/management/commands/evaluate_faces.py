"""``manage.py evaluate_faces DIR [--plots OUTDIR]``: genuine/impostor scores, FNMR at FMR 1 % and
0.1 % with their thresholds, refusals and per-face timings over a folder of identities (one
sub-folder per person, e.g. written by ``make_face_set``). See ``submissions.evaluation.faces``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from submissions.evaluation import faces as ev
from submissions.pipeline.face.match import DEFAULT_THRESHOLD


class Command(BaseCommand):
    help = "Score every genuine and impostor pair of a folder of identities and report FNMR at FMR 1 % and 0.1 %."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", type=Path, help="One sub-folder of photos per person.")
        parser.add_argument("--plots", type=Path, metavar="OUTDIR", help="Write face_det.png and face_scores.png here.")
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help=f"Threshold to report (default {DEFAULT_THRESHOLD}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        if not directory.is_dir() or not ev.image_files(directory):
            raise CommandError(f"no identity sub-folders with images in {directory}")
        self.stdout.write(f"Detecting and embedding the faces of {len(ev.image_files(directory))} images")
        samples = ev.embed_samples(directory, progress=self._progress)
        pairs = ev.score_pairs(samples)
        self.stdout.write("")
        self.stdout.write(ev.report(samples, pairs, options["threshold"]))
        if options["plots"] is not None:
            for path in ev.write_plots(options["plots"], pairs, options["threshold"]):
                self.stdout.write(f"wrote {path}")

    def _progress(self, done: int, total: int) -> None:
        self.stdout.write(f"{done * 100 // total:>4}%  {done}/{total} images")
