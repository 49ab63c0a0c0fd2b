"""Synthetic benchmark of the 1:N face indexes (``manage.py bench_face_search``).

Stored templates are random 128-d unit vectors (uniform on the sphere: the hardest case for a
graph index, since real embeddings sit on a lower-dimensional manifold). Queries are planted
near-duplicates of stored templates, noised to a cosine of 0.6-0.9 with their original (the
range of genuine SFace pairs in ML.md Q3); recall@1 is the share whose best hit is the original.
Random 128-d unit vectors have cosines ~N(0, 1/128), so among a million the best impostor is
about 0.45: a planted duplicate is always the true nearest neighbour and exact search must
find it. Memory is the process's resident-set growth while an index is built and held.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .base import DIM
from .exact import ExactIndex
from .hnsw import HnswIndex

KINDS = ("exact", "hnsw")
_CHUNK = 65_536


@dataclass(frozen=True)
class BenchRow:
    kind: str
    size: int
    build_s: float
    memory_mb: float
    p50_ms: float
    p95_ms: float
    recall_at_1: float
    queries: int


def random_unit(rng: np.random.Generator, count: int, dim: int = DIM) -> np.ndarray:
    """``count`` random unit vectors, generated in float32 chunks to bound memory."""
    out = np.empty((count, dim), dtype=np.float32)
    for start in range(0, count, _CHUNK):
        block = rng.standard_normal((min(_CHUNK, count - start), dim), dtype=np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + len(block)] = block
    return out


def planted_queries(
    rng: np.random.Generator, stored: np.ndarray, count: int, low: float = 0.6, high: float = 0.9
) -> tuple[np.ndarray, np.ndarray]:
    """(row of the original, query) pairs: each query has cosine ``low``-``high`` with its original."""
    rows = rng.choice(len(stored), size=count, replace=False)
    cosines = rng.uniform(low, high, size=count).astype(np.float32)
    noise = random_unit(rng, count, stored.shape[1])
    noise -= np.sum(noise * stored[rows], axis=1, keepdims=True) * stored[rows]  # orthogonal part
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    queries = cosines[:, None] * stored[rows] + np.sqrt(1 - cosines**2)[:, None] * noise
    return rows, queries.astype(np.float32)


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux /proc)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * 4096 / 2**20


def _items(stored: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
    for row in range(len(stored)):
        yield str(row), stored[row]


def bench_one(kind: str, stored: np.ndarray, rows: np.ndarray, queries: np.ndarray) -> BenchRow:
    """Build one index of ``kind`` over ``stored`` and time single-vector searches of ``queries``."""
    gc.collect()
    before = rss_mb()
    index = ExactIndex() if kind == "exact" else HnswIndex()
    started = time.perf_counter()
    index.rebuild(_items(stored))
    build_s = time.perf_counter() - started
    gc.collect()
    memory_mb = rss_mb() - before
    index.search(queries[0], k=5, min_similarity=-1.0)  # warm-up
    latencies = []
    hits = 0
    for row, query in zip(rows, queries, strict=True):
        started = time.perf_counter()
        found = index.search(query, k=5, min_similarity=0.3)
        latencies.append((time.perf_counter() - started) * 1000)
        hits += bool(found) and found[0][0] == str(row)
    del index
    gc.collect()
    return BenchRow(
        kind=kind,
        size=len(stored),
        build_s=build_s,
        memory_mb=memory_mb,
        p50_ms=float(np.percentile(latencies, 50)),
        p95_ms=float(np.percentile(latencies, 95)),
        recall_at_1=hits / len(rows),
        queries=len(rows),
    )


def run_bench(
    sizes: list[int],
    *,
    kinds: tuple[str, ...] = KINDS,
    queries: int = 500,
    seed: int = 20261126,
    progress: Callable[[str], None] = lambda line: None,
) -> list[BenchRow]:
    """One row per (size, kind), sizes in the order given."""
    results = []
    for size in sizes:
        rng = np.random.default_rng(seed + size)
        started = time.perf_counter()
        stored = random_unit(rng, size)
        rows, planted = planted_queries(rng, stored, min(queries, size))
        progress(f"{size:>9,} templates generated in {time.perf_counter() - started:.1f} s")
        for kind in kinds:
            progress(f"{size:>9,} {kind}: building and searching…")
            with _heartbeat(progress, f"{size:>9,} {kind}: still running"):
                row = bench_one(kind, stored, rows, planted)
            progress(
                f"{size:>9,} {kind}: build {row.build_s:.1f} s, {row.memory_mb:.0f} MB, "
                f"p50 {row.p50_ms:.2f} ms, p95 {row.p95_ms:.2f} ms, recall@1 {row.recall_at_1:.3f}"
            )
            results.append(row)
        del stored
    return results


class _heartbeat:
    """Report ``label`` and the elapsed time every ``every`` seconds while the block runs."""

    def __init__(self, progress: Callable[[str], None], label: str, every: float = 30.0) -> None:
        self._progress, self._label, self._every = progress, label, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def __enter__(self) -> None:
        self._started = time.perf_counter()
        self._thread.start()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self._every):
            self._progress(f"{self._label}, {time.perf_counter() - self._started:.0f} s")


def table(rows: list[BenchRow]) -> str:
    lines = [
        f"{'size':>9}  {'index':<5}  {'build s':>8}  {'mem MB':>7}  {'p50 ms':>7}  {'p95 ms':>7}  {'recall@1':>8}",
    ]
    for row in rows:
        lines.append(
            f"{row.size:>9,}  {row.kind:<5}  {row.build_s:>8.2f}  {row.memory_mb:>7.0f}  "
            f"{row.p50_ms:>7.2f}  {row.p95_ms:>7.2f}  {row.recall_at_1:>8.3f}"
        )
    return "\n".join(lines)


def write_latency_plot(outdir: Path, rows: list[BenchRow]) -> Path:
    """``face_search_latency.png``: p50 and p95 search latency against index size, log-log."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outdir.mkdir(parents=True, exist_ok=True)
    figure, axes = plt.subplots(figsize=(6, 4))
    for kind in sorted({row.kind for row in rows}):
        mine = sorted((row for row in rows if row.kind == kind), key=lambda row: row.size)
        sizes = [row.size for row in mine]
        axes.plot(sizes, [row.p50_ms for row in mine], marker="o", label=f"{kind} p50")
        axes.plot(sizes, [row.p95_ms for row in mine], marker="x", linestyle="--", label=f"{kind} p95")
    axes.axhline(100, color="grey", linewidth=0.8, label="100 ms target")
    axes.set(xscale="log", yscale="log", xlabel="stored templates", ylabel="search latency (ms)")
    axes.set_title("1:N face search, 128-d, one query at a time")
    axes.legend(fontsize=8)
    figure.tight_layout()
    path = outdir / "face_search_latency.png"
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path
