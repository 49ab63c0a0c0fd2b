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


@dataclass(frozen=True)
class CsvProblem:
    """One row of the upload's validation report: where (line, column) and what is wrong."""

    line: int
    column: str  # "country", "id_type", or "" for the line as a whole
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class AllowListError(ValueError):
    """Every bad line at once: ``report`` for a table, ``problems`` as ``line N: reason`` texts."""

    def __init__(self, report: list[CsvProblem]):
        self.report = report
        self.problems = [str(problem) for problem in report]
        super().__init__("; ".join(self.problems))


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

    def countries(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(country for country, _ in self.entries))

    def replacing(self, other: AllowedIdTypes) -> AllowedIdTypes:
        """This table with every country ``other`` lists taking exactly ``other``'s types."""
        listed = set(other.countries())
        kept = [entry for entry in self.entries if entry[0] not in listed]
        return AllowedIdTypes(tuple(sorted([*kept, *other.entries])))

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
        raise AllowListError([CsvProblem(number, "", "the first line must be the header 'country,id_type'")])
    problems: list[CsvProblem] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in rows[1:]:
        cells = [cell.strip() for cell in row]
        if len(cells) != 2:
            problems.append(CsvProblem(number, "", f"expected 2 values (country,id_type), found {len(cells)}"))
            continue
        country, id_type = cells
        if country != ANY_COUNTRY and not _ALPHA3.fullmatch(country):
            message = f"country {country!r} is not an ISO 3166-1 alpha-3 code or '*'"
            problems.append(CsvProblem(number, "country", message))
        if id_type not in ID_TYPES:
            problems.append(CsvProblem(number, "id_type", f"id_type {id_type!r} is not one of {', '.join(ID_TYPES)}"))
        if (country, id_type) in seen:
            problems.append(CsvProblem(number, "", f"{country},{id_type} repeats line {seen[(country, id_type)]}"))
        seen.setdefault((country, id_type), number)
    if problems:
        raise AllowListError(problems)
    return AllowedIdTypes(tuple(sorted(seen)))


MAX_UPLOAD_BYTES = 256 * 1024  # every country times every type is about 2,000 lines, 40 kB


def parse_upload(data: bytes) -> AllowedIdTypes:
    """An uploaded CSV file: UTF-8 (a spreadsheet's byte-order mark is fine), then as
    :func:`parse_allowed_id_types`; a file that is not text is one problem of line 1."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise AllowListError([CsvProblem(1, "", f"the file is larger than {MAX_UPLOAD_BYTES // 1024} kB")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise AllowListError([CsvProblem(line, "", "not UTF-8 text: save the file as CSV UTF-8")]) from None
    if "\x00" in text:
        raise AllowListError([CsvProblem(1, "", "not a text file: save the file as CSV UTF-8")])
    return parse_allowed_id_types(text)
