"""Parse, verify and normalise an MRZ; find one among OCR output lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from submissions.pipeline.mrz import repair as fix
from submissions.pipeline.mrz.layouts import (
    ALPHABETS,
    DIGITS,
    FILLER,
    LETTERS,
    WIDTHS,
    Layout,
    Pos,
    Span,
    check_digit,
    layout_for,
)
from submissions.pipeline.types import DocumentFields

MAX_INVALID_SHARE = 0.1  # more characters than this left outside their alphabet: not an MRZ
SEXES = {"M": "M", "F": "F", "<": "X", "X": "X"}
PLAUSIBLE_LENGTHS = frozenset(length for width in WIDTHS for length in (width - 1, width, width + 1))


@dataclass(frozen=True)
class MrzCheck:
    name: str  # document_number, birth_date, expiry_date, personal_number (TD3), composite
    passed: bool


@dataclass(frozen=True)
class MrzRepair:
    line: int
    position: int  # 0-based
    from_char: str  # "" when a filler was added at the end of a short line
    to_char: str  # "" when a filler was dropped from the end of a long line
    field: str


@dataclass(frozen=True)
class MrzResult:
    kind: str  # TD1, TD2, TD3, MRVA, MRVB
    lines: tuple[str, ...]  # as repaired
    lines_read: tuple[str, ...]  # as given, without whitespace
    fields: DocumentFields
    checks: tuple[MrzCheck, ...]
    repairs: tuple[MrzRepair, ...]
    warnings: tuple[str, ...]

    @property
    def valid(self) -> bool:
        return all(check.passed for check in self.checks)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "lines": list(self.lines),
            "valid": self.valid,
            "repaired": [
                {"line": r.line, "position": r.position, "from": r.from_char, "to": r.to_char, "field": r.field}
                for r in self.repairs
            ],
            "checks": {check.name: check.passed for check in self.checks},
            "fields": self.fields.as_json(),
            "warnings": list(self.warnings),
        }


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def parse_mrz(lines: Sequence[str], *, today: dt.date | None = None, repair: bool = True) -> MrzResult | None:
    """Parse TD1/TD2/TD3/MRV-A/MRV-B lines; None when they are not an MRZ of any format.

    With ``repair``, lines one filler too long or short at the end are trimmed or padded and
    characters are repaired as described in ``mrz.repair``; every change is reported.
    """
    today = today or _today()
    read = tuple("".join(line.split()) for line in lines)
    if len(read) not in (2, 3) or not read[0]:
        return None
    texts = [fix.normalise(line) for line in read] if repair else list(read)
    width = _width(texts, repair)
    layout = layout_for(len(texts), width, texts[0][0]) if width else None
    if layout is None:
        return None
    grid = [list(text[:width]) + [FILLER] * (width - len(text)) for text in texts]
    warnings = fix.repair(grid, layout) if repair else []
    positions, number_check, long_form = fix.number_positions(grid, layout)
    invalid = _invalid_characters(grid, layout)
    if grid[0][0] not in LETTERS or not any(FILLER in row for row in grid):
        return None
    if invalid > MAX_INVALID_SHARE * layout.rows * layout.width:
        return None
    if invalid:
        warnings.append("invalid_characters")
    lines_out = tuple("".join(row) for row in grid)
    fields, field_warnings = _fields(lines_out, layout, positions, number_check, long_form, today)
    return MrzResult(
        kind=layout.kind,
        lines=lines_out,
        lines_read=read,
        fields=fields,
        checks=_checks(lines_out, layout, positions, number_check),
        repairs=_repairs(read, lines_out, layout, positions, number_check),
        warnings=tuple(field_warnings + warnings),
    )


def find_mrz(text_lines: Sequence[str], *, today: dt.date | None = None) -> MrzResult | None:
    """The best MRZ among consecutive OCR lines of plausible length (noise lines are skipped).

    Windows of 3 lines of ~30 characters or 2 of ~36 or ~44 are parsed; a valid result wins,
    then the most checks passed, then the fewest repairs, then the first. A window with no
    check passing is not considered an MRZ.
    """
    today = today or _today()
    candidates = [text for line in text_lines if len(text := "".join(line.split())) in PLAUSIBLE_LENGTHS]
    best: MrzResult | None = None
    best_key: tuple[bool, int, int] | None = None
    for start in range(len(candidates)):
        for rows in (2, 3):
            window = candidates[start : start + rows]
            result = parse_mrz(window, today=today) if len(window) == rows else None
            if result is None:
                continue
            passed = sum(check.passed for check in result.checks)
            key = (result.valid, passed, -len(result.repairs))
            if passed and (best_key is None or key > best_key):
                best, best_key = result, key
    return best


def _width(texts: Sequence[str], repair: bool) -> int | None:
    """The format width all lines fit; off by one only at the end and only with a filler there."""
    for width, rows in WIDTHS.items():
        if rows != len(texts):
            continue
        if all(len(text) == width for text in texts):
            return width
        if repair and all(
            len(text) == width or (abs(len(text) - width) == 1 and text.endswith(FILLER)) for text in texts
        ):
            return width
    return None


def _invalid_characters(grid: list[list[str]], layout: Layout) -> int:
    return sum(
        char not in ALPHABETS[alphabet]
        for row, alphabets in zip(grid, layout.alphabets, strict=True)
        for char, alphabet in zip(row, alphabets, strict=True)
    )


def _text(lines: tuple[str, ...], span: Span) -> str:
    line, start, end = span
    return lines[line][start:end]


def _char(lines: tuple[str, ...], pos: Pos) -> str:
    return lines[pos[0]][pos[1]]


def _passes(value: str, check: str) -> bool:
    if check not in DIGITS:
        return False
    try:
        return check_digit(value) == check
    except ValueError:
        return False


def _checks(lines: tuple[str, ...], layout: Layout, number: list[Pos], number_check: Pos) -> tuple[MrzCheck, ...]:
    checks = [
        MrzCheck("document_number", _passes("".join(_char(lines, pos) for pos in number), _char(lines, number_check))),
        MrzCheck("birth_date", _passes(_text(lines, layout.birth), _char(lines, layout.birth_check))),
        MrzCheck("expiry_date", _passes(_text(lines, layout.expiry), _char(lines, layout.expiry_check))),
    ]
    if layout.personal_check:
        personal, check = _text(lines, layout.optional[0]), _char(lines, layout.personal_check)
        empty = check == FILLER and set(personal) == {FILLER}  # ICAO 9303-4: a filler when unused
        checks.append(MrzCheck("personal_number", empty or _passes(personal, check)))
    if layout.composite_check:
        composite = "".join(_text(lines, span) for span in layout.composite)
        checks.append(MrzCheck("composite", _passes(composite, _char(lines, layout.composite_check))))
    return tuple(checks)


def _repairs(
    read: tuple[str, ...], lines: tuple[str, ...], layout: Layout, number: list[Pos], number_check: Pos
) -> tuple[MrzRepair, ...]:
    names = {pos: "document_number" for pos in number} | {number_check: "document_number_check"}
    repairs = []
    for line, (before, after) in enumerate(zip(read, lines, strict=True)):
        for position, (old, new) in enumerate(zip(before, after, strict=False)):
            if old != new:
                name = names.get((line, position), layout.field_names[line][position])
                repairs.append(MrzRepair(line, position, old, new, name))
        if len(before) > layout.width:
            repairs.append(MrzRepair(line, layout.width, before[layout.width], "", "line_length"))
        elif len(before) < layout.width:
            repairs.append(MrzRepair(line, layout.width - 1, "", after[-1], "line_length"))
    return tuple(repairs)


def _fields(
    lines: tuple[str, ...], layout: Layout, number: list[Pos], number_check: Pos, long_form: bool, today: dt.date
) -> tuple[DocumentFields, list[str]]:
    warnings: list[str] = []
    surname, given_names, truncated = _names(_text(lines, layout.name))
    if truncated:
        warnings.append("name_truncated")
    birth_date = _date(_text(lines, layout.birth), today, "birth_date", warnings)
    expiry_date = _date(_text(lines, layout.expiry), today, "expiry_date", warnings)
    optional = [_text(lines, span) for span in layout.optional]
    if long_form:
        warnings.append("document_number_long_form")
        optional[0] = optional[0][number_check[1] - layout.optional[0][1] + 2 :]  # after the check digit and <
    sex = _char(lines, layout.sex)
    fields = DocumentFields(
        document_type=_strip(_text(lines, layout.code)),
        issuing_country=_strip(_text(lines, layout.country)),
        document_number=_strip("".join(_char(lines, pos) for pos in number)),
        surname=surname,
        given_names=given_names,
        nationality=_strip(_text(lines, layout.nationality)),
        birth_date=birth_date,
        sex=SEXES.get(sex),
        expiry_date=expiry_date,
        optional_data="".join(optional).strip(FILLER) or None,
    )
    return fields, warnings


def _strip(text: str) -> str | None:
    return text.replace(FILLER, "") or None


def _names(field: str) -> tuple[str | None, str | None, bool]:
    """Surname and given names, words joined by spaces; truncated when the field is full.

    Without ``<<`` (a surname that fills the field) the given names are None.
    """
    surname, _, given = field.partition("<<")
    surname_words = [word for word in surname.split(FILLER) if word]
    given_words = [word for word in given.split(FILLER) if word]
    return " ".join(surname_words) or None, " ".join(given_words) or None, not field.endswith(FILLER)


def _date(text: str, today: dt.date, name: str, warnings: list[str]) -> dt.date | None:
    """YYMMDD to a date. Birth dates: the latest not after ``today``; expiry: the closest to it."""
    if FILLER in text:
        warnings.append(f"{name}_unknown")
        return None
    if len(text) != 6 or not DIGITS.issuperset(text):
        warnings.append(f"{name}_invalid")
        return None
    year, month, day = int(text[:2]), int(text[2:4]), int(text[4:])
    resolve = _birth_date if name == "birth_date" else _expiry_date
    resolved = resolve(year, month, day, today.year // 100 * 100, today)
    if resolved is None:
        warnings.append(f"{name}_invalid")
    return resolved


def resolve_birth_date(yymmdd: str, today: dt.date) -> dt.date | None:
    """A six-digit MRZ birth date: the latest date with these digits not after ``today``."""
    if len(yymmdd) != 6 or not yymmdd.isdigit():
        return None
    year, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    return _birth_date(year, month, day, today.year // 100 * 100, today)


def resolve_expiry_date(yymmdd: str, today: dt.date) -> dt.date | None:
    """A six-digit MRZ expiry date: the one closest to ``today`` within 50 years."""
    if len(yymmdd) != 6 or not yymmdd.isdigit():
        return None
    year, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    return _expiry_date(year, month, day, today.year // 100 * 100, today)


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _birth_date(year: int, month: int, day: int, century: int, today: dt.date) -> dt.date | None:
    for full_year in (century + year, century - 100 + year):
        date = _make_date(full_year, month, day)
        if date is not None and date <= today:
            return date
    return None


def _expiry_date(year: int, month: int, day: int, century: int, today: dt.date) -> dt.date | None:
    """The century that puts the date closest to ``today`` (within 50 years); ties go to the future."""
    dates = [
        _make_date(full_year, month, day) for full_year in (century - 100 + year, century + year, century + 100 + year)
    ]
    earliest, latest = _years_from(today, -50), _years_from(today, 50)
    window = [date for date in dates if date is not None and earliest <= date <= latest]
    if not window:
        return None
    return min(window, key=lambda date: (abs((date - today).days), date < today))


def _years_from(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
