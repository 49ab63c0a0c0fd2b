"""A video for Chromium's fake camera: a face photo animated through a liveness plan.

Chromium plays ``--use-file-for-fake-video-capture`` from its first frame when the page opens
the camera, so the film starts with ``lead_ms`` of rest pose: about the time the page takes to
fetch its plan before the first frame it keeps. The step windows tolerate the film being a few
hundred milliseconds early or late (a movement begins 150–450 ms into its 1.8–2.6 s window).
"""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pytest

from submissions.evaluation import liveness_set
from submissions.evaluation.liveness_faces import make_puppet, pose
from submissions.pipeline.liveness import ChallengePlan

FPS = 10


def film_plan(photo_rgb: np.ndarray, plan: ChallengePlan, path: Path, *, seed: int = 11, lead_ms: int = 250,
              tail_ms: int = 2000) -> Path:  # fmt: skip
    """Write the Y4M film of the photo's face performing ``plan`` and return its path."""
    rng = random.Random(seed)
    puppet = make_puppet(photo_rgb, np.random.default_rng(seed))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(liveness_set, "FPS", float(FPS))
        performed = liveness_set.bona_fide(puppet, plan, rng)
    rest = pose(puppet)
    step = 1000 // FPS
    frames = [rest] * (lead_ms // step) + [rgb for _, rgb in performed] + [rest] * (tail_ms // step)
    height, width = rest.shape[:2]
    with path.open("wb") as film:
        film.write(f"YUV4MPEG2 W{width} H{height} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for rgb in frames:
            film.write(b"FRAME\n")
            film.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420).tobytes())
    return path
