"""Allowed ID types per issuing country, from the operator's CSV allow-list (pure).

CSV format (UTF-8, comma separated, one header line, one allowed pair per line)::

    country,id_type
    KOR,government_id
    KOR,drivers_license
    USA,passport
    *,passport

- ``country``: ISO 3166-1 alpha-3 in capitals, or ``*`` for "every country not listed".
- ``id_type``: one of :data:`ID_TYPES` (spec §8.5).
- Blank lines and lines starting with ``#`` are skipped; surrounding spaces are trimmed.

Meaning: a country listed accepts exactly its listed types. A country not listed accepts the
``*`` types; when there is no ``*`` line, a country not listed accepts every type (the list
narrows the countries it names and leaves the others alone). An empty list accepts everything.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

ID_TYPES = (
    "government_id",
    "drivers_license",
    "passport",
    "residence_permit",
    "vehicle_registration_certificate",
    "visa",
    "aadhaar",
    "pancard",
)
HEADER = ("country", "id_type")
ANY_COUNTRY = "*"
_ALPHA3 = re.compile(r"[A-Z]{3}")


class AllowListError(ValueError):
    """One message per bad line, each ``line N: reason``."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class AllowedIdTypes:
    entries: tuple[tuple[str, str], ...] = ()  # (country or "*", id_type), sorted

    def allows(self, country: str | None, id_type: str | None) -> bool:
        if not self.entries:
            return True
        listed = {c for c, _ in self.entries}
        key = country if country in listed else ANY_COUNTRY
        if key not in listed:
            return True
        return (key, id_type) in self.entries

    def types_for(self, country: str | None) -> tuple[str, ...] | None:
        """The types ``country`` accepts, or None for every type."""
        listed = {c for c, _ in self.entries}
        key = country if country in listed else ANY_COUNTRY
        if key not in listed:
            return None
        return tuple(t for c, t in self.entries if c == key)

    def to_csv(self) -> str:
        lines = [",".join(HEADER)] + [f"{country},{id_type}" for country, id_type in self.entries]
        return "\n".join(lines) + "\n"


def parse_allowed_id_types(text: str) -> AllowedIdTypes:
    """Parse the CSV allow-list; every bad line is reported at once in :class:`AllowListError`."""
    rows = [
        (number, row)
        for number, row in enumerate(csv.reader(io.StringIO(text)), start=1)
        if row and any(cell.strip() for cell in row) and not row[0].lstrip().startswith("#")
    ]
    if not rows:
        return AllowedIdTypes()
    number, header = rows[0]
    if tuple(cell.strip().lower() for cell in header) != HEADER:
        raise AllowListError([f"line {number}: the first line must be the header 'country,id_type'"])
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in rows[1:]:
        cells = [cell.strip() for cell in row]
        if len(cells) != 2:
            problems.append(f"line {number}: expected 2 values (country,id_type), found {len(cells)}")
            continue
        country, id_type = cells
        if country != ANY_COUNTRY and not _ALPHA3.fullmatch(country):
            problems.append(f"line {number}: country {country!r} is not an ISO 3166-1 alpha-3 code or '*'")
        if id_type not in ID_TYPES:
            problems.append(f"line {number}: id_type {id_type!r} is not one of {', '.join(ID_TYPES)}")
        if (country, id_type) in seen:
            problems.append(f"line {number}: {country},{id_type} repeats line {seen[(country, id_type)]}")
        seen.setdefault((country, id_type), number)
    if problems:
        raise AllowListError(problems)
    return AllowedIdTypes(tuple(sorted(seen)))
