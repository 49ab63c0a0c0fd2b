"""AAMVA dates: version 1 writes CCYYMMDD everywhere, later versions MMDDCCYY in the USA and
CCYYMMDD in Canada."""

from __future__ import annotations

import datetime as dt
import re

_YMD = "CCYYMMDD"
_MDY = "MMDDCCYY"
# Years outside this window are misreads, and the window keeps the two orders from both
# fitting the same eight digits.
_PLAUSIBLE_YEARS = range(1900, 2200)


def parse_date(value: str, *, version: int, country: str | None) -> tuple[dt.date | None, bool]:
    """The date an element value encodes, and whether it was written in the order its version
    and country do not use (a tolerated deviation the caller should report).

    Version 1 is CCYYMMDD; later versions are MMDDCCYY in the USA and CCYYMMDD in Canada.
    Without a known rule (version 0, or no country), whichever order gives a real date wins,
    the country's order first.
    """
    digits = re.sub(r"[\s/.-]", "", value)
    if len(digits) != 8 or not digits.isdigit():
        return None, False
    expected = _expected_date_order(version, country)
    preferred = expected or (_MDY if country == "USA" else _YMD)
    other = _YMD if preferred == _MDY else _MDY
    for order in (preferred, other):
        date = _date_in_order(digits, order)
        if date is not None:
            return date, expected is not None and order != expected
    return None, False


def _expected_date_order(version: int, country: str | None) -> str | None:
    if version == 1:
        return _YMD
    if version >= 2 and country == "USA":
        return _MDY
    if version >= 2 and country == "CAN":
        return _YMD
    return None


def _date_in_order(digits: str, order: str) -> dt.date | None:
    if order == _YMD:
        year, month, day = int(digits[0:4]), int(digits[4:6]), int(digits[6:8])
    else:
        month, day, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:8])
    if year not in _PLAUSIBLE_YEARS:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
