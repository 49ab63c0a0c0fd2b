"""``manage.py evaluate_capture_cues DIR``: how often the capture cues fire, per condition.

``DIR`` is a ``make_specimens`` output, best made with ``--conditions
clear,harsh,screen,photocopy``. Each photo is measured on the document's bounding box from its
label (``--region none``: the whole photo), and the table shows, per condition, the share of
photos each cue flags: on screen and photocopy photos the detection rate, on the others the
false positives. ``--fit`` also fits the logistic curves that turn the measures into
confidences (``capture_cues.SCREEN_FIT`` and ``PHOTOCOPY_FIT``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from PIL import Image

from submissions.pipeline.capture_cues import CaptureMeasures, cues_from, measure_capture
from submissions.specimens import CONDITIONS, LABELS_FILE

CUE_OF_CONDITION = {"screen": "suspected_screen_capture", "photocopy": "suspected_photocopy"}
CODES = tuple(CUE_OF_CONDITION.values())
RIDGE = 1e-3  # keeps the fit finite when the specimens are perfectly separated


class Command(BaseCommand):
    help = "Detection and false-positive rates of the screen and photocopy cues on labelled specimens."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", type=Path, help="A make_specimens output directory.")
        parser.add_argument(
            "--region", choices=("label", "none"), default="label", help="Document box from the label, or none."
        )
        parser.add_argument("--fit", action="store_true", help="Also fit the measure-to-confidence curves.")

    def handle(self, *args: Any, **options: Any) -> None:
        labels_path = options["directory"] / LABELS_FILE
        if not labels_path.is_file():
            raise CommandError(f"{labels_path} not found: run make_specimens first.")
        rows = [json.loads(line) for line in labels_path.read_text(encoding="utf-8").splitlines() if line]
        measured = self._measure(options["directory"], rows, use_label=options["region"] == "label")
        self._table(measured)
        if options["fit"]:
            self._fits(measured)

    def _measure(self, directory: Path, rows: list[dict], *, use_label: bool) -> list[tuple[str, CaptureMeasures]]:
        measured, seconds = [], []
        marks = {max(1, round(len(rows) * tenth / 10)) for tenth in range(1, 11)}
        for done, row in enumerate(rows, start=1):
            with Image.open(directory / row["file"]) as opened:
                image = opened.convert("RGB")
            started = time.perf_counter()
            measured.append((row["condition"], measure_capture(image, _box(row) if use_label else None)))
            seconds.append(time.perf_counter() - started)
            if done in marks:
                self.stdout.write(f"{100 * done // len(rows):3d}%  {done}/{len(rows)} photos")
        self.stdout.write(
            f"capture_cues: {1000 * np.mean(seconds):.1f} ms per photo on average, "
            f"{1000 * np.percentile(seconds, 95):.1f} ms at the 95th percentile"
        )
        return measured

    def _table(self, measured: list[tuple[str, CaptureMeasures]]) -> None:
        self.stdout.write(f"{'condition':<11}{'photos':>7}" + "".join(f"{code:>26}" for code in CODES) + "  rate is")
        for condition in CONDITIONS:
            flagged = [{cue.code for cue in cues_from(m)} for c, m in measured if c == condition]
            if not flagged:
                continue
            cells = "".join(f"{_share(sum(code in codes for codes in flagged), len(flagged)):>26}" for code in CODES)
            meaning = "detection" if condition in CUE_OF_CONDITION else "false positives"
            self.stdout.write(f"{condition:<11}{len(flagged):>7}{cells}  {meaning}")

    def _fits(self, measured: list[tuple[str, CaptureMeasures]]) -> None:
        for condition, code in CUE_OF_CONDITION.items():
            name = "grid_peak" if condition == "screen" else "chroma_spread"
            values = np.array([getattr(m, name) for _, m in measured])
            truth = np.array([c == condition for c, _ in measured], dtype=float)
            slope, offset = fit_logistic(values, truth)
            self.stdout.write(f"{code}: {name} fit (slope, offset) = ({slope:.3f}, {offset:.3f})")


def fit_logistic(values: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """Slope and offset of P(truth | value) = 1 / (1 + exp(-(slope * value + offset))), by
    Newton's method on the log-likelihood with a small ridge; the two classes weigh equally."""
    weights = np.where(truth == 1, 0.5 / max(truth.sum(), 1), 0.5 / max((1 - truth).sum(), 1))
    centre, scale = values.mean(), values.std() or 1.0
    design = np.column_stack([(values - centre) / scale, np.ones_like(values)])
    theta = np.zeros(2)
    for _ in range(100):
        chance = 1 / (1 + np.exp(-design @ theta))
        gradient = design.T @ (weights * (chance - truth)) + RIDGE * np.array([theta[0], 0.0])
        hessian = design.T @ (design * (weights * chance * (1 - chance))[:, None]) + RIDGE * np.diag([1.0, 0.0])
        theta -= np.linalg.solve(hessian, gradient)
    slope = theta[0] / scale
    return float(slope), float(theta[1] - slope * centre)


def _box(row: dict) -> tuple[int, int, int, int]:
    """The bounding box (x, y, width, height) of the labelled document quad."""
    corners = np.array(row["document_quad"])
    left, top = corners.min(axis=0)
    right, bottom = corners.max(axis=0)
    return int(left), int(top), int(right - left), int(bottom - top)


def _share(count: int, total: int) -> str:
    return f"{count}/{total} {100 * count / total:5.1f}%"
