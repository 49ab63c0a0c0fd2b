"""Where an IP address is, from a MaxMind-format City database the operator supplies.

``IDCHECK_GEOIP_CITY_DB`` names the file (GeoLite2-City, GeoIP2-City, DB-IP City Lite or any
database in the MaxMind DB format with ``location.latitude``/``longitude``); nothing is
downloaded. Without it, or when the file cannot be read, a look-up says so
(``GeoLookup.status``): the caller must not treat "unknown" as "near". The reader is opened
once per process and per file (memory-mapped), and again when the file is replaced.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings

from network.addresses import parse_address

FOUND, NO_DATABASE, NOT_FOUND, NO_ADDRESS = "found", "no_database", "not_found", "no_address"


@dataclass(frozen=True)
class GeoLookup:
    status: str  # FOUND, NO_DATABASE (none configured or unreadable), NOT_FOUND, NO_ADDRESS
    latitude: float | None = None
    longitude: float | None = None
    country: str = ""  # ISO 3166-1 alpha-2 as the database gives it, "" when unknown


@lru_cache(maxsize=2)
def _reader(path: str, mtime: float) -> Any:
    import maxminddb

    return maxminddb.open_database(path, maxminddb.MODE_MMAP)


def _database() -> Any | None:
    path = getattr(settings, "IDCHECK_GEOIP_CITY_DB", "")
    if not path:
        return None
    from maxminddb import InvalidDatabaseError

    try:
        return _reader(path, os.stat(path).st_mtime)
    except (OSError, ValueError, InvalidDatabaseError):  # missing, unreadable or not a MaxMind DB file
        return None


def ip_location(ip: str | None) -> GeoLookup:
    address = parse_address(ip or "")
    if address is None:
        return GeoLookup(NO_ADDRESS)
    database = _database()
    if database is None:
        return GeoLookup(NO_DATABASE)
    from maxminddb import InvalidDatabaseError

    try:
        record = database.get(str(address))
    except (ValueError, OSError, InvalidDatabaseError):  # a corrupt file found only on reading
        return GeoLookup(NO_DATABASE)
    location = (record or {}).get("location") or {}
    latitude, longitude = location.get("latitude"), location.get("longitude")
    if not isinstance(latitude, int | float) or not isinstance(longitude, int | float):
        return GeoLookup(NOT_FOUND)
    country = ((record or {}).get("country") or {}).get("iso_code") or ""
    return GeoLookup(FOUND, float(latitude), float(longitude), str(country))
