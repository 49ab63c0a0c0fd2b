"""The PNG plots of a run (matplotlib, Agg backend): latency histogram and exact % per group."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from submissions.evaluation.labels import MRZ
from submissions.evaluation.scoring import Row
from submissions.evaluation.summary import ALL, Stats, find_group, percentile, summarise


def write_plots(outdir: Path, rows: Sequence[Row], baseline_rows: Sequence[Row] = ()) -> list[Path]:
    """``latency.png`` (histogram, log-x, baseline overlaid) and ``accuracy.png`` (exact % per
    kind × condition, ours beside the baseline). Needs matplotlib; uses the Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outdir.mkdir(parents=True, exist_ok=True)
    paths = [_latency_plot(plt, outdir / "latency.png", rows, baseline_rows)]
    paths.append(_accuracy_plot(plt, outdir / "accuracy.png", rows, baseline_rows))
    return paths


def _latency_plot(plt: Any, path: Path, rows: Sequence[Row], baseline_rows: Sequence[Row]) -> Path:
    from matplotlib.ticker import MaxNLocator

    series = [(f"ours ({len(rows)} images)", [row.ms for row in rows], "tab:blue")]
    if baseline_rows:
        series.append(
            (f"PassportEye ({len(baseline_rows)} MRZ images)", [row.ms for row in baseline_rows], "tab:orange")
        )
    values = [value for _, data, _ in series for value in data if value > 0] or [1.0]
    low, high = max(1.0, min(values) * 0.8), max(values) * 1.25
    bins = [low * (high / low) ** (i / 40) for i in range(41)]
    figure, axes = plt.subplots(figsize=(9, 5), dpi=110)
    for name, data, colour in series:
        median = percentile(data, 50)
        label = name if median is None else f"{name}, p50 {median:.0f} ms"
        axes.hist(data, bins=bins, alpha=0.65, label=label, color=colour, edgecolor="white", linewidth=0.4)
        if median is not None:
            axes.axvline(median, color=colour, linestyle="--", linewidth=1.3)
    axes.axvline(300, color="dimgrey", linestyle=":", linewidth=1.2, label="target p50 300 ms")
    axes.set_xscale("log")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("read time per image, ms (wall clock, log scale); dashed: p50")
    axes.set_ylabel("images")
    axes.set_title("Document read latency")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize=8.5, frameon=False)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


def _accuracy_plot(plt: Any, path: Path, rows: Sequence[Row], baseline_rows: Sequence[Row]) -> Path:
    groups = [group for group in summarise(rows) if group.kind not in (MRZ, ALL)]
    baseline_groups = summarise(baseline_rows) if baseline_rows else []
    width = 0.4 if baseline_rows else 0.6
    shift = width / 2 if baseline_rows else 0.0
    positions = list(range(len(groups)))
    figure, axes = plt.subplots(figsize=(max(7.0, 0.9 * len(groups) + 2), 5), dpi=110)
    bars = axes.bar([p - shift for p in positions], [g.stats.exact_pct or 0.0 for g in groups], width, label="ours")
    _label_bars(axes, bars, [group.stats for group in groups])
    if baseline_rows:
        found = [find_group(baseline_groups, group.kind, group.condition) for group in groups]
        heights = [(item.stats.exact_pct or 0.0) if item else 0.0 for item in found]
        bars = axes.bar([p + shift for p in positions], heights, width, label="PassportEye", color="tab:orange")
        _label_bars(axes, bars, [item.stats if item else None for item in found])
    ticks = [f"{group.kind}\n{group.condition}\nn={group.stats.n}" for group in groups]
    axes.set_xticks(positions, ticks, fontsize=8.5)
    axes.set_ylim(0, 125)
    axes.set_yticks(range(0, 101, 20))
    axes.axhline(100, color="grey", linewidth=0.6)
    axes.set_ylabel("exact % (MRZ lines / PDF417 bytes)")
    axes.set_title("Exact reads per kind and capture condition")
    axes.legend(loc="upper right", ncol=2, fontsize=9)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


def _label_bars(axes: Any, bars: Any, values: Sequence[Stats | None]) -> None:
    for bar, value in zip(bars, values, strict=True):
        if value is None:
            continue
        axes.annotate(
            f"{value.exact_pct or 0:.0f}",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            fontsize=8,
        )
