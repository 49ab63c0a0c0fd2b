"""Aggregation of scored rows: percentiles, stats per kind and condition, ours vs the baseline, the targets of issue 3."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from submissions.evaluation.labels import MRZ
from submissions.evaluation.scoring import Row
from submissions.specimens import CONDITIONS, KINDS

ALL = "all"


def percentile(values: Iterable[float], q: float) -> float | None:
    """The ``q``-th percentile (0–100), linear between ranks like numpy's default; None if empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def pct(count: int, n: int) -> float | None:
    return 100 * count / n if n else None


@dataclass(frozen=True)
class Stats:
    n: int
    exact: int
    fields_exact: int
    mrz: int  # images with an MRZ, the ones check digits apply to
    valid: int  # MRZ readings whose check digits all pass
    false_accepts: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None

    @property
    def exact_pct(self) -> float | None:
        return pct(self.exact, self.n)

    @property
    def fields_pct(self) -> float | None:
        return pct(self.fields_exact, self.n)

    @property
    def valid_pct(self) -> float | None:
        return pct(self.valid, self.mrz)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["exact_pct"] = _round(self.exact_pct, 2)
        data["fields_pct"] = _round(self.fields_pct, 2)
        data["valid_pct"] = _round(self.valid_pct, 2)
        data["p50_ms"], data["p95_ms"] = _round(self.p50_ms, 1), _round(self.p95_ms, 1)
        return data


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def stats(rows: Sequence[Row]) -> Stats:
    latencies = [row.ms for row in rows]
    return Stats(
        n=len(rows),
        exact=sum(row.exact for row in rows),
        fields_exact=sum(row.fields_exact for row in rows),
        mrz=sum(row.zone == MRZ for row in rows),
        valid=sum(row.valid is True for row in rows),
        false_accepts=sum(row.false_accept for row in rows),
        errors=sum(row.error is not None for row in rows),
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
    )


@dataclass(frozen=True)
class Group:
    kind: str  # a label kind; "mrz" for every MRZ kind together; "all"
    condition: str  # clear, harsh, all
    stats: Stats

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "condition": self.condition, **self.stats.as_json()}


def _ordered(values: Iterable[str], order: Sequence[str]) -> list[str]:
    present = set(values)
    return [value for value in order if value in present] + sorted(present - set(order))


def summarise(rows: Sequence[Row]) -> list[Group]:
    """Kind × condition, then MRZ kinds together per condition, then everything per condition
    and overall. Empty groups are left out."""
    kinds = _ordered((row.kind for row in rows), KINDS)
    conditions = _ordered((row.condition for row in rows), CONDITIONS)
    groups = []
    selections: list[tuple[str, str, Callable[[Row], bool]]] = [
        (kind, condition, lambda row, k=kind, c=condition: row.kind == k and row.condition == c)
        for kind in kinds
        for condition in conditions
    ]
    selections += [(MRZ, c, lambda row, c=c: row.zone == MRZ and row.condition == c) for c in conditions]
    selections += [(ALL, c, lambda row, c=c: row.condition == c) for c in conditions]
    selections.append((ALL, ALL, lambda row: True))
    for kind, condition, keep in selections:
        chosen = [row for row in rows if keep(row)]
        if chosen:
            groups.append(Group(kind, condition, stats(chosen)))
    return groups


def find_group(groups: Sequence[Group], kind: str, condition: str) -> Group | None:
    return next((group for group in groups if group.kind == kind and group.condition == condition), None)


@dataclass(frozen=True)
class Comparison:
    """Ours and the baseline on the same MRZ images."""

    images: int
    ours: Stats
    baseline: Stats

    @property
    def speed_ratio(self) -> float | None:
        """Baseline p50 / ours p50: how many times faster ours is."""
        if not self.ours.p50_ms or self.baseline.p50_ms is None:
            return None
        return self.baseline.p50_ms / self.ours.p50_ms

    @property
    def exact_points(self) -> float | None:
        """Ours minus the baseline, in percentage points of MRZ lines exact."""
        return _difference(self.ours.exact_pct, self.baseline.exact_pct)

    @property
    def fields_points(self) -> float | None:
        return _difference(self.ours.fields_pct, self.baseline.fields_pct)

    def as_json(self) -> dict[str, Any]:
        return {
            "images": self.images,
            "ours": self.ours.as_json(),
            "baseline": self.baseline.as_json(),
            "speed_ratio": _round(self.speed_ratio, 2),
            "exact_points": _round(self.exact_points, 2),
            "fields_points": _round(self.fields_points, 2),
        }


def _difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def compare(rows: Sequence[Row], baseline_rows: Sequence[Row]) -> Comparison | None:
    if not baseline_rows:
        return None
    files = {row.file for row in baseline_rows}
    same = [row for row in rows if row.file in files]
    return Comparison(len(baseline_rows), stats(same), stats(baseline_rows))


@dataclass(frozen=True)
class Target:
    name: str
    goal: str
    measured: str
    met: bool | None  # None: not measured in this run


def targets(groups: Sequence[Group], comparison: Comparison | None) -> list[Target]:
    """The measurable targets of issue 3 against this run."""
    found: list[Target] = []

    def share(kind: str, condition: str, name: str, minimum: float) -> None:
        group = find_group(groups, kind, condition)
        value = group.stats.exact_pct if group else None
        goal = "= 100 %" if minimum == 100 else f"≥ {minimum:g} %"
        found.append(Target(name, goal, pct_text(value), None if value is None else value >= minimum))

    share(MRZ, "clear", "MRZ lines exact, clear", 99)
    share(MRZ, "harsh", "MRZ lines exact, harsh", 95)
    share("dl_back", "clear", "PDF417 exact, clear", 100)
    share("dl_back", "harsh", "PDF417 exact, harsh", 95)
    overall = find_group(groups, ALL, ALL)
    p50 = overall.stats.p50_ms if overall else None
    found.append(Target("p50 read time", "≤ 300 ms", ms_text(p50), None if p50 is None else p50 <= 300))
    if comparison is not None:
        ratio = comparison.speed_ratio
        found.append(
            Target(
                "faster than PassportEye",
                "≥ 5×",
                "–" if ratio is None else f"{ratio:.1f}×",
                None if ratio is None else ratio >= 5,
            )
        )
        points = comparison.exact_points
        found.append(
            Target(
                "MRZ accuracy vs PassportEye",
                "≥ +0 points",
                "–" if points is None else f"{points:+.1f} points",
                None if points is None else points >= 0,
            )
        )
    false_accepts = overall.stats.false_accepts if overall else 0
    found.append(Target("false accepts", "0", str(false_accepts), false_accepts == 0))
    return found


def pct_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def ms_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"
