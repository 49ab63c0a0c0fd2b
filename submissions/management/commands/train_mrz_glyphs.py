"""``manage.py train_mrz_glyphs SPECIMEN_DIR``: fit the MRZ glyph discriminant.

Reads every labelled MRZ specimen (``make_specimens``), cuts its glyph cells with the MRZ
reader exactly as reading does, pairs each cell with the true character, adds the rendered
OCR-B templates, and writes ``submissions/pipeline/mrz_glyphs.npz``. Train on one seed and
evaluate on another (``evaluate_documents``) so the reported accuracy is not the training's.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from PIL import Image

from submissions.pipeline import mrz_glyphs
from submissions.pipeline.intake import decode_image
from submissions.pipeline.mrz_reader import MrzReading, read_mrz_text


class Command(BaseCommand):
    help = "Fit the MRZ glyph classifier on glyphs cut from labelled specimen photos."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("specimen_dir", type=Path)
        parser.add_argument("--output", type=Path, default=mrz_glyphs.MODEL_PATH)

    def handle(self, *args: Any, **options: Any) -> None:
        labels_path = options["specimen_dir"] / "labels.jsonl"
        if not labels_path.exists():
            raise CommandError(f"{labels_path} not found: run make_specimens first.")
        rows = [json.loads(line) for line in labels_path.read_text().splitlines() if line.strip()]
        rows = [row for row in rows if row.get("mrz_lines")]
        started = time.perf_counter()
        cells, labels, used = self._collect(options["specimen_dir"], rows)
        template_cells, template_labels = mrz_glyphs.template_training_cells()
        features = mrz_glyphs.cell_features(np.concatenate([cells, template_cells]))
        targets = np.concatenate([labels, template_labels])
        model = mrz_glyphs.fit_discriminant(features, targets)
        accuracy = float((np.argmax(features @ model.weights + model.bias, axis=1) == targets).mean())
        np.savez_compressed(options["output"], weights=model.weights, bias=model.bias)
        self.stdout.write(
            f"{used}/{len(rows)} specimens used, {len(labels)} photographed glyphs + {len(template_labels)} "
            f"templates, training accuracy {accuracy:.4f}, {time.perf_counter() - started:.0f} s -> {options['output']}"
        )

    def _collect(self, directory: Path, rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, int]:
        cells, labels, used = [], [], 0
        for number, row in enumerate(rows, start=1):
            reading = _matching_reading(decode_image((directory / row["file"]).read_bytes()).image, row["mrz_lines"])
            if reading is not None:
                used += 1
                for line_cells, truth in zip(reading.cells, row["mrz_lines"], strict=True):
                    cells.extend(line_cells)
                    labels.extend(mrz_glyphs.ALPHABET.index(char) for char in truth)
            if number % max(1, len(rows) // 10) == 0:
                self.stderr.write(f"{number}/{len(rows)} specimens read, {used} usable")
        return np.stack(cells), np.array(labels), used


def _matching_reading(image: Image.Image, truth: list[str]) -> MrzReading | None:
    """The reading whose cells line up with the true lines (most characters already right)."""
    for candidate in (image, image.transpose(Image.Transpose.ROTATE_90)):
        for reading in read_mrz_text(candidate):
            if len(reading.lines) != len(truth) or len(reading.lines[0]) != len(truth[0]):
                continue
            same = sum(
                a == b for line, want in zip(reading.lines, truth, strict=True) for a, b in zip(line, want, strict=True)
            )
            if same >= 0.6 * sum(len(line) for line in truth):
                return reading
    return None
