"""Proof of address: read a photographed bill or statement against the identity document's holder.

The page is read whole with the visual zone's OCR (detector, then every line recognised),
the boxes grouped into printed lines top to bottom. The holder's name must appear on one
line; the 1–3 lines under it are the postal address (street lines, then the line with the
postal code and city, then optionally the country). The issue date is the most recent date
printed on the page that is not after today, and must be within the last 6 months (spec §8.4,
§11). Reject codes are the spec's ``address_*`` codes, in this order: the image cannot be
decoded, no text on it, the holder's name is not on it, no date within 6 months on it.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field

import numpy as np

from submissions.pipeline.intake import ImageRejected, decode_image
from submissions.pipeline.types import DocumentFields
from submissions.pipeline.visual.dates import dates_in
from submissions.pipeline.visual.ocr import TextLine, detect_text, recognise
from submissions.pipeline.visual.text import name_words, similarity

MIN_LINE_SCORE = 0.5  # recogniser confidence below this is noise (patterns, stains)
NAME_WORD_SIMILARITY = 0.8
VALID_MONTHS = 6
MAX_ADDRESS_LINES = 3

# Postal codes, most specific first; a format that only one country uses names the country.
_POSTAL_CODES = (
    (re.compile(r"\b([A-Z]\d[A-Z]) ?(\d[A-Z]\d)\b"), "CAN", lambda m: f"{m[1]} {m[2]}"),
    (re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})\b"), "GBR", lambda m: f"{m[1]} {m[2]}"),
    (re.compile(r"\b(\d{4}) ?([A-Z]{2})\b"), "NLD", lambda m: f"{m[1]} {m[2]}"),
    (re.compile(r"\b[A-Z]{2},? (\d{5})(?:-(\d{4}))?\b"), "USA", lambda m: m[1] + (f"-{m[2]}" if m[2] else "")),
    (re.compile(r"\b(\d{5})(?:-(\d{4}))?\b"), None, lambda m: m[1] + (f"-{m[2]}" if m[2] else "")),
)
_COUNTRIES = {
    "UNITED KINGDOM": "GBR", "UK": "GBR", "GREAT BRITAIN": "GBR", "ENGLAND": "GBR", "SCOTLAND": "GBR",
    "WALES": "GBR", "FRANCE": "FRA", "GERMANY": "DEU", "DEUTSCHLAND": "DEU", "NETHERLANDS": "NLD",
    "NEDERLAND": "NLD", "THE NETHERLANDS": "NLD", "UNITED STATES": "USA", "USA": "USA",
    "UNITED STATES OF AMERICA": "USA", "CANADA": "CAN",
}  # fmt: skip


@dataclass(frozen=True)
class AddressReading:
    lines_read: list[str]
    name_found: bool
    name_line: str | None
    address: dict[str, str | None] = field(default_factory=dict)  # street, city, postal_code, country
    issue_date: dt.date | None = None
    within_6_months: bool | None = None
    reject_code: str | None = None
    timing_ms: float = 0.0


def read_proof_of_address(data: bytes, *, holder: DocumentFields | None, today: dt.date) -> AddressReading:
    started = time.perf_counter()

    def done(**values: object) -> AddressReading:
        return AddressReading(**values, timing_ms=round((time.perf_counter() - started) * 1000, 1))  # type: ignore[arg-type]

    try:
        image = np.asarray(decode_image(data).image)
    except ImageRejected:
        return done(lines_read=[], name_found=False, name_line=None, reject_code="address_image_invalidImage")
    lines = printed_lines(image)
    if not lines:
        return done(lines_read=[], name_found=False, name_line=None, reject_code="address_image_badImage")

    name_index = _name_line_index(lines, holder) if holder is not None else None
    address = (
        parse_address(lines[name_index + 1 : name_index + 1 + MAX_ADDRESS_LINES]) if name_index is not None else {}
    )
    issue_date = max((day for line in lines for day in dates_in(line) if day <= today), default=None)
    within = None if issue_date is None else issue_date >= months_before(today, VALID_MONTHS)
    if holder is not None and name_index is None:
        reject = "address_info_dataMismatch"
    elif not within:
        reject = "address_info_expiredDocument"  # no date at all cannot show it is recent either
    else:
        reject = None
    return done(
        lines_read=lines,
        name_found=name_index is not None,
        name_line=lines[name_index] if name_index is not None else None,
        address=address,
        issue_date=issue_date,
        within_6_months=within,
        reject_code=reject,
    )


def printed_lines(image: np.ndarray) -> list[str]:
    """The page's text, one string per printed line, top to bottom, boxes left to right."""
    boxes = sorted(detect_text(image), key=lambda box: (box.top, box.left))
    read = [line for line in recognise(image, boxes) if line.score >= MIN_LINE_SCORE and line.text.strip()]
    rows: list[list[TextLine]] = []
    for line in sorted(read, key=lambda line: (line.box.top + line.box.bottom) / 2):
        centre = (line.box.top + line.box.bottom) / 2
        if rows and abs(centre - _centre(rows[-1][-1])) < 0.5 * rows[-1][-1].box.height:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [" ".join(part.text.strip() for part in sorted(row, key=lambda p: p.box.left)) for row in rows]


def parse_address(lines: list[str]) -> dict[str, str | None]:
    """Street, city, postal code and country (ISO alpha-3) from the lines under the name."""
    address: dict[str, str | None] = {"street": None, "city": None, "postal_code": None, "country": None}
    street: list[str] = []
    for index, line in enumerate(lines):
        upper = line.upper().strip()
        found = _postal_code(upper)
        if found is None:
            if upper in _COUNTRIES and index > 0:
                address["country"] = _COUNTRIES[upper]
                break
            street.append(line.strip())
            continue
        match, code, country = found
        city = (line[: match.start()] + " " + line[match.end() :]).strip(" ,")
        address.update(postal_code=code, city=re.sub(r"\s+", " ", city) or None, country=country)
        rest = [other.upper().strip() for other in lines[index + 1 :]]
        if rest and rest[0] in _COUNTRIES:
            address["country"] = _COUNTRIES[rest[0]]
        break
    address["street"] = ", ".join(street) or None
    return address


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (the month's last day when it is shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for candidate_day in range(day.day, 27, -1):
        try:
            return dt.date(year, month + 1, candidate_day)
        except ValueError:
            continue
    return dt.date(year, month + 1, min(day.day, 28))


def _postal_code(upper: str) -> tuple[re.Match[str], str, str | None] | None:
    for pattern, country, normalise in _POSTAL_CODES:
        match = pattern.search(upper)
        if match:
            return match, normalise(match), country
    return None


def _name_line_index(lines: list[str], holder: DocumentFields) -> int | None:
    wanted = name_words(holder.surname or "") + name_words(holder.given_names or "")[:1]
    if not wanted:
        return None
    for index, line in enumerate(lines):
        words = name_words(line)
        if all(any(similarity(want, word) >= NAME_WORD_SIMILARITY for word in words) for want in wanted):
            return index
    return None


def _centre(line: TextLine) -> float:
    return (line.box.top + line.box.bottom) / 2
