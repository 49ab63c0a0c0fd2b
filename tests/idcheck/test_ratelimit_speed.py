"""G12: what the limiter adds to a request. Run by `make bench` (``-m bench``): the p99 of one
limiter decision with the Redis counters (the production path), over 2,000 calls, beside the p99
of a bare Redis PING, the floor that the machine's loopback and load put under any Redis call.
The database counters (installations without Redis) are measured too, for the record only."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from idcheck.ratelimit import rate_limit_hit
from idcheck.redis import redis_client

CALLS = 2_000
BUDGET_MS = 2.0


def _p99_ms(*calls) -> list[float]:
    """The p99 of each call, timed in turns so that they all see the same moments of load."""
    for _ in range(100):  # warm: connections, the Lua script's cache, the query plans
        for call in calls:
            call()
    durations: list[list[float]] = [[] for _ in calls]
    for _ in range(CALLS):
        for call, timed in zip(calls, durations, strict=True):
            started = time.perf_counter()
            call()
            timed.append((time.perf_counter() - started) * 1000)
    return [float(np.percentile(timed, 99)) for timed in durations]


def _unlimited(project) -> None:
    """Limits that never refuse, so every call does the full check-and-count."""
    project.rate_limit_per_second = 1_000_000
    project.rate_limit_per_day = 1_000_000_000
    project.save()


@pytest.mark.bench
@pytest.mark.redis
def test_a_limiter_decision_with_redis_adds_at_most_2_ms_at_p99(project, settings, capsys):
    # given
    settings.REDIS_URL = os.environ.get("REDIS_URL", "")
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    _unlimited(project)

    # when
    limiter, floor = _p99_ms(lambda: rate_limit_hit(project), redis_client().ping)

    # then
    with capsys.disabled():
        print(f"\nlimiter p99 (Redis): {limiter:.3f} ms; bare Redis PING p99: {floor:.3f} ms")  # noqa: T201
    # the budget holds over the floor: on a machine whose load makes one PING take 3 ms at p99,
    # no Redis client meets 2 ms, and that is the machine, not the limiter
    assert limiter <= BUDGET_MS + floor


@pytest.mark.bench
def test_a_limiter_decision_with_the_database_counters_is_measured(project, settings, capsys):
    settings.REDIS_URL = ""
    _unlimited(project)

    [limiter] = _p99_ms(lambda: rate_limit_hit(project))

    with capsys.disabled():
        print(f"\nlimiter p99 (database counters): {limiter:.3f} ms")  # noqa: T201
    assert limiter > 0
