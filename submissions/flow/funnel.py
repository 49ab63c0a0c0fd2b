"""The Liveform funnel: how many flows reached each step, per project and UTC day.

Each step view adds the flow's random id to a HyperLogLog keyed by (project, day, step), so a
flow counts once per step and day however often the page is reloaded, and nothing is kept that
identifies a person: the flow id is random and an HLL keeps only hashes' registers, not the ids.
Counting a range of days is one PFCOUNT over its keys, whose union counts a flow that crossed
midnight once. An HLL estimates (about 1 % standard error once past a few hundred flows; exact
in practice below that). Keys live 90 days. Without Redis nothing is counted; a Redis error
never holds up a person's flow.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import redis
from django.utils import timezone

from idcheck.redis import redis_client
from submissions.flow.state import (
    ADDRESS,
    BACK,
    CONSENT,
    COUNTRY,
    DETAILS,
    EMAIL,
    FRONT,
    ID_TYPE,
    PHONE_NUMBER,
    PROCESSING,
    QUESTIONS,
    REVIEW,
    SELFIE,
    FlowState,
)

logger = logging.getLogger(__name__)

START, RESULT = "start", "result"
FUNNEL_TTL = dt.timedelta(days=90)


@dataclass(frozen=True)
class FunnelStep:
    step: str
    label: str
    always: bool  # every flow passes it; the others are asked of some flows only


FUNNEL_STEPS = (
    FunnelStep(START, "Opened the link", True),
    FunnelStep(CONSENT, "Consent", True),
    FunnelStep(EMAIL, "E-mail (when the link gave none)", False),
    FunnelStep(PHONE_NUMBER, "Phone number (links with auxidField)", False),
    FunnelStep(DETAILS, "Typed identity (Knowledge-Based)", False),
    FunnelStep(COUNTRY, "Issuing country", True),
    FunnelStep(ID_TYPE, "ID type", True),
    FunnelStep(FRONT, "Document front", True),
    FunnelStep(BACK, "Document back (two-sided types)", False),
    FunnelStep(REVIEW, "Confirm the details", True),
    FunnelStep(QUESTIONS, "Project's questions", False),
    FunnelStep(ADDRESS, "Proof of address", False),
    FunnelStep(SELFIE, "Selfie", True),
    FunnelStep(PROCESSING, "Photos sent", True),
    FunnelStep(RESULT, "Saw the result", True),
)


def _key(project_id: int, day: dt.date, step: str) -> str:
    return f"idcheck:funnel:{project_id}:{day.isoformat()}:{step}"


def funnel_count(state: FlowState, step: str) -> None:
    """Count this flow as having reached ``step`` today (UTC)."""
    client = redis_client()
    if client is None:
        return
    key = _key(state.project_id, timezone.now().astimezone(dt.UTC).date(), step)
    try:
        pipe = client.pipeline(transaction=False)
        pipe.pfadd(key, state.flow)
        pipe.expire(key, FUNNEL_TTL)
        pipe.execute()
    except redis.RedisError as exc:
        logger.warning("funnel not counted, Redis unreachable: %s", type(exc).__name__)


def funnel_reached(project_id: int, days: Sequence[dt.date]) -> dict[str, int] | None:
    """Flows that reached each step on any of ``days``; ``None`` when Redis is not there."""
    client = redis_client()
    if client is None or not days:
        return None
    try:
        pipe = client.pipeline(transaction=False)
        for step in FUNNEL_STEPS:
            pipe.pfcount(*[_key(project_id, day, step.step) for day in days])
        counts = pipe.execute()
    except redis.RedisError as exc:
        logger.warning("funnel not read, Redis unreachable: %s", type(exc).__name__)
        return None
    return {step.step: int(count) for step, count in zip(FUNNEL_STEPS, counts, strict=True)}
