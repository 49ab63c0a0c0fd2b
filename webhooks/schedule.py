"""The delivery schedule and the reading of receivers' answers (G7). Plain Python, no Django.

Attempts follow the Standard Webhooks example schedule: at once, then 5 s, 5 min, 30 min, 2 h,
5 h, 10 h, 14 h, 20 h and 24 h after the previous failure, 10 attempts over about 75.6 h. Each
wait is stretched by a random 0–20 % (jitter that never shortens it), so the schedule always
spans at least 72 hours. After the 10th failure the delivery is dead-lettered.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from collections.abc import Mapping

# Seconds to wait after failed attempt n (index n-1) before attempt n+1.
RETRY_DELAYS = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 24 * 3600)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.2
MAX_RETRY_AFTER = 24 * 3600
# Statuses whose Retry-After is honoured (the receiver asks us to slow down).
SLOW_DOWN = frozenset({429, 503})


def retry_delay(failed_attempts: int, *, rng: random.Random | None = None) -> float | None:
    """Seconds until the next attempt after ``failed_attempts`` failures; None: dead-letter."""
    if failed_attempts < 1 or failed_attempts >= MAX_ATTEMPTS:
        return None
    base = RETRY_DELAYS[failed_attempts - 1]
    return base * (1 + (rng or random).random() * JITTER)


def retry_after_seconds(headers: Mapping[str, str], *, now: dt.datetime) -> float | None:
    """The ``Retry-After`` of a response (seconds or an HTTP date), capped at 24 h."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(min(int(value), MAX_RETRY_AFTER))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, min((when - now).total_seconds(), float(MAX_RETRY_AFTER)))
