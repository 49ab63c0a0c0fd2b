"""What a soak measured, as a table, two plots and a page of docs (``manage.py soak``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from submissions.soak import CREATE, KINDS
from submissions.soak.sampler import Growth, Series

GROWTH_LIMIT = 0.15  # issue 11: memory of each process flat, under 15 % growth
MB = 2**20


@dataclass(frozen=True)
class Request:
    start: float  # epoch seconds
    kind: str
    status: int  # 0: no HTTP answer
    ms: float


@dataclass(frozen=True)
class KindStats:
    kind: str
    requests: int
    server_errors: int  # 5xx
    other_errors: int  # no answer, or a status other than 200
    p50: float
    p95: float
    p99: float


@dataclass
class SoakResult:
    seconds: int
    users: int
    pace: float
    warm_up: float
    kinds: list[KindStats]
    latencies: dict[str, list[float]]
    decisions: dict[str, int]  # status -> count, for the decided runs
    failed_runs: int
    drain_seconds: float
    drained: bool
    webhooks_expected: int
    webhooks_delivered: int  # distinct webhook-ids verified by the receiver
    webhooks_forged: int
    submissions: int  # rows in the soak's project, the priming one included
    reconcile_ok: bool
    reconcile_summary: str
    growth: list[Growth]
    ended: list[str] = field(default_factory=list)  # processes that died during the soak
    max_growth: float = GROWTH_LIMIT

    @property
    def requests(self) -> int:
        return sum(kind.requests for kind in self.kinds)

    @property
    def server_errors(self) -> int:
        return sum(kind.server_errors for kind in self.kinds)

    @property
    def accepted_creations(self) -> int:
        return next((k.requests - k.other_errors - k.server_errors for k in self.kinds if k.kind == CREATE), 0)

    @property
    def creations_per_minute(self) -> float:
        return self.accepted_creations / (self.seconds / 60)

    def failures(self) -> list[str]:
        """Why the soak failed; empty when it passed."""
        reasons = []
        if self.server_errors:
            reasons.append(f"{self.server_errors} responses were 5xx")
        if other := sum(kind.other_errors for kind in self.kinds):
            reasons.append(f"{other} requests got no answer or an unexpected status (see requests.tsv)")
        if self.submissions != self.accepted_creations + 1:
            reasons.append(
                f"{self.submissions} submissions for {self.accepted_creations} accepted creations + 1 priming"
            )
        if not self.reconcile_ok:
            reasons.append(f"reconcile is not clean: {self.reconcile_summary}")
        limit = self.max_growth  # compared to 6 places: 1150 / 1000 - 1 is 0.1499… in floating point
        reasons += [
            f"{row.name} grew {row.ratio:.1%} (limit {limit:.0%})"
            for row in self.growth
            if round(row.ratio, 6) >= limit
        ]
        if not self.growth:
            reasons.append("no process had samples in both windows: memory was not measured")
        if not self.drained:
            reasons.append(f"runs or webhooks were still in flight {self.drain_seconds:.0f} s after the load")
        if self.webhooks_delivered != self.webhooks_expected or self.webhooks_forged:
            reasons.append(
                f"{self.webhooks_delivered} of {self.webhooks_expected} webhooks verified, {self.webhooks_forged} forged"
            )
        reasons += [f"{role} exited during the soak" for role in self.ended]
        return reasons


def read_requests(path: Path) -> list[Request]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        start, kind, status, ms = line.split("\t")
        rows.append(Request(float(start), kind, int(status), float(ms)))
    return rows


def kind_stats(requests: list[Request]) -> list[KindStats]:
    stats = []
    for kind in KINDS:
        mine = [request for request in requests if request.kind == kind]
        ms = [request.ms for request in mine]
        p50, p95, p99 = np.percentile(ms, [50, 95, 99]) if ms else (0.0, 0.0, 0.0)
        server = sum(500 <= request.status < 600 for request in mine)
        other = sum(request.status != 200 for request in mine) - server
        stats.append(KindStats(kind, len(mine), server, other, float(p50), float(p95), float(p99)))
    return stats


def table(result: SoakResult) -> list[str]:
    """The summary as Markdown: printed at the end and written to the docs page."""
    lines = [
        "| request | requests | 5xx | other errors | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|---|",
        *[
            f"| {k.kind} | {k.requests} | {k.server_errors} | {k.other_errors} | {k.p50:.0f} | {k.p95:.0f} | {k.p99:.0f} |"
            for k in result.kinds
        ],
        f"| all | {result.requests} | {result.server_errors} | {sum(k.other_errors for k in result.kinds)} | | | |",
        "",
        "| figure | value |",
        "|---|---|",
        f"| load | {result.users} users × {result.pace:g} req/s for {result.seconds} s "
        f"({result.requests / result.seconds:.1f} req/s) |",
        f"| creations per minute | {result.creations_per_minute:.1f} "
        f"({result.submissions} submissions: {result.accepted_creations} accepted + 1 priming) |",
        f"| decisions | {sum(result.decisions.values())} "
        f"({', '.join(f'{status} {count}' for status, count in sorted(result.decisions.items())) or 'none'}); "
        f"{result.failed_runs} runs failed |",
        f"| drained after the load | {'yes' if result.drained else 'NO'}, in {result.drain_seconds:.0f} s |",
        f"| webhooks delivered (verified, distinct) | {result.webhooks_delivered} of {result.webhooks_expected}; "
        f"{result.webhooks_forged} forged |",
        f"| `manage.py reconcile` | {result.reconcile_summary} |",
        "",
        f"| process (RSS, median of a window after the {result.warm_up:.0f} s warm-up and at the end of the load) "
        "| start MB | end MB | growth |",
        "|---|---|---|---|",
        *[
            f"| {row.name} | {row.start / MB:.1f} | {row.end / MB:.1f} | {row.ratio:+.1%} |"
            for row in sorted(result.growth, key=lambda row: row.name)
        ],
    ]
    return lines


def plot_latency(result: SoakResult, path: Path) -> Path:
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 4.5))
    every = [value for values in result.latencies.values() for value in values] or [1.0, 10.0]
    low, high = np.floor(np.log10(max(min(every), 0.1))), np.log10(max(max(every), 10.0))
    bins = np.logspace(low, high, 60)
    for kind, values in result.latencies.items():
        if values:
            axes.hist(values, bins=bins, histtype="step", linewidth=1.5, label=f"{kind} ({len(values)})")
    axes.set_xscale("log")
    axes.set_xlabel("response time (ms, log scale)")
    axes.set_ylabel("requests")
    axes.set_title(f"Soak: response times over {result.seconds} s")
    axes.legend(fontsize=8)
    return _save(figure, path)


def plot_rss(series: list[Series], *, warm_up_end: float, load_end: float, path: Path) -> Path:
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(9, 5))
    for one in sorted(series, key=lambda s: s.name):
        if one.points:
            axes.plot([at for at, _ in one.points], [rss / MB for _, rss in one.points], label=one.name)
    axes.axvline(warm_up_end, color="grey", linestyle="--", linewidth=1)
    axes.axvline(load_end, color="grey", linestyle=":", linewidth=1)
    axes.set_xlabel("seconds since the start (dashed: end of warm-up; dotted: end of the load)")
    axes.set_ylabel("RSS (MB)")
    axes.set_title("Soak: resident memory of each process")
    axes.legend(fontsize=7, ncol=2)
    return _save(figure, path)


def _save(figure: object, path: Path) -> Path:
    from matplotlib import pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def docs_page(result: SoakResult, *, when: dt.datetime, about: list[tuple[str, str]], plots: list[Path]) -> str:
    verdict = "passed" if not result.failures() else "FAILED: " + "; ".join(result.failures())
    return "\n".join(
        [
            "# Load and soak (`make soak`)",
            "",
            "Written by `make soak` (`manage.py soak`); run it again to replace this page. Issue 11 and",
            "RELIABILITY.md G13: Locust against gunicorn on 127.0.0.1, 70 % reads and 30 % creations with",
            "generated passport photos and a selfie, a pipeline worker and a webhooks worker (with the",
            "periodic sweeps) on the same machine, a receiver that checks every signature; then",
            "`manage.py reconcile`. It fails on any 5xx, on reconcile offenders and on 15 % or more",
            "growth of any process's memory.",
            "",
            f"Run on {when:%Y-%m-%d %H:%M} UTC: {verdict}.",
            "",
            *[f"- {name}: {value}" for name, value in about],
            "",
            *table(result),
            "",
            "What the soak found and fixed: gunicorn's workers grew in steps of about 20 MB, each after a",
            "request's large transient buffers (decoded photos), because glibc raises its mmap threshold",
            "after the first large free and then serves such buffers from a heap it seldom gives back (+20 %",
            "in 5 minutes at 1 req/s; +11 to +12 % with MALLOC_ARENA_MAX=2, so not the per-thread arenas).",
            "`manage.py serve` (and every bench that starts gunicorn) now sets MALLOC_MMAP_THRESHOLD_ to",
            "1 MB unless the operator set it, which keeps those buffers in mmap, returned when freed.",
            "",
            "How it is measured:",
            "",
            "- Each Locust user is an integrator at a constant pace: GET one of its own submissions by id",
            "  (5 in 10; the page instead until it has created one), GET the newest page of 20 (2 in 10),",
            "  POST a submission with a generated passport and a selfie, multipart (3 in 10). The load is",
            "  bounded by what one pipeline worker decides on 2 cores, so the queue stays short and the",
            "  soak measures steadiness, not capacity (`make bench` measures capacity).",
            "- Percentiles come from every request's own time (Locust's request event), not Locust's",
            "  rounded CSV; a request counts as an error unless it was answered 200.",
            "- RSS of every process and its children is sampled every 5 s. Growth compares the median over",
            "  the first minute after the warm-up (2 minutes, or 20 % of a shorter run) with the median",
            "  over the last minute of the load (10 % of the run when shorter than 10 minutes).",
            "- Before the clock starts, one creation is made and decided (it counts among the decisions),",
            "  so that the pipeline worker has loaded its engines: the warm-up then measures steady state.",
            "- After the load the soak waits until every run is decided and every webhook delivered, then",
            "  runs `manage.py reconcile --project` on the soak's project.",
            "",
            *[f"![{path.stem}](soak/{path.name})" for path in plots],
            "",
        ]
    )
