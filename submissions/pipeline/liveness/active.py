"""Active liveness: a per-session random challenge, verified from landmark tracks.

``new_challenge`` issues a plan: a nonce and four challenges drawn at random, never the same one
twice in a row and at least one head turn (so that the passive parallax cue has motion to
measure), each with its own random time window after the first frame. The Liveform shows each prompt at its ``start_ms`` and uploads
the frames with ``t_ms = plan.issued_at + (performance.now() at capture − performance.now()
when the plan arrived)``: the phone's monotonic clock anchored on the server's.

``verify_active`` then requires the nonce, enough frames at a usable rate, timestamps strictly
increasing and inside the plan's window, received before the deadline, one face throughout
with no jump between frames, and every step seen inside its own window, in order, with no head
turn where none was asked. A recording of another session fails on the nonce and timing, and
with forged timestamps on the order and on the windows. Timing alone cannot stop an attacker who
knows the plan and warps a recording's clock, so the order carries the weight: ``plan_count()``
= 262 orders make a recording of another session fit one time in 262 (with three distinct steps
there were only 54, and the replay set of 250 sessions passed 1.2 %).
"""

from __future__ import annotations

import itertools
import random
import secrets
from collections.abc import Sequence

import numpy as np

from submissions.pipeline.liveness.track import Seen, margin, see
from submissions.pipeline.liveness.types import CHALLENGES, ChallengePlan, Cue, Frame, Step

TURNS = ("turn_left", "turn_right")
STEPS = 4
LEAD_MS = 800  # the first prompt comes this long after the first frame: the rest pose
STEP_MS = (1800, 2600)  # each step's window, drawn per step
GRACE_MS = 400  # a movement finishing just after its window still counts
START_WINDOW_MS = 60_000  # the first frame must come within this of the plan's issue
UPLOAD_MS = 30_000  # the frames must reach the server within this of the last step's end
CLOCK_SLACK_MS = 2_000  # the phone's anchored clock may drift this much from the server's
MIN_FPS = 4.0  # a blink lasts 100–400 ms
MIN_FRAMES = 12
MIN_FACE_SHARE = 0.9  # frames with exactly one face
MIN_IOU = 0.35  # face boxes of consecutive frames overlap at least this much
MAX_SIZE_JUMP = 0.3  # inter-ocular distance changes at most this much between frames
TURN_DEG, BACK_DEG = 12.0, 7.0  # yaw from the rest pose beyond TURN, then back within BACK
NOD_DEG, NOD_BACK_DEG = 10.0, 6.0
# Both eyes' eyeBlink score at least BLINK_CLOSED at the peak, and its rise over the rest level.
# Not tuned on real video (ML.md): a real blink reads ≈1, the synthetic set's painted lids only
# 0.28–0.6, so 0.3 is lenient for people and at the edge for the puppets (seed 1: one of 30
# bona-fide sessions reads 0.28 with the head turned 13°). It is not lowered to fit the
# puppets; tune it, with BLINK_RISE, on recorded Liveform captures before relying on it.
BLINK_CLOSED, BLINK_RISE = 0.3, 0.1
APPROACH_GROWTH = 1.2  # inter-ocular distance, end of the step over its start


def new_challenge(rng: random.Random | None = None, *, now: int) -> ChallengePlan:
    """A fresh plan issued at ``now`` (epoch ms). ``rng`` only for tests; secrets otherwise."""
    draw = rng if rng is not None else secrets.SystemRandom()
    nonce = secrets.token_urlsafe(16) if rng is None else f"{draw.getrandbits(96):024x}"
    steps, start = [], LEAD_MS
    for challenge in _draw_order(draw):
        end = start + draw.randint(*STEP_MS)
        steps.append(Step(challenge, start, end))
        start = end
    return ChallengePlan(nonce, tuple(steps), now, now + START_WINDOW_MS + start + UPLOAD_MS)


def _draw_order(draw: random.Random) -> list[str]:
    """Uniform over the valid orders: draw without an immediate repeat, retry until valid."""
    while True:
        order = [draw.choice(CHALLENGES)]
        for _ in range(STEPS - 1):
            order.append(draw.choice([c for c in CHALLENGES if c != order[-1]]))
        if _valid_order(order):
            return order


def _valid_order(order: Sequence[str]) -> bool:
    """No step twice in a row, a head turn, and one approach at most: a person who moved closer
    stays close, and a second approach would push the face out of the frame."""
    no_repeat = all(a != b for a, b in zip(order, order[1:], strict=False))
    return no_repeat and any(c in TURNS for c in order) and order.count("approach") <= 1


def plan_count() -> int:
    """How many challenge orders ``new_challenge`` can issue (before timing is counted)."""
    return sum(_valid_order(order) for order in itertools.product(CHALLENGES, repeat=STEPS))


def verify_active(
    plan: ChallengePlan,
    frames: Sequence[Frame],
    *,
    now: int,
    nonce: str | None = None,
    seen: Sequence[Seen] | None = None,
) -> list[Cue]:
    """The active cues for ``frames`` uploaded against ``plan`` and received at ``now`` (epoch
    ms); ``nonce`` is the one the Liveform sent back. ``seen`` reuses an earlier decode."""
    seen = list(seen) if seen is not None else see(frames)
    times = [item.t_ms for item in seen]
    cues = [Cue("nonce", 1.0 if nonce in (None, plan.nonce) else 0.0, nonce in (None, plan.nonce))]
    cues += _timing_cues(plan, times, now)
    faces = [item.face for item in seen]
    share = sum(face is not None for face in faces) / max(1, len(faces))
    cues.append(Cue("one_face", share, share >= MIN_FACE_SHARE))
    track = [(item.t_ms - times[0], item.face) for item in seen if item.face is not None] if times else []
    cues.append(_continuity(track))
    if len(track) < 2:
        return cues + [Cue(f"step{k + 1}_{s.challenge}", 0.0, False) for k, s in enumerate(plan.steps)]
    return cues + _step_cues(plan, track)


def _timing_cues(plan: ChallengePlan, times: list[int], now: int) -> list[Cue]:
    if not times:
        return [Cue("frame_count", 0, False)]
    span = (times[-1] - times[0]) / 1000
    fps = (len(times) - 1) / span if span > 0 else 0.0
    monotonic = all(b > a for a, b in zip(times, times[1:], strict=False))
    started = times[0] - plan.issued_at
    expected_end = times[0] + plan.steps[-1].end_ms
    return [
        Cue("frame_count", len(times), len(times) >= MIN_FRAMES),
        Cue("frame_rate", fps, fps >= MIN_FPS),
        Cue("timestamps_monotonic", float(monotonic), monotonic),
        Cue("capture_start_ms", started, -CLOCK_SLACK_MS <= started <= START_WINDOW_MS),
        Cue("capture_covers_steps_ms", times[-1] - expected_end, times[-1] >= expected_end - GRACE_MS),
        Cue("received_in_time", float(now - times[-1]), times[-1] - CLOCK_SLACK_MS <= now <= plan.deadline),
    ]


def _continuity(track: list) -> Cue:
    """The same face throughout: consecutive boxes overlap and the face does not jump in size."""
    worst = 1.0
    for (_, before), (_, after) in zip(track, track[1:], strict=False):
        jump = abs(after.eye_distance / max(before.eye_distance, 1e-6) - 1)
        worst = min(worst, _iou(before.box, after.box), 1.0 - jump / MAX_SIZE_JUMP * (1 - MIN_IOU))
    return Cue("same_face", worst, worst >= MIN_IOU)


def _iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    left, top = max(a[0], b[0]), max(a[1], b[1])
    right, bottom = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0.0, right - left) * max(0.0, bottom - top)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def _step_cues(plan: ChallengePlan, track: list) -> list[Cue]:
    t = np.array([ms for ms, _ in track], np.float64)
    rest = t < plan.steps[0].start_ms
    if rest.sum() == 0:
        rest = np.ones_like(t, bool)
    yaw = np.array([f.yaw for _, f in track])
    pitch = np.array([f.pitch for _, f in track])
    closed = np.array([min(f.blink_left, f.blink_right) for _, f in track])
    eyes = np.array([f.eye_distance for _, f in track])
    yaw, pitch = yaw - np.median(yaw[rest]), pitch - np.median(pitch[rest])
    open_level = float(np.median(closed))
    cues, stray = [], 0.0
    for number, step in enumerate(plan.steps, start=1):
        inside = (t >= step.start_ms) & (t <= step.end_ms + GRACE_MS)
        if not inside.any():
            cues.append(Cue(f"step{number}_{step.challenge}", 0.0, False))
            continue
        value, threshold = _movement(
            step.challenge, yaw[inside], pitch[inside], closed[inside], eyes[inside], open_level
        )
        cues.append(Cue(f"step{number}_{step.challenge}", value, value >= threshold))
        # A stray turn is looked for only where the window is this step's alone: the previous
        # step may finish in its first GRACE_MS, and this one may finish after its end.
        own = (t >= step.start_ms + GRACE_MS) & (t <= step.end_ms)
        if own.any():
            asked = {"turn_left": 1, "turn_right": -1}.get(step.challenge, 0)
            wrong = yaw[own] * -asked if asked else np.abs(yaw[own])
            stray = max(stray, float(wrong.max()))
    cues.append(Cue("unrequested_turn_deg", stray, stray < TURN_DEG))
    return cues


def _movement(challenge: str, yaw, pitch, closed, eyes, open_level: float) -> tuple[float, float]:  # noqa: ANN001
    """The size of the asked movement inside its window, and the threshold it must reach;
    a turn or nod counts only when the head comes back after its peak."""
    if challenge in TURNS:
        signed = yaw if challenge == "turn_left" else -yaw
        return _out_and_back(signed, BACK_DEG), TURN_DEG
    if challenge == "nod":
        return _out_and_back(pitch, NOD_BACK_DEG), NOD_DEG
    if challenge == "blink":
        peak = int(np.argmax(closed))
        reopened = closed[peak:].min() <= closed[peak] - BLINK_RISE
        closed_enough = closed[peak] >= BLINK_CLOSED and reopened
        return (float(closed[peak] - open_level) if closed_enough else 0.0), BLINK_RISE
    start = float(np.median(eyes[: max(1, len(eyes) // 4)]))
    return float(eyes.max() / max(start, 1e-6)), APPROACH_GROWTH


def _out_and_back(signed: np.ndarray, back: float) -> float:
    peak = int(np.argmax(signed))
    return float(signed[peak]) if signed[peak:].min() <= back else 0.0


def active_score(cues: Sequence[Cue]) -> float:
    """0–1: the weakest cue's margin (steps by how far past their threshold they went)."""
    thresholds = {"turn_left": TURN_DEG, "turn_right": TURN_DEG, "nod": NOD_DEG, "blink": BLINK_RISE}
    scores = []
    for cue in cues:
        challenge = cue.code.partition("_")[2] if cue.code.startswith("step") else None
        if challenge in thresholds:
            scores.append(margin(cue.value, thresholds[challenge], live_above=True))
        elif challenge == "approach":
            scores.append(margin(cue.value - 1, APPROACH_GROWTH - 1, live_above=True))
        else:
            scores.append(1.0 if cue.passed else 0.0)
    return min(scores, default=0.0)
