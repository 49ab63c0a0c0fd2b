"""Fixtures for the limiter tests: pick the counter store, read its counters."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from idcheck.ratelimit import DAY
from idcheck.redis import redis_client
from projects.models import Project, RateCounter


@pytest.fixture
def rate_counters(limiter_backend) -> Callable[[Project, float], tuple[int, int]]:
    """(calls counted in the second of ``now``, calls counted in its UTC day)."""

    def read(project: Project, now: float) -> tuple[int, int]:
        second, day = int(now), int(now // DAY)
        if limiter_backend == "database":
            counts = {(row.period, row.window_start): row.count for row in RateCounter.objects.filter(project=project)}
            return counts.get(("s", second), 0), counts.get(("d", day), 0)
        client = redis_client()
        per_second = client.get(f"idcheck:rl:{project.pk}:s:{second}")
        per_day = client.get(f"idcheck:rl:{project.pk}:d:{day}")
        return int(per_second or 0), int(per_day or 0)

    return read
