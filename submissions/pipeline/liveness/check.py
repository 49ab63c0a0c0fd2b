"""``check_liveness``: the one entry point; the rule of what may pass is in ``__init__``."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from submissions.pipeline.liveness.active import active_score, verify_active
from submissions.pipeline.liveness.landmarks import observe, shrink
from submissions.pipeline.liveness.passive import passive_cues, passive_score
from submissions.pipeline.liveness.track import Seen, see
from submissions.pipeline.liveness.types import ChallengePlan, Frame, LivenessResult

UNDECIDED = 0.5  # the highest score a capture gets without a verified active challenge


def check_liveness(
    selfie: bytes | np.ndarray | None,
    frames: Sequence[Frame] | None = None,
    plan: ChallengePlan | None = None,
    *,
    now: int | None = None,
    nonce: str | None = None,
) -> LivenessResult:
    """Liveness of a Liveform capture. ``selfie`` is the still photo (JPEG/PNG bytes, or the RGB
    array a caller already decoded) if any;
    ``frames`` and ``plan`` are the active challenge's upload and its server-side plan, ``now``
    the upload's arrival (epoch ms, server clock; required with a plan: the caller reads the
    clock, so that a check never depends on when it runs) and ``nonce`` the nonce the Liveform
    sent back with the frames. ``timing_ms`` is the only measured time in the result."""
    started = time.perf_counter()
    if frames and plan is not None:
        if now is None:
            raise ValueError("check_liveness needs now= (the upload's arrival, epoch ms) with a plan")
        received = now
        seen = see(frames)
        active = verify_active(plan, frames, now=received, nonce=nonce, seen=seen)
        extra = [_see_still(selfie, seen[-1].t_ms if seen else 0)] if selfie is not None else []
        passive = passive_cues([*seen, *extra])
        cues = (*active, *passive)
        passed = all(cue.passed for cue in cues)
        score = min(active_score(active), passive_score(passive))
        return LivenessResult(True, "passed" if passed else "failed", score, cues, _ms(started))
    passive = passive_cues([_see_still(selfie, 0)]) if selfie is not None else []
    failed = any(not cue.passed for cue in passive if cue.code != "face_found")
    score = min(UNDECIDED, passive_score(passive)) if passive else 0.0
    return LivenessResult(False, "failed" if failed else "not_performed", score, tuple(passive), _ms(started))


def _see_still(selfie: bytes | np.ndarray, t_ms: int) -> Seen:
    if isinstance(selfie, np.ndarray):
        rgb = shrink(selfie)
        return Seen(t_ms, rgb, tuple(observe(rgb)))
    return see([Frame(t_ms, selfie)])[0]


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
