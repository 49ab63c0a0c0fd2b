"""One evaluation run: read every labelled image with ours and the baseline, and score each."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from submissions.evaluation.labels import MRZ, Label
from submissions.evaluation.passporteye import PASSPORTEYE, MrzGuess
from submissions.evaluation.scoring import Row, score_mrz, score_reading
from submissions.evaluation.visual import FRONT_KINDS, VISUAL_KINDS, VisualRow, score_visual
from submissions.pipeline.document import DocumentReading, read_document


@dataclass(frozen=True)
class Evaluation:
    rows: list[Row]  # ours, one per evaluated image
    baseline_rows: list[Row]  # the baseline's, one per MRZ image (empty without a baseline)
    skipped: int  # labelled images without a machine-readable zone
    seconds: float
    visual_rows: list[VisualRow] = field(default_factory=list)  # one per image with a visual zone


def evaluate(
    directory: Path,
    labels: Sequence[Label],
    *,
    today: dt.date,
    read: Callable[..., DocumentReading] = read_document,
    baseline: Callable[[Path], MrzGuess] | None = None,
    baseline_name: str = PASSPORTEYE,
    progress: Callable[[int, int, float], None] | None = None,
) -> Evaluation:
    """Read every image with a zone, ours then the baseline on the same image, and score it;
    card fronts are read with their back's reading, for the visual cross-check.

    ``progress(done, total, seconds)`` is called after each tenth of the images. An engine
    that raises on an image gets a failure row with the error, and the run goes on.
    """
    started = time.perf_counter()
    todo = [label for label in labels if label.zone or label.kind in FRONT_KINDS]
    marks = {max(1, round(len(todo) * tenth / 10)) for tenth in range(1, 11)}
    rows: list[Row] = []
    baseline_rows: list[Row] = []
    visual_rows: list[VisualRow] = []
    backs: dict[str, DocumentReading] = {}
    for done, label in enumerate(todo, start=1):
        path = directory / label.file
        reading, ms, error = _read_ours(path.read_bytes(), read, today, backs.get(label.document))
        if label.zone:
            # The MRZ/PDF417 read is timed without the visual zone, which has its own table.
            visual_ms = reading.timing_ms.get("visual", 0.0) if reading is not None else 0.0
            rows.append(score_reading(label, reading, ms - visual_ms, error=error))
            if reading is not None:
                backs[label.document] = reading
        if label.kind in VISUAL_KINDS:
            visual_rows.append(score_visual(label, reading))
        if baseline is not None and label.zone == MRZ:
            baseline_rows.append(_read_baseline(label, path, baseline, baseline_name))
        if progress is not None and done in marks:
            progress(done, len(todo), time.perf_counter() - started)
    skipped = len(labels) - len(todo)
    return Evaluation(rows, baseline_rows, skipped, time.perf_counter() - started, visual_rows)


def _read_ours(
    data: bytes, read: Callable[..., DocumentReading], today: dt.date, back: DocumentReading | None
) -> tuple[DocumentReading | None, float, str | None]:
    """The reading, the wall-clock milliseconds, and the error when the engine raised."""
    started = time.perf_counter()
    try:
        reading = read(data, today=today, other_side=back) if back is not None else read(data, today=today)
    except Exception as exc:  # a measurement: one crash is a failure row, not the end of the run
        return None, (time.perf_counter() - started) * 1000, _error(exc)
    return reading, (time.perf_counter() - started) * 1000, None


def _read_baseline(label: Label, path: Path, baseline: Callable[[Path], MrzGuess], name: str) -> Row:
    started = time.perf_counter()
    try:
        guess, error = baseline(path), None
    except Exception as exc:  # same as ours
        guess, error = MrzGuess(lines=None, valid=False, fields=None), _error(exc)
    ms = (time.perf_counter() - started) * 1000
    return score_mrz(
        label,
        reader=name,
        lines=guess.lines,
        valid=guess.valid,
        fields=guess.fields,
        ms=ms,
        read_kind=guess.kind,
        error=error,
    )


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]
