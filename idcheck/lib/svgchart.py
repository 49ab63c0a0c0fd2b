"""Small server-rendered SVG charts: stacked columns over days and horizontal bars.

Plain Python to markup (no JavaScript, no CDN), so a chart works under the dashboard's strict
Content-Security-Policy and prints. Colours are presentation attributes, not ``style``, which
that policy would block. Every chart carries a ``<title>`` and ``<desc>``; the page still shows
the numbers in a table beneath it, since a picture of bars is not readable by everyone.
Text is escaped here: the markup returned is safe to put in a page as it is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#1b7f3b", "#c62828", "#9a6700", "#5d6878", "#1f5eff", "#7b3fa0")
INK, MUTED, GRID = "#1b2330", "#5d6878", "#dde3ea"
FONT = 'font-family="system-ui, sans-serif" font-size="11"'


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    colour: str = ""


def nice_ceiling(value: float) -> tuple[float, float]:
    """The axis top and tick step for data up to ``value``: steps of 1, 2 or 5 times a power of
    ten, four or five of them, so the labels are round numbers."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return step * math.ceil(value / step), step


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _frame(width: int, height: int, title: str, description: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" {FONT}>'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>{''.join(body)}</svg>"
    )


def stacked_columns(
    labels: Sequence[str], series: Sequence[Series], *, title: str, width: int = 720, height: int = 260
) -> str:
    """One column per label, each series stacked in order, with a y axis, x labels (thinned to
    fit) and a legend."""
    left, right, top, bottom = 44, 8, 24, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    axis_top, step = nice_ceiling(max(totals, default=0))
    body = _y_axis(left, top, plot_w, plot_h, axis_top, step)
    slot = plot_w / max(len(labels), 1)
    bar = max(slot * 0.7, 1)
    every = max(1, math.ceil(len(labels) / (plot_w / 48)))
    for i, label in enumerate(labels):
        x = left + i * slot + (slot - bar) / 2
        base = top + plot_h
        for n, one in enumerate(series):
            value = one.values[i]
            if value <= 0:
                continue
            h = plot_h * value / axis_top
            base -= h
            colour = one.colour or PALETTE[n % len(PALETTE)]
            body.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(label)}: {escape(one.name)} {_number(value)}</title></rect>"
            )
        if i % every == 0:
            body.append(
                f'<text x="{x + bar / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle" fill="{MUTED}">'
                f"{escape(label)}</text>"
            )
    body.extend(_legend(series, left, height - 10))
    description = f"{len(labels)} columns, {', '.join(s.name for s in series)} stacked; largest total {_number(max(totals, default=0))}."
    return _frame(width, height, title, description, body)


def horizontal_bars(
    items: Sequence[tuple[str, float]], *, title: str, width: int = 720, colour: str = PALETTE[4]
) -> str:
    """One labelled bar per item, top to bottom in the order given, with its value at its end."""
    # About 6.5 px a character at 11 px: room for the longest label, up to half the width.
    label_w = min(max((len(label) for label, _ in items), default=0) * 6.5 + 12, width / 2)
    row, top = 24, 8
    plot_w = width - label_w - 60
    height = top * 2 + row * max(len(items), 1)
    largest = max((value for _, value in items), default=0) or 1
    body = []
    for i, (label, value) in enumerate(items):
        y = top + i * row
        w = plot_w * value / largest
        body.append(
            f'<text x="{label_w - 6:.1f}" y="{y + 16}" text-anchor="end" fill="{INK}">{escape(label)}</text>'
            f'<rect x="{label_w:.1f}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" fill="{colour}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 16}" fill="{MUTED}">{_number(value)}</text>'
        )
    description = "; ".join(f"{label}: {_number(value)}" for label, value in items) or "No data."
    return _frame(width, height, title, description, body)


def _y_axis(left: int, top: int, plot_w: int, plot_h: int, axis_top: float, step: float) -> list[str]:
    parts = []
    ticks = round(axis_top / step)
    for t in range(ticks + 1):
        value = step * t
        y = top + plot_h - plot_h * value / axis_top
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{_number(value)}</text>'
        )
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{MUTED}"/>')
    return parts


def _legend(series: Sequence[Series], x: int, y: int) -> list[str]:
    parts = []
    for n, one in enumerate(series):
        colour = one.colour or PALETTE[n % len(PALETTE)]
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{y}" fill="{INK}">{escape(one.name)}</text>'
        )
        x += 24 + 7 * len(one.name)
    return parts
