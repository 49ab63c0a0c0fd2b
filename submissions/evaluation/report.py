"""The text report and the JSON: summary table, comparison, targets, failure list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from submissions.evaluation.labels import MRZ
from submissions.evaluation.passporteye import PASSPORTEYE
from submissions.evaluation.run import Evaluation
from submissions.evaluation.scoring import OURS, Row
from submissions.evaluation.summary import (
    ALL,
    Comparison,
    Group,
    Stats,
    Target,
    compare,
    find_group,
    ms_text,
    pct_text,
    summarise,
    targets,
)
from submissions.evaluation.visual import summarise_visual

FAILURES_SHOWN = 30
BASELINE_FALSE_ACCEPTS_SHOWN = 10

_STATS_COLUMNS = (("n", 5), ("exact%", 8), ("fields%", 8), ("valid%", 7), ("FA", 4), ("p50 ms", 8), ("p95 ms", 8))
_STATS_WIDTH = sum(width for _, width in _STATS_COLUMNS)
_KEY_WIDTH = 9, 10


def _stats_cells(value: Stats | None) -> str:
    if value is None:
        return " " * _STATS_WIDTH
    cells = (
        str(value.n),
        pct_text(value.exact_pct),
        pct_text(value.fields_pct),
        pct_text(value.valid_pct),
        str(value.false_accepts),
        ms_text(value.p50_ms),
        ms_text(value.p95_ms),
    )
    return "".join(f"{cell:>{width}}" for cell, (_, width) in zip(cells, _STATS_COLUMNS, strict=True))


def format_table(groups: Sequence[Group], baseline: Sequence[Group] | None = None) -> list[str]:
    """The summary table, aligned; the baseline's columns beside ours when given."""
    columns = "".join(f"{name:>{width}}" for name, width in _STATS_COLUMNS)
    separator = "  │ " if baseline is not None else ""
    header = f"{'kind':<{_KEY_WIDTH[0]}}{'condition':<{_KEY_WIDTH[1]}}" + columns
    lines = []
    if baseline is not None:
        header += separator + columns
        lines.append(" " * sum(_KEY_WIDTH) + f"{OURS:^{_STATS_WIDTH}}" + separator + f"{PASSPORTEYE:^{_STATS_WIDTH}}")
    rule = "─" * len(header)
    lines += [header, rule]
    previous: Group | None = None
    for group in groups:
        if previous is not None and (group.kind in (MRZ, ALL)) != (previous.kind in (MRZ, ALL)):
            lines.append(rule)  # the totals start
        previous = group
        kind = "MRZ" if group.kind == MRZ else group.kind
        text = f"{kind:<{_KEY_WIDTH[0]}}{group.condition:<{_KEY_WIDTH[1]}}" + _stats_cells(group.stats)
        if baseline is not None:
            # The baseline reads MRZs only: its "all" rows would repeat its MRZ rows.
            other = find_group(baseline, group.kind, group.condition) if group.kind != ALL else None
            text += separator + _stats_cells(other.stats if other else None)
        lines.append(text.rstrip())
    return lines


TABLE_LEGEND = (
    "exact% = MRZ lines (MRZ kinds) or PDF417 bytes (dl_back) exactly as printed; fields% = every normalised field",
    "equal to the label; valid% = MRZ check digits all pass; FA = false accepts (check digits pass, a field is",
    "wrong); p50/p95 = wall-clock ms per image.",
)


def format_overall(groups: Sequence[Group], evaluation: Evaluation) -> str:
    overall = find_group(groups, ALL, ALL)
    if overall is None:
        return "Nothing was read."
    return (
        f"Overall read time: p50 {ms_text(overall.stats.p50_ms)} ms, p95 {ms_text(overall.stats.p95_ms)} ms over "
        f"{overall.stats.n} images ({evaluation.skipped} skipped; {evaluation.seconds:.0f} s for the whole run)."
    )


def format_false_accepts(evaluation: Evaluation) -> str:
    text = f"FALSE ACCEPTS (check digits valid, a field wrong): ours {sum(r.false_accept for r in evaluation.rows)}"
    if evaluation.baseline_rows:
        text += f", PassportEye {sum(row.false_accept for row in evaluation.baseline_rows)}"
    return text


def format_comparison(comparison: Comparison) -> list[str]:
    ours, base = comparison.ours, comparison.baseline
    ratio = comparison.speed_ratio
    return [
        f"Same {comparison.images} MRZ images, ours vs PassportEye:",
        f"  speed:        p50 {ms_text(base.p50_ms)} ms / {ms_text(ours.p50_ms)} ms = "
        + ("–" if ratio is None else f"{ratio:.1f}× faster" if ratio >= 1 else f"{1 / ratio:.1f}× slower"),
        f"  MRZ lines:    {pct_text(ours.exact_pct)} % vs {pct_text(base.exact_pct)} % "
        f"({_points_text(comparison.exact_points)})",
        f"  fields:       {pct_text(ours.fields_pct)} % vs {pct_text(base.fields_pct)} % "
        f"({_points_text(comparison.fields_points)})",
        f"  false accepts: {ours.false_accepts} vs {base.false_accepts}",
    ]


def _points_text(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1f} points"


def format_targets(found: Sequence[Target]) -> list[str]:
    width = max(len(target.name) for target in found)
    verdicts = {True: "met", False: "NOT MET", None: "not measured"}
    return [
        f"  {target.name:<{width}}  {target.goal:<12} {target.measured:>14}  {verdicts[target.met]}" for target in found
    ]


def failures(rows: Sequence[Row]) -> list[Row]:
    """Failed rows, false accepts first, then in file order."""
    failed = [row for row in rows if not row.ok]
    return sorted(failed, key=lambda row: not row.false_accept)


def format_failures(rows: Sequence[Row], limit: int = FAILURES_SHOWN) -> list[str]:
    failed = failures(rows)
    if not failed:
        return []
    file_width = max(len(row.file) for row in failed[:limit])
    lines = []
    for row in failed[:limit]:
        flag = "  FALSE ACCEPT" if row.false_accept else ""
        degradations = " ".join(row.degradations) or "-"
        lines.append(
            f"  {row.file:<{file_width}}  {row.kind:<8} {row.condition:<6} read as {row.read_kind or '-':<12}"
            f"{row.difference or ''}{flag}"
        )
        lines.append(f"      degradations: {degradations}")
        if row.error is None:
            lines.append(f"      read:     {row.read}")
            lines.append(f"      expected: {row.expected}")
    if len(failed) > limit:
        lines.append(f"  … and {len(failed) - limit} more (all in --json)")
    return lines


def results_json(
    *,
    directory: Path,
    today: dt.date,
    evaluation: Evaluation,
    baseline_name: str | None,
) -> dict[str, Any]:
    groups = summarise(evaluation.rows)
    baseline_groups = summarise(evaluation.baseline_rows) if evaluation.baseline_rows else None
    comparison = compare(evaluation.rows, evaluation.baseline_rows)
    return {
        "directory": str(directory),
        "today": today.isoformat(),
        "images": len(evaluation.rows),
        "skipped": evaluation.skipped,
        "seconds": round(evaluation.seconds, 1),
        "baseline": baseline_name if evaluation.baseline_rows else None,
        "summary": {
            OURS: [group.as_json() for group in groups],
            "baseline": [group.as_json() for group in baseline_groups] if baseline_groups else None,
        },
        "comparison": comparison.as_json() if comparison else None,
        "targets": [asdict(target) for target in targets(groups, comparison)],
        "rows": [row.as_json() for row in [*evaluation.rows, *evaluation.baseline_rows]],
        "visual": {
            "summary": [
                {"kind": kind, "condition": condition, **stats.as_json()}
                for kind, condition, stats in summarise_visual(evaluation.visual_rows)
            ],
            "rows": [row.as_json() for row in evaluation.visual_rows],
        },
    }
