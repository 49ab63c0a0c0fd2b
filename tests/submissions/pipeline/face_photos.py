"""Real face photos for the face tests: the face_recognition 1.3.0 sdist's test images (Obama x3
and two partial faces, Biden), fetched once with ``pip download`` into the git-ignored
``var/cache/face_sources`` (ML.md Q4: third-party test assets, never committed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from submissions.evaluation.face_set import DEFAULT_CACHE, SourcesUnavailable, face_recognition_images

REPO = Path(__file__).resolve().parents[3]


def fetch_face_photos() -> Path:
    """The folder of the test images; fails (never skips) when PyPI cannot be reached."""
    try:
        return face_recognition_images(REPO / DEFAULT_CACHE)
    except SourcesUnavailable as exc:
        pytest.fail(f"the face tests need the face_recognition 1.3.0 sdist from PyPI and could not get it: {exc}")


def rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))
