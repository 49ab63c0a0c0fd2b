"""The labelled liveness set: bona-fide sessions and attacks, written as the Liveform uploads them.

Each session is a folder with ``plan.json`` (the server's ``ChallengePlan``), ``upload.json``
(the nonce sent back and the server's arrival time) and ``frames/<t_ms>.jpg``; ``labels.jsonl``
lists them with their kind:

* ``bona_fide``: a ``Puppet`` (liveness_faces) performing the plan's steps in their windows,
  with a reaction delay, natural jitter and a per-session camera (exposure, white balance,
  noise, JPEG quality).
* ``print``: the person's photo printed (halftone dot screen, ink that never reaches black,
  paper white border, paper grain) and held up: the attacker tilts it for turns and nods and
  brings it closer for an approach; it cannot blink.
* ``screen``: a bona-fide recording that performs this very plan, replayed on a phone or
  monitor (``specimens.presentation.on_screen``: subpixel grid, white point, raised black, and
  its bezel) with glare on the glass beside the face: the strongest replay, a perfect puppet
  behind a screen.
* ``replay``: the frames of another bona-fide session submitted against this session's plan,
  as recorded (stale nonce and times) or with times forged onto this plan's window.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from submissions.evaluation.liveness_faces import FRAME_SIZE, Puppet, make_puppet, pose
from submissions.pipeline.liveness.active import new_challenge
from submissions.pipeline.liveness.types import ChallengePlan
from submissions.specimens.presentation import draw_bezel, on_screen

KINDS = ("bona_fide", "print", "screen", "replay")
ATTACKS = KINDS[1:]
LABELS = "labels.jsonl"
FPS = 6.0
EPOCH = 1_795_000_000_000  # a fixed server clock, so that sets are reproducible


@dataclass(frozen=True)
class Motion:
    """Where the head (or the held picture) is at a moment."""

    yaw: float = 0.0
    pitch: float = 0.0
    scale: float = 1.0
    closed: float = 0.0


def timeline(plan: ChallengePlan, rng: random.Random) -> list[tuple[int, Motion]]:
    """Frame times (ms after the first frame) and the motion performing ``plan`` at each."""
    acts = []
    for step in plan.steps:
        onset = step.start_ms + rng.uniform(150, 450)
        length = min(step.end_ms - onset - 100, rng.uniform(900, 1500))
        size = {"turn_left": rng.uniform(22, 35), "turn_right": rng.uniform(22, 35), "nod": rng.uniform(16, 24),
                "approach": rng.uniform(1.3, 1.5), "blink": rng.uniform(250, 400)}[step.challenge]  # fmt: skip
        acts.append((step.challenge, onset, length, size))
    end = plan.steps[-1].end_ms + 300
    times, t = [], 0.0
    while t <= end:
        times.append(round(t))
        t += 1000 / FPS + rng.uniform(-15, 15)
    drift = rng.uniform(-2, 2)
    return [(ms, _motion_at(ms, acts, rng, drift)) for ms in times]


def _motion_at(ms: float, acts: list, rng: random.Random, drift: float) -> Motion:
    yaw, pitch, scale, closed = rng.gauss(drift, 1.0), rng.gauss(0, 1.0), 1.0, 0.0
    for challenge, onset, length, size in acts:
        phase = (ms - onset) / length
        bump = math.sin(math.pi * phase) if 0 <= phase <= 1 else 0.0
        if challenge == "turn_left":
            yaw += size * bump
        elif challenge == "turn_right":
            yaw -= size * bump
        elif challenge == "nod":
            pitch += size * bump
        elif challenge == "approach":
            scale *= 1 + (size - 1) * min(1.0, max(0.0, phase * 1.5))
        elif challenge == "blink" and 0 <= ms - onset <= size:  # a deliberate blink, eyes fully shut
            closed = 1.0
    return Motion(yaw, pitch, scale, closed)


class Camera:
    """One session's phone camera: exposure, white balance, noise, focus and JPEG quality."""

    def __init__(self, rng: random.Random) -> None:
        self.gain = np.float32([rng.uniform(0.92, 1.08), 1.0, rng.uniform(0.9, 1.1)]) * rng.uniform(0.85, 1.1)
        self.noise, self.blur, self.quality = rng.uniform(1.5, 4.5), rng.uniform(0.0, 0.8), rng.randint(75, 92)
        self.seed = rng.getrandbits(32)

    def shoot(self, rgb: np.ndarray, index: int) -> bytes:
        pixels = rgb.astype(np.float32) * self.gain
        if self.blur > 0.3:
            pixels = cv2.GaussianBlur(pixels, (0, 0), self.blur)
        noise = np.random.default_rng(self.seed + index).normal(0, self.noise, pixels.shape[:2])
        pixels += noise.astype(np.float32)[..., None]
        bgr = cv2.cvtColor(np.clip(pixels, 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR)
        return cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, self.quality])[1].tobytes()


def bona_fide(puppet: Puppet, plan: ChallengePlan, rng: random.Random) -> list[tuple[int, np.ndarray]]:
    shift = (rng.uniform(-1, 1), rng.uniform(-1, 1))
    frames = []
    for ms, m in timeline(plan, rng):
        wobble = (shift[0] * 6 * math.sin(ms / 700), shift[1] * 4 * math.cos(ms / 900))
        frames.append((ms, pose(puppet, yaw=m.yaw, pitch=m.pitch, scale=m.scale, shift=wobble, closed=m.closed)))
    return frames


def printed(puppet: Puppet, plan: ChallengePlan, rng: random.Random) -> list[tuple[int, np.ndarray]]:
    paper = _print(puppet.image, rng)
    scene = _scene(rng)
    return [(ms, _hold(scene, paper, m, rng, lift=rng.uniform(0, 4))) for ms, m in timeline(plan, rng)]


def _print(image: np.ndarray, rng: random.Random) -> np.ndarray:
    """``image`` as an inkjet/laser print: a rotated dot screen per channel, ink density, paper."""
    height, width = image.shape[:2]
    period, angle = rng.uniform(2.3, 4.0), rng.uniform(0, math.pi / 2)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    ink = 1 - image.astype(np.float32) / 255
    out = np.empty_like(ink)
    for channel, turn in enumerate((0.26, 1.31, 0.0)):
        a = angle + turn
        u, v = xs * math.cos(a) + ys * math.sin(a), -xs * math.sin(a) + ys * math.cos(a)
        screen = (np.cos(2 * math.pi * u / period) * np.cos(2 * math.pi * v / period) + 1) / 2
        out[..., channel] = (ink[..., channel] > screen).astype(np.float32)
    out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.5, 0.8))
    density, paper = rng.uniform(0.72, 0.88), np.float32([rng.uniform(0.93, 0.99), rng.uniform(0.93, 0.98), 0.9])
    grain = cv2.GaussianBlur(np.random.default_rng(rng.getrandbits(32)).normal(0, 1, (height, width)), (0, 0), 1.5)
    sheet = paper * (1 - density * out) * (1 + 0.03 * grain[..., None])
    margin = rng.randint(24, 48)
    bordered = np.ones((height + 2 * margin, width + 2 * margin, 3), np.float32) * paper
    bordered[margin:-margin, margin:-margin] = sheet
    return np.clip(bordered * 255, 0, 255).astype(np.uint8)


def _scene(rng: random.Random) -> np.ndarray:
    """A room behind the held-up picture: a wall gradient, a door or shelf edge, noise."""
    width, height = FRAME_SIZE
    top, bottom = (
        np.float32([rng.uniform(60, 220) for _ in range(3)]),
        np.float32([rng.uniform(40, 200) for _ in range(3)]),
    )
    ramp = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    scene = np.broadcast_to(top + (bottom - top) * ramp, (height, width, 3)).copy()
    for _ in range(rng.randint(0, 3)):
        x, y = rng.randint(0, width), rng.randint(0, height)
        cv2.rectangle(scene, (x, y), (x + rng.randint(40, 300), y + rng.randint(40, 300)),
                      [rng.uniform(30, 230) for _ in range(3)], -1)  # fmt: skip
    return cv2.GaussianBlur(scene, (0, 0), 2.0).astype(np.uint8)


def _hold(scene: np.ndarray, picture: np.ndarray, m: Motion, rng: random.Random, *, lift: float) -> np.ndarray:
    """``picture`` held flat in front of ``scene``, turned by the motion's yaw and pitch."""
    height, width = picture.shape[:2]
    frame_w, frame_h = FRAME_SIZE
    size = frame_w * 0.95 * m.scale / width
    corners = np.float32([[-1, -1, 0], [1, -1, 0], [1, 1, 0], [-1, 1, 0]]) * [width / 2, height / 2, 0]
    a, b = math.radians(m.yaw), math.radians(m.pitch)
    turn = np.float32([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    nod = np.float32([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
    moved = corners @ (nod @ turn).T
    distance = 2.5 * width
    projected = moved[:, :2] * distance / (distance + moved[:, 2:3]) * size
    centre = np.float32([frame_w / 2 + rng.gauss(0, lift), frame_h * 0.47 + rng.gauss(0, lift)])
    quad = projected + centre
    matrix = cv2.getPerspectiveTransform(
        np.float32([[0, 0], [width, 0], [width, height], [0, height]]), np.float32(quad)
    )
    frame = scene.copy()
    cv2.warpPerspective(picture, matrix, FRAME_SIZE, frame, cv2.INTER_AREA, cv2.BORDER_TRANSPARENT)
    return frame


def screened(recording: list[tuple[int, np.ndarray]], rng: random.Random) -> list[tuple[int, np.ndarray]]:
    """``recording`` shown on a display held in front of the camera, with its bezel and glare."""
    seed, scene = rng.getrandbits(32), _scene(rng)
    width, height = FRAME_SIZE
    scale = rng.uniform(0.7, 0.88)
    quad_w, quad_h = width * scale, height * scale
    x0, y0 = (width - quad_w) / 2 + rng.uniform(-15, 15), (height - quad_h) / 2 + rng.uniform(-15, 15)
    skew = rng.uniform(-0.04, 0.04) * quad_w
    quad = [(x0 + skew, y0), (x0 + quad_w - skew, y0), (x0 + quad_w + skew, y0 + quad_h), (x0 - skew, y0 + quad_h)]
    # The glare sits beside the face (an attacker tilts the glass until the face is clear):
    # 0.28–0.48 frame widths left or right of the centre, where it may still catch a cheek.
    across = rng.uniform(-1, 1)
    glare_x = width / 2 + math.copysign(0.28 + 0.2 * abs(across), across) * width
    glare = (glare_x, rng.uniform(0.1, 0.6) * height, rng.uniform(30, 90), rng.uniform(0.3, 0.8))
    has_glare = rng.random() < 0.6
    matrix = cv2.getPerspectiveTransform(
        np.float32([[0, 0], [width, 0], [width, height], [0, height]]), np.float32(quad)
    )
    frames = []
    for ms, content in recording:
        shown, _ = on_screen(content, random.Random(seed), frame_scale=scale)
        frame = scene.copy()
        draw_bezel(frame, quad, random.Random(seed))
        cv2.warpPerspective(shown, matrix, FRAME_SIZE, frame, cv2.INTER_AREA, cv2.BORDER_TRANSPARENT)
        if has_glare:
            frame = _glare(frame, *glare)
        frames.append((ms, frame))
    return frames


def _glare(frame: np.ndarray, x: float, y: float, radius: float, strength: float) -> np.ndarray:
    spot = np.zeros(frame.shape[:2], np.float32)
    cv2.ellipse(spot, (int(x), int(y)), (int(radius * 1.6), int(radius)), 30, 0, 360, 1.0, -1)
    spot = cv2.GaussianBlur(spot, (0, 0), radius / 2)[..., None] * strength
    return np.clip(frame * (1 - spot) + 255 * spot * 1.3, 0, 255).astype(np.uint8)


def write_session(outdir: Path, name: str, plan: ChallengePlan, frames: list[tuple[int, bytes]], *,
                  start: int, nonce: str, received: int) -> None:  # fmt: skip
    """``frames`` as (ms after the first frame, JPEG); ``start`` is the first frame's epoch ms."""
    folder = outdir / name / "frames"
    folder.mkdir(parents=True, exist_ok=True)
    for ms, jpeg in frames:
        (folder / f"{start + ms}.jpg").write_bytes(jpeg)
    (outdir / name / "plan.json").write_text(json.dumps(plan.as_json()), encoding="utf-8")
    (outdir / name / "upload.json").write_text(json.dumps({"nonce": nonce, "received_at": received}), encoding="utf-8")


def make_session(outdir: Path, number: int, kind: str, photos: list, seed: int) -> dict:
    """One session of ``kind``, written under ``outdir``; returns its label row."""
    rng = random.Random(f"{seed}:{kind}:{number}")
    source_name, photo = photos[number % len(photos)]
    puppet = make_puppet(photo, np.random.default_rng(rng.getrandbits(32)))
    issued = EPOCH + number * 600_000 + KINDS.index(kind) * 120_000
    plan = new_challenge(rng, now=issued)
    camera = Camera(rng)
    start = issued + rng.randint(800, 5000)
    performed = plan
    if kind == "replay":  # another session, recorded earlier, performing its own plan
        performed = new_challenge(rng, now=issued - rng.randint(3_600_000, 30 * 86_400_000))
    frames = bona_fide(puppet, performed, rng) if kind in ("bona_fide", "screen", "replay") else []
    if kind == "print":
        frames = printed(puppet, plan, rng)
    elif kind == "screen":
        frames = screened(frames, rng)
    shot = [(ms, camera.shoot(rgb, index)) for index, (ms, rgb) in enumerate(frames)]
    forged = kind == "replay" and rng.random() < 0.5
    first = start if kind != "replay" or forged else performed.issued_at + rng.randint(800, 5000)
    received = start + frames[-1][0] + rng.randint(400, 3000)
    nonce = performed.nonce if kind == "replay" and not forged else plan.nonce
    name = f"{kind}_{number:04d}"
    write_session(outdir, name, plan, shot, start=first, nonce=nonce, received=received)
    return {"session": name, "kind": kind, "source": source_name, "steps": [s.challenge for s in plan.steps],
            "forged_times": forged}  # fmt: skip
