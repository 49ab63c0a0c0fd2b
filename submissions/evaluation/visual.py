"""The visual zone measured: printed fields checked against the machine-readable ones.

Pages that print their fields beside an MRZ (td3, td2, visas) are checked against their own
MRZ; card fronts (td1_front, dl_front) against the reading of their back in the same set.
A genuine document should have every field ``match``; a forged one (``make_specimens
--forged``: the printed name or birth date differs from the MRZ/barcode) should raise
``mrz_visual_mismatch`` or ``barcode_front_mismatch``. A flag on a genuine document is a false
alarm, the error that costs real users.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from submissions.evaluation.labels import Label
from submissions.evaluation.summary import ALL, pct, pct_text, percentile
from submissions.pipeline.document import DocumentReading
from submissions.specimens import CONDITIONS

VISUAL_KINDS = ("td3", "td2", "mrva", "mrvb", "td1_front", "dl_front")
FRONT_KINDS = ("td1_front", "dl_front")
MISMATCH_CODES = frozenset({"mrz_visual_mismatch", "barcode_front_mismatch"})


@dataclass(frozen=True)
class VisualRow:
    file: str
    kind: str
    condition: str
    forged: str | None  # the field the specimen's printing changes, None when genuine
    statuses: dict[str, str]  # field → match / mismatch / unread
    flagged: bool  # a mismatch warning was raised
    ms: float | None  # the engine's visual step
    detail: str

    @property
    def all_match(self) -> bool:
        return bool(self.statuses) and all(status == "match" for status in self.statuses.values())

    def as_json(self) -> dict[str, Any]:
        return {**self.__dict__, "all_match": self.all_match}


def score_visual(label: Label, reading: DocumentReading | None) -> VisualRow:
    visual = reading.visual if reading is not None else None
    statuses = {check.field: check.status for check in visual.checks} if visual is not None else {}
    flags = [warning for warning in reading.warnings if warning.code in MISMATCH_CODES] if reading else []
    ms = reading.timing_ms.get("visual") if reading is not None else None
    detail = flags[0].detail if flags else ", ".join(f"{field} {s}" for field, s in statuses.items() if s != "match")
    return VisualRow(label.file, label.kind, label.condition, label.forged, statuses, bool(flags), ms, detail)


@dataclass(frozen=True)
class VisualStats:
    n: int
    genuine: int
    all_match: int  # genuine documents with every field matched
    false_alarms: int  # genuine documents flagged
    forged: int
    caught: int  # forged documents flagged
    p50_ms: float | None
    p95_ms: float | None

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def visual_stats(rows: Sequence[VisualRow]) -> VisualStats:
    genuine = [row for row in rows if row.forged is None]
    forged = [row for row in rows if row.forged is not None]
    latencies = [row.ms for row in rows if row.ms is not None]
    return VisualStats(
        n=len(rows),
        genuine=len(genuine),
        all_match=sum(row.all_match for row in genuine),
        false_alarms=sum(row.flagged for row in genuine),
        forged=len(forged),
        caught=sum(row.flagged for row in forged),
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
    )


def summarise_visual(rows: Sequence[VisualRow]) -> list[tuple[str, str, VisualStats]]:
    groups = []
    for kind in [kind for kind in VISUAL_KINDS if any(row.kind == kind for row in rows)]:
        for condition in CONDITIONS:
            chosen = [row for row in rows if row.kind == kind and row.condition == condition]
            if chosen:
                groups.append((kind, condition, visual_stats(chosen)))
    for condition in CONDITIONS:
        chosen = [row for row in rows if row.condition == condition]
        if chosen:
            groups.append((ALL, condition, visual_stats(chosen)))
    if rows:
        groups.append((ALL, ALL, visual_stats(rows)))
    return groups


def format_visual_table(groups: Sequence[tuple[str, str, VisualStats]]) -> list[str]:
    lines = [
        f"{'kind':10} {'condition':9} {'genuine':>7} {'all match %':>11} {'false alarms':>12} "
        f"{'forged':>6} {'caught %':>8} {'p50 ms':>7} {'p95 ms':>7}"
    ]
    for kind, condition, stats in groups:
        lines.append(
            f"{kind:10} {condition:9} {stats.genuine:7d} {pct_text(pct(stats.all_match, stats.genuine)):>11} "
            f"{stats.false_alarms:12d} {stats.forged:6d} {pct_text(pct(stats.caught, stats.forged)):>8} "
            f"{_ms(stats.p50_ms):>7} {_ms(stats.p95_ms):>7}"
        )
    return lines


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"
