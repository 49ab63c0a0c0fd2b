"""Resident memory of every process of the soak, every few seconds, and its growth.

Each root (gunicorn's master, a Celery worker's main process, the receiver) is sampled with all
its descendants (gunicorn's workers, the prefork pool's children, the embedded beat), each as a
series of its own, named by its root's role and the order it was first seen in.
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field

import psutil


@dataclass
class Series:
    name: str
    pid: int
    points: list[tuple[float, int]] = field(default_factory=list)  # (seconds since start, RSS bytes)

    def level(self, start: float, end: float) -> int | None:
        """Median RSS between ``start`` and ``end``; None when no sample fell in it."""
        inside = [rss for at, rss in self.points if start <= at <= end]
        return int(statistics.median(inside)) if inside else None


@dataclass(frozen=True)
class Growth:
    name: str
    pid: int
    start: int  # bytes
    end: int

    @property
    def ratio(self) -> float:
        return self.end / self.start - 1 if self.start else 0.0


class RssSampler:
    """A thread sampling ``roots`` (role, pid) every ``interval`` seconds until ``stop``."""

    def __init__(self, roots: list[tuple[str, int]], *, interval: float) -> None:
        self.roots = roots
        self.interval = interval
        self.series: dict[int, Series] = {}
        self.started = time.monotonic()
        self._children_seen: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def start(self) -> None:
        self.started = time.monotonic()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def sample(self) -> None:
        at = self.elapsed()
        for role, pid in self.roots:
            try:
                root = psutil.Process(pid)
                processes = [root, *sorted(root.children(recursive=True), key=lambda p: p.pid)]
            except psutil.NoSuchProcess:
                continue  # the soak notices a dead process itself
            for process in processes:
                try:
                    rss = process.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
                self._series(role, process.pid, is_root=process.pid == pid).points.append((at, rss))

    def growth(self, *, start: float, end: float, window: float) -> list[Growth]:
        """Per process: the median over ``window`` seconds after ``start`` against the median over
        the ``window`` seconds before ``end``. A process missing from either window has no row."""
        rows = []
        for series in self.series.values():
            first, last = series.level(start, start + window), series.level(end - window, end)
            if first is not None and last is not None:
                rows.append(Growth(series.name, series.pid, first, last))
        return rows

    def _series(self, role: str, pid: int, *, is_root: bool) -> Series:
        if pid not in self.series:
            if is_root:
                name = role
            else:
                self._children_seen[role] = self._children_seen.get(role, 0) + 1
                name = f"{role} child {self._children_seen[role]}"
            self.series[pid] = Series(name, pid)
        return self.series[pid]

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)
