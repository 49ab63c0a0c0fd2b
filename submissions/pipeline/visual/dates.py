"""Dates as printed in a document's visual zone, in every common national format.

Passports and ID cards print ``09 JUL 1981`` (often with a second-language month,
``09 JUIL/JUL 81``), ``09.07.1981`` or ``1981-07-09``; US licences ``07/09/1981``, Canadian
ones ``1981/07/09``. A numeric date whose day and month could swap yields both readings:
the caller knows which one it expects, or treats the pair as ambiguous.
"""

from __future__ import annotations

import datetime as dt
import re

# English, French, German, Spanish, Italian, Portuguese and Dutch abbreviations.
MONTH_NAMES = {
    1: ("JAN", "JANV", "JÄN", "ENE", "GEN", "JANEIRO"),
    2: ("FEB", "FEV", "FÉV", "FEVR", "FÉVR", "FEBR"),
    3: ("MAR", "MARS", "MÄR", "MRZ", "MAART"),
    4: ("APR", "AVR", "ABR", "AVRIL"),
    5: ("MAY", "MAI", "MAG", "MEI", "MAYO"),
    6: ("JUN", "JUIN", "GIU", "JUNI"),
    7: ("JUL", "JUIL", "LUG", "JULI"),
    8: ("AUG", "AOU", "AOÛT", "AGO", "AOUT"),
    9: ("SEP", "SEPT", "SET"),
    10: ("OCT", "OKT", "OTT", "OUT"),
    11: ("NOV",),
    12: ("DEC", "DÉC", "DEZ", "DIC"),
}
_MONTH_BY_NAME = {name: month for month, names in MONTH_NAMES.items() for name in names}
# OCR confuses these inside words and numbers; each context gets the reading it allows.
_AS_DIGIT = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "|": "1", "S": "5", "B": "8", "Z": "2"})
_AS_LETTER = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z"})

_NAMED = re.compile(r"(\d{1,2})\s*([A-ZÀ-Ý]{3,9})\.?(?:\s*/\s*[A-ZÀ-Ý]{3,9}\.?)?\s*(\d{4}|\d{2})(?!\d)")
_DAY_FIRST = re.compile(r"(?<!\d)(\d{1,2})[./\- ](\d{1,2})[./\- ](\d{4}|\d{2})(?!\d)")
_YEAR_FIRST = re.compile(r"(?<!\d)(\d{4})[./\- ](\d{1,2})[./\- ](\d{1,2})(?!\d)")
_NAMED_AS_READ = re.compile(
    # the day holds at least one real digit, so a word ("DATE 14 MARCH") is never read as one
    r"(?<![0-9A-Z])([0-9OIQDSBZ][0-9]|[0-9][0-9OIQDSBZ]|[0-9])\s*([A-ZÀ-Ý0][A-ZÀ-Ý]{2,8}(?:\s*/\s*[A-ZÀ-Ý]{3,9})?)\.?\s*"
    r"([0-9OIQDSBZ]{4}|[0-9OIQDSBZ]{2})(?![0-9A-Z])"
)
_COMPACT = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{4})(?!\d)")


def dates_in(text: str) -> set[dt.date]:
    """Every date ``text`` can be read as; a two-digit year gives both centuries."""
    upper = text.upper()
    found: set[dt.date] = set()
    for day, month_name, year in _NAMED.findall(_fold_named(upper)):
        month = _month(month_name.translate(_AS_LETTER))
        if month is not None:
            found |= _valid(int(day), month, year)
    numeric = upper.translate(_AS_DIGIT)
    for first, second, year in _DAY_FIRST.findall(numeric):
        found |= _valid(int(first), int(second), year) | _valid(int(second), int(first), year)
    for year, month, day in _YEAR_FIRST.findall(numeric):
        found |= _valid(int(day), int(month), year)
    for first, second, year in _COMPACT.findall(numeric):
        found |= _valid(int(first), int(second), year) | _valid(int(second), int(first), year)
    return found


def _month(name: str) -> int | None:
    """A month by its abbreviation or its full name (MARCH, SEPTEMBRE, OKTOBER: by their first
    four, then three letters, which tell JUIN from JUIL and MARS from MAI)."""
    for length in (len(name), 4, 3):
        month = _MONTH_BY_NAME.get(name[:length])
        if month is not None:
            return month
    return None


def _fold_named(text: str) -> str:
    """``0CT`` and ``O9`` as read by OCR: digits where the day and year are, letters in the month."""

    def fix(match: re.Match[str]) -> str:
        day, month, year = match.group(1), match.group(2), match.group(3)
        return f"{day.translate(_AS_DIGIT)} {month.translate(_AS_LETTER)} {year.translate(_AS_DIGIT)}"

    return _NAMED_AS_READ.sub(fix, text)


def _valid(day: int, month: int, year: str) -> set[dt.date]:
    years = [int(year)] if len(year) == 4 else [1900 + int(year), 2000 + int(year)]
    found = set()
    for full_year in years:
        try:
            found.add(dt.date(full_year, month, day))
        except ValueError:
            continue
    return found
