"""Liveness evaluation: ISO/IEC 30107-3 error rates on a ``make_liveness_set`` folder.

* APCER per attack kind (print, screen, replay): the share of attack presentations of that
  kind accepted as bona fide (decision ``passed``).
* BPCER: the share of bona-fide presentations not accepted (decision other than ``passed``).

Each session is checked as the server checks an upload (``check_liveness`` with the stored
plan, the nonce sent back and the arrival time), so the rates include the active challenge.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from submissions.evaluation.liveness_set import ATTACKS, KINDS, LABELS
from submissions.pipeline.liveness import ChallengePlan, Frame, LivenessResult, check_liveness


@dataclass(frozen=True)
class Scored:
    session: str
    kind: str
    result: LivenessResult
    frames: int


def load_session(folder: Path) -> tuple[ChallengePlan, list[Frame], str, int]:
    """The stored plan, the frames (named ``<t_ms>.jpg``), the nonce sent back and the arrival time."""
    plan = ChallengePlan.from_json(json.loads((folder / "plan.json").read_text(encoding="utf-8")))
    upload = json.loads((folder / "upload.json").read_text(encoding="utf-8"))
    frames = read_frames(sorted((folder / "frames").glob("*.jpg"), key=lambda p: int(p.stem)))
    return plan, frames, str(upload["nonce"]), int(upload["received_at"])


def read_frames(paths: Sequence[Path]) -> list[Frame]:
    return [Frame(int(path.stem), path.read_bytes()) for path in paths]


def evaluate(directory: Path, progress: Callable[[int, int], None] | None = None) -> list[Scored]:
    rows = [json.loads(line) for line in (directory / LABELS).read_text(encoding="utf-8").splitlines() if line]
    scored = []
    for done, row in enumerate(rows, start=1):
        plan, frames, nonce, received = load_session(directory / row["session"])
        result = check_liveness(None, frames, plan, now=received, nonce=nonce)
        scored.append(Scored(row["session"], row["kind"], result, len(frames)))
        if progress:
            progress(done, len(rows))
    return scored


def error_rates(scored: Sequence[Scored]) -> list[dict]:
    """One row per kind: n, errors, the rate (APCER for attacks, BPCER for bona fide) and the
    cues that refused most often."""
    table = []
    for kind in KINDS:
        items = [item for item in scored if item.kind == kind]
        if not items:
            continue
        errors = sum((item.result.decision == "passed") == (kind in ATTACKS) for item in items)
        deciding: dict[str, int] = {}
        for item in items:
            for cue in item.result.deciding:
                deciding[cue.code] = deciding.get(cue.code, 0) + 1
        top = sorted(deciding.items(), key=lambda pair: -pair[1])[:4]
        name = "APCER" if kind in ATTACKS else "BPCER"
        table.append({"kind": kind, "n": len(items), "errors": errors, "metric": name,
                      "rate_pct": 100 * errors / len(items), "deciding": top})  # fmt: skip
    return table


def worst_apcer(table: Sequence[dict]) -> dict | None:
    """The APCER row of the worst attack kind: ISO/IEC 30107-3's headline figure (a system is
    as weak as the species that fools it most); ``None`` without attack presentations."""
    attacks = [row for row in table if row["metric"] == "APCER"]
    return max(attacks, key=lambda row: (row["rate_pct"], row["kind"])) if attacks else None


def bpcer_at_apcer(scored: Sequence[Scored], *, apcer: float) -> tuple[float, float] | None:
    """(score threshold, BPCER) when a presentation is accepted at ``score >= threshold`` and the
    threshold is the lowest that keeps every attack kind's APCER at or below ``apcer`` (a share,
    0–1): the usual "BPCER at APCER = 5 %" operating point. ``None`` without both bona-fide and
    attack presentations. The bar is above every score when nothing lower meets the target."""
    bona_fide = [item.result.score for item in scored if item.kind not in ATTACKS]
    attacks = {kind: [item.result.score for item in scored if item.kind == kind] for kind in ATTACKS}
    attacks = {kind: scores for kind, scores in attacks.items() if scores}
    if not bona_fide or not attacks:
        return None
    candidates = sorted({item.result.score for item in scored}) + [float("inf")]
    for threshold in candidates:
        worst = max(sum(score >= threshold for score in scores) / len(scores) for scores in attacks.values())
        if worst <= apcer:
            return threshold, sum(score < threshold for score in bona_fide) / len(bona_fide)
    raise AssertionError("unreachable: no score reaches an infinite threshold")


def timings(scored: Sequence[Scored]) -> dict[str, float]:
    per_frame = [item.result.timing_ms / max(1, item.frames) for item in scored]
    per_session = [item.result.timing_ms for item in scored]
    return {
        "ms_per_frame_p50": float(np.percentile(per_frame, 50)),
        "ms_per_frame_p95": float(np.percentile(per_frame, 95)),
        "ms_per_session_p50": float(np.percentile(per_session, 50)),
    }


def cue_values(scored: Sequence[Scored], code: str) -> dict[str, list[float]]:
    """The values of one cue per kind, for choosing its threshold."""
    values: dict[str, list[float]] = {}
    for item in scored:
        for cue in item.result.cues:
            if cue.code == code:
                values.setdefault(item.kind, []).append(cue.value)
    return values


def cue_ranges(scored: Sequence[Scored], codes: Sequence[str]) -> list[dict]:
    """Per cue and kind: n, min, 10th percentile, median, 90th percentile and max, the
    numbers a threshold is chosen from (on one seed, then reported on another)."""
    table = []
    for code in codes:
        for kind, data in cue_values(scored, code).items():
            values = np.asarray(data, np.float64)
            low, p10, median, p90, high = np.percentile(values, [0, 10, 50, 90, 100])
            table.append({"cue": code, "kind": kind, "n": len(values), "min": low, "p10": p10,
                          "median": median, "p90": p90, "max": high})  # fmt: skip
    return table


def write_plots(outdir: Path, scored: Sequence[Scored], codes: Sequence[str]) -> list[Path]:
    """``liveness_scores.png`` (score per kind) and ``liveness_cues.png`` (each cue's values)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outdir.mkdir(parents=True, exist_ok=True)
    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=110)
    bins = np.linspace(0, 1, 41)
    for kind in KINDS:
        data = [item.result.score for item in scored if item.kind == kind]
        if data:
            axes.hist(data, bins=bins, alpha=0.55, label=f"{kind} ({len(data)})")
    axes.set_xlabel("liveness score (0 attack … 1 live)")
    axes.set_ylabel("sessions")
    axes.legend()
    figure.tight_layout()
    paths = [outdir / "liveness_scores.png"]
    figure.savefig(paths[0])
    plt.close(figure)
    columns = 3
    rows = -(-len(codes) // columns)
    figure, grid = plt.subplots(rows, columns, figsize=(4 * columns, 3 * rows), dpi=100, squeeze=False)
    for axis, code in zip(grid.flat, codes, strict=False):
        for kind, data in cue_values(scored, code).items():
            axis.hist(data, bins=30, alpha=0.5, label=kind)
        axis.set_title(code, fontsize=9)
    grid.flat[0].legend(fontsize=7)
    figure.tight_layout()
    paths.append(outdir / "liveness_cues.png")
    figure.savefig(paths[1])
    plt.close(figure)
    return paths
