"""Frames decoded once and seen once by the landmarker: the track both checks share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from submissions.pipeline.liveness.landmarks import FaceObservation, decode, observe
from submissions.pipeline.liveness.types import Frame


@dataclass(frozen=True)
class Seen:
    t_ms: int
    rgb: np.ndarray | None  # None when the bytes did not decode
    faces: tuple[FaceObservation, ...]

    @property
    def face(self) -> FaceObservation | None:
        """The face when there is exactly one."""
        return self.faces[0] if len(self.faces) == 1 else None


def see(frames: Sequence[Frame]) -> list[Seen]:
    seen = []
    for frame in frames:
        rgb = decode(frame.jpeg)
        seen.append(Seen(frame.t_ms, rgb, tuple(observe(rgb)) if rgb is not None else ()))
    return seen


def margin(value: float, threshold: float, *, live_above: bool) -> float:
    """0–1, 0.5 at the threshold: how far ``value`` is on the live side of ``threshold``
    (1 at twice the threshold's distance from zero, for cues whose live side is above it)."""
    if threshold == 0:
        return 1.0 if (value > 0) == live_above else 0.0
    ratio = value / threshold
    if not live_above:
        ratio = 2 - ratio
    return float(np.clip(ratio / 2, 0.0, 1.0))
