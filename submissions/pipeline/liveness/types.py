"""Liveness inputs and outputs, and their JSON wire format (see ``__init__`` for the rules).

Times are integer milliseconds since the Unix epoch. The server's clock sets ``issued_at``,
``deadline`` and ``now``; ``Frame.t_ms`` is the phone's clock, which the server cannot trust but
can check for order and plausibility.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

CHALLENGES = ("turn_left", "turn_right", "blink", "approach", "nod")
Decision = Literal["passed", "failed", "not_performed"]


@dataclass(frozen=True)
class Step:
    """One challenge; the Liveform shows its prompt ``start_ms`` after the first frame and the
    movement must be seen before ``end_ms`` (both relative to the first frame)."""

    challenge: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class ChallengePlan:
    """Issued by the server per session and kept server-side; the Liveform gets a copy."""

    nonce: str
    steps: tuple[Step, ...]
    issued_at: int  # epoch ms, server clock
    deadline: int  # epoch ms: frames must have been received by then

    def as_json(self) -> dict[str, Any]:
        return {
            "nonce": self.nonce,
            "steps": [{"challenge": s.challenge, "start_ms": s.start_ms, "end_ms": s.end_ms} for s in self.steps],
            "issued_at": self.issued_at,
            "deadline": self.deadline,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChallengePlan:
        steps = tuple(Step(str(s["challenge"]), int(s["start_ms"]), int(s["end_ms"])) for s in data["steps"])
        return cls(str(data["nonce"]), steps, int(data["issued_at"]), int(data["deadline"]))


@dataclass(frozen=True)
class Frame:
    """One uploaded frame: the camera's unmirrored picture as JPEG, and the phone's clock."""

    t_ms: int
    jpeg: bytes
    nonce: str = ""  # the plan's nonce as the Liveform echoed it with the frames


@dataclass(frozen=True)
class Cue:
    code: str
    value: float
    passed: bool

    def as_json(self) -> list[Any]:
        return [self.code, round(self.value, 4), self.passed]


@dataclass(frozen=True)
class LivenessResult:
    performed: bool  # True only when an active challenge was verified (passed or failed)
    decision: Decision
    score: float  # 0–1, higher is more likely live
    cues: tuple[Cue, ...] = field(default_factory=tuple)
    timing_ms: float = 0.0

    @property
    def deciding(self) -> tuple[Cue, ...]:
        """The cues that failed: the reasons of a failed decision."""
        return tuple(cue for cue in self.cues if not cue.passed)

    def as_json(self) -> dict[str, Any]:
        return {
            "performed": self.performed,
            "decision": self.decision,
            "score": round(self.score, 4),
            "cues": [cue.as_json() for cue in self.cues],
            "deciding": [cue.code for cue in self.deciding],
            "timing_ms": round(self.timing_ms, 1),
        }
