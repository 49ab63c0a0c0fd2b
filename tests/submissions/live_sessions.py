"""Generated liveness sessions for tests: Grace Hopper's photo (shipped with matplotlib, so
nothing downloads) animated through a plan, as bona-fide frames or an attack."""

from __future__ import annotations

from pathlib import Path

import cv2
import matplotlib
import pytest

from submissions.evaluation import liveness_set

SEED = 5


def make_sessions(outdir: Path, kinds: tuple[str, ...], seed: int = SEED) -> Path:
    """Session 0 of each kind under ``outdir`` (``<kind>_0000``), filmed at 5 fps to stay quick."""
    photo = cv2.imread(str(Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"))
    photos = [("grace_hopper", cv2.cvtColor(photo, cv2.COLOR_BGR2RGB))]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(liveness_set, "FPS", 5.0)  # fewer frames, still above MIN_FPS
        for kind in kinds:
            liveness_set.make_session(outdir, 0, kind, photos, seed)
    return outdir
