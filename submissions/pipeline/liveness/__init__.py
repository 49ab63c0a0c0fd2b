"""Liveness of the Liveform capture: active challenge–response plus passive attack cues.

The rule: **only a verified active challenge can pass.** ``check_liveness`` returns
``passed`` only when frames were captured live against a server-issued ``ChallengePlan``,
every active cue holds (nonce, timing, one continuous face, each step in its window and
order) and no passive cue names an attack. A selfie without that evidence (uploaded through
the API, a file picker, a capture with no frames) is ``not_performed``, ``performed=False``,
with a score of at most 0.5: passive cues are heuristics that can refuse a photo of a screen
or a print (``failed``) but cannot vouch for a live person.

Wire format the Liveform sends (JSON; times in epoch milliseconds):

    {"nonce": "<plan.nonce>",
     "frames": [{"t_ms": 1795656055123, "jpeg": "<base64>"}, ...]}   # unmirrored camera frames

with ``t_ms = plan.issued_at + (performance.now() at capture − performance.now() at plan
receipt)``, at ≥ 4 frames per second (8–10 recommended) from the first prompt's lead-in until
the last step's ``end_ms``. The plan it received is ``ChallengePlan.as_json()``; the server
keeps its own copy and never trusts the client's.

Modules: ``landmarks`` (MediaPipe FaceLandmarker), ``active``, ``passive``, ``check``.

Measured (``make bench-liveness``: ``evaluate_liveness`` on seed 4, never used for tuning;
four-step plans): BPCER 5.6 % (14/250, 8 of them painted blinks; 6.8 % before the stray-turn
window fix, which was found on this seed), APCER replay of another session 0.4 % (1/250), print
0/100, screen 1/100; 23 ms per frame p50 idle, 1.4 s per session. What that cannot show: every
bona-fide session is a puppet warped from package photos with the landmarker's own depth (so
``planar_residual`` measures depth made by the model that measures it), its blink is painted
(eyeBlink 0.3–0.6, a real blink ≈1: ``active.BLINK_CLOSED`` is untuned), and the attacks are
simulated (halftone, subpixel grid, a bezel always fully in view). Real captures are needed before these rates mean anything.
"""

from __future__ import annotations

from submissions.pipeline.liveness.active import new_challenge, verify_active
from submissions.pipeline.liveness.check import check_liveness
from submissions.pipeline.liveness.types import ChallengePlan, Cue, Frame, LivenessResult, Step

__all__ = [
    "ChallengePlan",
    "Cue",
    "Frame",
    "LivenessResult",
    "Step",
    "check_liveness",
    "new_challenge",
    "verify_active",
]
