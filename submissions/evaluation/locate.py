"""How well ``locate_document`` finds the document in a specimen set (``labels.jsonl``).

Per image: found or not, the corner error (the farthest of the four corners from the label's,
as % of the document's width in the photo, taken over the best of the four corner orders, so
geometry and orientation are scored apart), and whether the corners came in the label's
upright order. For images with an MRZ the locator gets the MRZ reader's first reading as its
anchor (when the reader finds one), as ``document.py`` would. Plain Python: no Django.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from submissions.pipeline.locate import Anchor, anchor_from_reading, locate_document
from submissions.pipeline.mrz_reader import read_mrz_text
from submissions.specimens import LABELS_FILE

WITHIN_PERCENT = 3.0  # a corner error at most this (% of width) counts as located
ALL = "all"


@dataclass(frozen=True)
class LocateRow:
    file: str
    kind: str
    condition: str
    found: bool
    method: str  # "edges", "anchor", "" when not found
    anchored: bool  # an MRZ anchor was given
    error_percent: float | None  # worst corner, % of the document's width; None when not found
    upright: bool  # corners in the label's order (TL first)
    ms: float  # locate_document alone, without the MRZ reading


@dataclass(frozen=True)
class LocateStats:
    images: int
    found: float  # shares, 0–1
    within: float
    upright: float
    upright_anchored: float | None  # among found images that had an anchor
    mean_error: float | None  # % of width, over found images
    p95_error: float | None


def load_quad_labels(directory: Path) -> list[dict]:
    path = directory / LABELS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: make a set with `manage.py make_specimens {directory} --count N`.")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row.get("document_quad")]


def evaluate_locate(
    directory: Path,
    labels: Sequence[dict],
    *,
    use_anchor: bool = True,
    progress: Callable[[int, int, float], None] | None = None,
) -> list[LocateRow]:
    """One row per labelled image; ``progress(done, total, seconds)`` after each tenth."""
    started = time.perf_counter()
    marks = {max(1, round(len(labels) * tenth / 10)) for tenth in range(1, 11)}
    rows = []
    for done, label in enumerate(labels, start=1):
        rows.append(locate_one(directory / label["file"], label, use_anchor=use_anchor))
        if progress is not None and done in marks:
            progress(done, len(labels), time.perf_counter() - started)
    return rows


def locate_one(path: Path, label: dict, *, use_anchor: bool = True) -> LocateRow:
    with Image.open(path) as opened:
        image = opened.convert("RGB")
    anchor = _anchor(image) if use_anchor and label.get("mrz_lines") else None
    started = time.perf_counter()
    quad = locate_document(image, anchor=anchor)
    ms = (time.perf_counter() - started) * 1000
    common = {"file": label["file"], "kind": label["kind"], "condition": label["condition"], "ms": ms}
    if quad is None:
        return LocateRow(
            **common, found=False, method="", anchored=anchor is not None, error_percent=None, upright=False
        )
    error, shift = corner_error(quad.corners, label["document_quad"])
    return LocateRow(
        **common, found=True, method=quad.method, anchored=anchor is not None, error_percent=error, upright=shift == 0
    )


def _anchor(image: Image.Image) -> Anchor | None:
    readings = read_mrz_text(image)
    return anchor_from_reading(readings[0]) if readings else None


def corner_error(found: Sequence[Sequence[float]], truth: Sequence[Sequence[float]]) -> tuple[float, int]:
    """The worst corner's distance as % of the true width, under the best cyclic order of the
    found corners, and that order's shift (0: the found corners start at the true top left)."""
    found_array, truth_array = np.asarray(found, float), np.asarray(truth, float)
    width = (np.linalg.norm(truth_array[1] - truth_array[0]) + np.linalg.norm(truth_array[2] - truth_array[3])) / 2
    errors = [
        float(np.linalg.norm(np.roll(found_array, -shift, axis=0) - truth_array, axis=1).max() / width * 100)
        for shift in range(4)
    ]
    shift = int(np.argmin(errors))
    return errors[shift], shift


def summarise_locate(rows: Sequence[LocateRow]) -> dict[tuple[str, str], LocateStats]:
    """Stats per (kind, condition), per (kind, ALL), per (ALL, condition) and (ALL, ALL)."""
    groups: dict[tuple[str, str], list[LocateRow]] = {}
    for row in rows:
        for key in ((row.kind, row.condition), (row.kind, ALL), (ALL, row.condition), (ALL, ALL)):
            groups.setdefault(key, []).append(row)
    return {key: _stats(members) for key, members in groups.items()}


def _stats(rows: Sequence[LocateRow]) -> LocateStats:
    found = [row for row in rows if row.found]
    errors = [row.error_percent for row in found if row.error_percent is not None]
    anchored = [row for row in found if row.anchored]
    return LocateStats(
        images=len(rows),
        found=len(found) / len(rows),
        within=sum(error <= WITHIN_PERCENT for error in errors) / len(rows),
        upright=sum(row.upright for row in found) / len(rows),
        upright_anchored=sum(row.upright for row in anchored) / len(anchored) if anchored else None,
        mean_error=float(np.mean(errors)) if errors else None,
        p95_error=float(np.percentile(errors, 95)) if errors else None,
    )


def locate_table(stats: dict[tuple[str, str], LocateStats]) -> str:
    """The summary table, one line per kind and condition, then the totals."""
    header = (
        f"{'kind':<10} {'condition':<9} {'images':>6} {'found':>7} {'mean err':>9} {'p95 err':>8} "
        f"{'<=3 %':>7} {'upright':>8} {'upright|MRZ':>12}"
    )
    lines = [header, "-" * len(header)]
    kinds = sorted({kind for kind, _ in stats if kind != ALL}) + [ALL]
    for kind in kinds:
        for condition in sorted({condition for k, condition in stats if k == kind}, key=lambda c: (c == ALL, c)):
            lines.append(_table_line(kind, condition, stats[(kind, condition)]))
    return "\n".join(lines)


def _table_line(kind: str, condition: str, stat: LocateStats) -> str:
    def percent(value: float | None) -> str:
        return "-" if value is None else f"{value * 100:.1f}%"

    def error(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f}%"

    return (
        f"{kind:<10} {condition:<9} {stat.images:>6} {percent(stat.found):>7} {error(stat.mean_error):>9} "
        f"{error(stat.p95_error):>8} {percent(stat.within):>7} {percent(stat.upright):>8} "
        f"{percent(stat.upright_anchored):>12}"
    )


def failures(rows: Sequence[LocateRow]) -> list[str]:
    """One line per image not found, off by more than WITHIN_PERCENT, or anchored but not upright."""
    lines = []
    for row in rows:
        if not row.found:
            lines.append(f"{row.file}: not found")
        elif row.error_percent is not None and row.error_percent > WITHIN_PERCENT:
            lines.append(f"{row.file}: corner error {row.error_percent:.1f} % ({row.method})")
        elif row.anchored and not row.upright:
            lines.append(f"{row.file}: not upright despite the MRZ anchor")
    return lines


def write_error_histogram(outdir: Path, rows: Sequence[LocateRow]) -> Path:
    """``locate_errors.png``: corner errors of found images, clear and harsh overlaid."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / "locate_errors.png"
    figure, axes = plt.subplots(figsize=(9, 5), dpi=110)
    bins = np.linspace(0, 10, 41)
    for condition, colour in (("clear", "tab:blue"), ("harsh", "tab:orange")):
        errors = [min(row.error_percent, 10.0) for row in rows if row.condition == condition and row.found]
        axes.hist(errors, bins=bins, alpha=0.6, color=colour, label=f"{condition} ({len(errors)} found)")
    axes.axvline(WITHIN_PERCENT, color="black", linestyle="--", linewidth=1, label=f"{WITHIN_PERCENT:g} % target")
    axes.set_xlabel("worst corner error, % of document width (10 = 10 or more)")
    axes.set_ylabel("images")
    axes.set_title("locate_document: corner error")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path
