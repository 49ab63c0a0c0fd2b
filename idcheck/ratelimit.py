"""Per-project request limits per second and per UTC day, exact under concurrency (G12).

With Redis: one Lua script checks both windows and increments both, atomically. Without
Redis: conditional upserts on ``projects.RateCounter`` rows in one transaction. A request
over either limit is not counted. If Redis cannot be reached the limiter fails closed (the
caller answers 503): a quota that costs money must not be bypassed by an outage.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import redis
from django.db import connection, transaction

from idcheck.redis import redis_client
from projects.models import Project, RateCounter

logger = logging.getLogger(__name__)
DAY = 86400

_LUA_CHECK_AND_COUNT = """
local second = tonumber(redis.call('GET', KEYS[1]) or '0')
local day = tonumber(redis.call('GET', KEYS[2]) or '0')
if day >= tonumber(ARGV[2]) then return 2 end
if second >= tonumber(ARGV[1]) then return 1 end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], 5)
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return 0
"""


class LimiterUnavailable(Exception):
    """The shared counter store could not be reached."""


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: int = 0  # seconds, when not allowed
    limit: str = ""  # "second" or "day", when not allowed


def rate_limit_hit(project: Project, *, now: float | None = None) -> RateDecision:
    """Count one request for ``project`` if both windows have room; say when to retry if not."""
    now = time.time() if now is None else now
    second, day = int(now), int(now // DAY)
    per_second, per_day = project.effective_rate_limit_per_second, project.effective_rate_limit_per_day
    client = redis_client()
    if client is not None:
        verdict = _redis_hit(client, project.pk, second, day, per_second, per_day)
    else:
        verdict = _database_hit(project.pk, second, day, per_second, per_day)
    if verdict == 2:
        return RateDecision(False, retry_after=max(1, (day + 1) * DAY - int(now)), limit="day")
    if verdict == 1:
        return RateDecision(False, retry_after=1, limit="second")
    return RateDecision(True)


def _redis_hit(client: redis.Redis, project_id: int, second: int, day: int, per_second: int, per_day: int) -> int:
    keys = [f"idcheck:rl:{project_id}:s:{second}", f"idcheck:rl:{project_id}:d:{day}"]
    try:
        return int(client.eval(_LUA_CHECK_AND_COUNT, 2, *keys, per_second, per_day, 2 * DAY))
    except redis.RedisError as exc:
        logger.error("rate limiter cannot reach Redis: %s", type(exc).__name__)
        raise LimiterUnavailable from exc


_UPSERT = """
INSERT INTO {table} (project_id, period, window_start, count) VALUES (%s, %s, %s, 1)
ON CONFLICT (project_id, period, window_start)
DO UPDATE SET count = {table}.count + 1 WHERE {table}.count < %s
RETURNING count
"""


def _count_in(cursor, project_id: int, period: str, start: int, limit: int) -> int | None:
    cursor.execute(_UPSERT.format(table=RateCounter._meta.db_table), [project_id, period, start, limit])
    row = cursor.fetchone()
    return row[0] if row else None


def _database_hit(project_id: int, second: int, day: int, per_second: int, per_day: int) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        if _count_in(cursor, project_id, "d", day, per_day) is None:
            return 2
        count = _count_in(cursor, project_id, "s", second, per_second)
        if count is None:
            transaction.set_rollback(True)  # the day counter must not count a refused call
            return 1
        if count == 1:
            # First call of a new second: clear this project's stale windows.
            RateCounter.objects.filter(project_id=project_id, period="s", window_start__lt=second - 5).delete()
            RateCounter.objects.filter(project_id=project_id, period="d", window_start__lt=day - 2).delete()
        return 0
