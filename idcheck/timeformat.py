"""The original's timestamp spellings (spec §10.2)."""

from __future__ import annotations

import datetime as dt
import re

_COMPACT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{3})$")


def format_compact(moment: dt.datetime) -> str:
    """``YYYY-MM-DD-HH-MM-SS-ZZZ`` in UTC, as in the submission object."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%d-%H-%M-%S-") + f"{utc.microsecond // 1000:03d}"


def parse_compact(text: str) -> dt.datetime | None:
    match = _COMPACT.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, millis = (int(part) for part in match.groups())
    try:
        return dt.datetime(year, month, day, hour, minute, second, millis * 1000, tzinfo=dt.UTC)
    except ValueError:
        return None


def format_iso(moment: dt.datetime) -> str:
    """ISO-8601 UTC with milliseconds and ``Z``, as in webhooks."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_day(text: str) -> dt.date | None:
    """``YYYY-MM-DD`` (current docs) or ``YYYYMMDD`` (older docs)."""
    for pattern in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, pattern).replace(tzinfo=dt.UTC).date()
        except ValueError:
            continue
    return None
