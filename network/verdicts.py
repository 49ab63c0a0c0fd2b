"""What an IP look-up found and how risky it is (pure; spec §8.10).

Risk aggregation (§8.10 suggests levels per detection type and is silent on combining them;
this is our reading):

* each kind found has the level the project's ``NetworkLevels`` gives it; the defaults are the
  spec's suggestions: proxy **medium**, VPN **medium**, hosting provider **high** (auto-reject),
  and TOR **high** (not in §8.10: an anonymising relay is treated like a hosting provider);
* the verdict's level is the **highest** level of the kinds found (``none`` when nothing);
* the risk score (0–100, the dashboard's "risk score") is the level's base — low 30, medium 60,
  high 90 — plus 5 for every further kind found (a VPN exit on a hosting range is riskier than
  either), at most 100; 0 when nothing was found;
* the action follows the level as the policy engine applies it: high → ``block`` (reject),
  medium → ``review`` (pending), low and none → ``allow``;
* connection type: ``Data Center`` when a hosting range matched; otherwise unknown (None):
  telling Residential from Mobile needs ASN data the lists do not carry.

"Commercial VPN → High" (§8.10) is served by importing such a list with ``--kind vpn`` and
raising the project's VPN level, or by importing it as ``hosting``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from policy.settings import NetworkLevels

LEVELS = ("none", "low", "medium", "high")
LEVEL_SCORES = {"low": 30.0, "medium": 60.0, "high": 90.0}
EXTRA_KIND_POINTS = 5.0
ACTIONS = {"none": "allow", "low": "allow", "medium": "review", "high": "block"}
KIND_ORDER = ("vpn", "proxy", "tor", "hosting")


@dataclass(frozen=True)
class RangeMatch:
    kind: str
    source: str
    cidr: str


@dataclass(frozen=True)
class NetworkVerdict:
    ip: str | None
    checked: bool  # False: no end-user address was known, nothing was looked up
    kinds: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    matches: tuple[RangeMatch, ...] = ()
    level: str = "none"
    risk_score: float = 0.0
    action: str = "allow"
    connection_type: str | None = None
    lookup_ms: float | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def aggregate(ip: str | None, matches: list[RangeMatch], *, levels: NetworkLevels | None = None,
              lookup_ms: float | None = None) -> NetworkVerdict:  # fmt: skip
    levels = levels or NetworkLevels()
    ordered = sorted(set(matches), key=lambda m: (KIND_ORDER.index(m.kind), m.source, m.cidr))
    kinds = tuple(kind for kind in KIND_ORDER if any(m.kind == kind for m in ordered))
    if not kinds:
        return NetworkVerdict(ip=ip, checked=True, lookup_ms=lookup_ms)
    level = max((levels.level(kind) for kind in kinds), key=LEVELS.index)
    score = min(100.0, LEVEL_SCORES[level] + EXTRA_KIND_POINTS * (len(kinds) - 1))
    return NetworkVerdict(
        ip=ip,
        checked=True,
        kinds=kinds,
        sources=tuple(sorted({m.source for m in ordered})),
        matches=tuple(ordered),
        level=level,
        risk_score=score,
        action=ACTIONS[level],
        connection_type="Data Center" if "hosting" in kinds else None,
        lookup_ms=lookup_ms,
    )


def not_checked() -> NetworkVerdict:
    return NetworkVerdict(ip=None, checked=False)
