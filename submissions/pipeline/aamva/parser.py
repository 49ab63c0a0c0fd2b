"""Reading the payload: header, subfiles, elements, and their normalisation into fields."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from submissions.pipeline.aamva.dates import parse_date
from submissions.pipeline.aamva.jurisdictions import IIN_JURISDICTIONS
from submissions.pipeline.types import DocumentFields

LATEST_KNOWN_VERSION = 10


# Subfiles that carry the cardholder's data, and the document type each one is. EN is the
# enhanced driver licence (a DL that is also a border-crossing document).
DOCUMENT_SUBFILES: Mapping[str, str] = MappingProxyType({"DL": "DL", "ID": "ID", "EN": "DL"})

# The dates normalised here, by the name their warnings use.
DATE_ELEMENTS: Mapping[str, str] = MappingProxyType({"DBB": "birth_date", "DBA": "expiry_date", "DBD": "issue_date"})

# What issuers write where a name part does not exist.
NAME_PLACEHOLDERS = frozenset({"NONE", "UNAVL", "UNAVAILABLE", "N/A"})

SEX_CODES: Mapping[str, str] = MappingProxyType({"1": "M", "2": "F", "9": "X", "M": "M", "F": "F", "X": "X"})

TRUNCATION_FLAGS: Mapping[str, str] = MappingProxyType(
    {"DDE": "surname_truncated", "DDF": "first_name_truncated", "DDG": "middle_name_truncated"}
)


# "@", then the three separators (which scanners and issuers vary: FS for RS, CRLF for CR),
# then the file type, the IIN and the version. The rest of the header depends on the version.
_HEADER = re.compile(rb"@?[\r\n\x1c-\x1f ]{0,6}(?P<file_type>ANSI ?|AAMVA)(?P<iin>\d{6})(?P<version>\d{2})")
_DESIGNATOR = re.compile(rb"([A-Z]{2})(\d{4})(\d{4})")
_SEPARATORS = re.compile(rb"[\r\n]+")
_ELEMENT = re.compile(rb"([A-Z]{3})(.*)", re.DOTALL)
# A subfile found by search must start at the end of the header or after a separator, and be
# followed by an element id (or a separator): "DL" inside a value is not a subfile.
_SUBFILE_FOLLOWER = re.compile(rb"[A-Z]{3}|[\r\n]")
_JURISDICTION_SUBFILE = re.compile(rb"(?<=[\r\n])(Z[A-Z])(?=\1[A-Z])")


@dataclass(frozen=True)
class AamvaResult:
    version: int
    jurisdiction_version: int | None
    iin: str
    jurisdiction: str | None
    subfile_type: str
    elements: Mapping[str, str]
    fields: DocumentFields
    warnings: tuple[str, ...]
    issue_date: dt.date | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "jurisdiction_version": self.jurisdiction_version,
            "iin": self.iin,
            "jurisdiction": self.jurisdiction,
            "subfile_type": self.subfile_type,
            "elements": dict(self.elements),
            "fields": self.fields.as_json(),
            "issue_date": self.issue_date.isoformat() if self.issue_date else None,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class _Header:
    start: int  # where "@" is: designator offsets count from here
    end: int  # first byte after the designators
    iin: str
    version: int
    jurisdiction_version: int | None
    designators: tuple[tuple[str, int, int], ...]  # (subfile type, offset, length)


@dataclass(frozen=True)
class _Subfile:
    type: str
    start: int  # index of its two-letter type in the payload
    declared_end: int | None  # from the designator, when its offset was right


def parse_aamva(data: bytes | str) -> AamvaResult | None:
    """The parsed payload, or None when it is not an AAMVA payload with a DL, ID or EN subfile.

    Offsets count bytes, so text is turned back into the bytes it was most likely decoded from.
    """
    payload = _as_bytes(data)
    header = _parse_header(payload)
    if header is None:
        return None
    warnings: list[str] = []
    subfiles = _locate_subfiles(payload, header, warnings)
    document = next((subfile for subfile in subfiles if subfile.type in DOCUMENT_SUBFILES), None)
    if document is None:
        return None
    elements = _read_elements(payload, subfiles, warnings)
    return _normalise(header, document.type, elements, warnings)


def _as_bytes(data: bytes | str) -> bytes:
    if not isinstance(data, str):
        return bytes(data)
    try:
        return data.encode("latin-1")
    except UnicodeEncodeError:
        return data.encode("utf-8")


# --- header and subfiles ------------------------------------------------------------------


def _parse_header(payload: bytes) -> _Header | None:
    match = _HEADER.search(payload)
    if match is None:
        return None
    version = int(match["version"])
    # Version 1 has no jurisdiction version; some issuers add one anyway, or leave it out in
    # later versions. The layout whose designators parse is the one the issuer used.
    layouts = (False, True) if version <= 1 else (True, False)
    for has_jurisdiction_version in layouts:
        header = _header_with_layout(payload, match, has_jurisdiction_version)
        if header is not None and header.designators:
            return header
    return _header_with_layout(payload, match, version > 1)


def _header_with_layout(payload: bytes, match: re.Match[bytes], has_jurisdiction_version: bool) -> _Header | None:
    position = match.end()
    jurisdiction_version = None
    if has_jurisdiction_version:
        field = payload[position : position + 2]
        if len(field) != 2 or not field.isdigit():
            return None
        jurisdiction_version = int(field)
        position += 2
    count_field = payload[position : position + 2]
    if len(count_field) != 2 or not count_field.isdigit():
        return None
    position += 2
    designators = []
    for _ in range(int(count_field)):
        designator = _DESIGNATOR.match(payload, position)
        if designator is None:
            break
        designators.append((designator[1].decode("ascii"), int(designator[2]), int(designator[3])))
        position = designator.end()
    return _Header(
        start=match.start(),
        end=position,
        iin=match["iin"].decode("ascii"),
        version=int(match["version"]),
        jurisdiction_version=jurisdiction_version,
        designators=tuple(designators),
    )


def _locate_subfiles(payload: bytes, header: _Header, warnings: list[str]) -> list[_Subfile]:
    """Each declared subfile where its offset says, else where a search finds it."""
    if not header.designators:
        _warn(warnings, "designators_missing")
        return _undeclared_subfiles(payload, header)
    subfiles: list[_Subfile] = []
    search_from = header.end
    for kind, offset, length in header.designators:
        start = header.start + offset
        if start >= header.end and payload[start : start + 2] == kind.encode("ascii"):
            subfiles.append(_Subfile(kind, start, declared_end=start + length))
            search_from = max(search_from, start + 2)
            continue
        found = _search_subfile(payload, kind, search_from, header.end)
        if found is None:
            _warn(warnings, "subfile_not_found")
            continue
        _warn(warnings, "subfile_offset_corrected")
        subfiles.append(_Subfile(kind, found, declared_end=None))
        search_from = max(search_from, found + 2)
    return sorted(subfiles, key=lambda subfile: subfile.start)


def _undeclared_subfiles(payload: bytes, header: _Header) -> list[_Subfile]:
    """The document subfiles found after the header, and the jurisdiction subfiles (``ZV``
    followed by its own ``ZVA``…) after a segment end, so that they are not read as elements."""
    starts = [
        _Subfile(kind, start, declared_end=None)
        for kind in DOCUMENT_SUBFILES
        if (start := _search_subfile(payload, kind, header.end, header.end)) is not None
    ]
    starts += [
        _Subfile(match[1].decode("ascii"), match.start(), declared_end=None)
        for match in _JURISDICTION_SUBFILE.finditer(payload, header.end)
    ]
    return sorted(starts, key=lambda subfile: subfile.start)


def _search_subfile(payload: bytes, kind: str, search_from: int, header_end: int) -> int | None:
    marker = kind.encode("ascii")
    position = payload.find(marker, search_from)
    while position != -1:
        if _starts_subfile(payload, position, header_end):
            return position
        position = payload.find(marker, position + 1)
    return None


def _starts_subfile(payload: bytes, position: int, header_end: int) -> bool:
    """A subfile starts where the header or a segment ends, and its type is followed by an
    element id: "DL" inside a value is not a subfile."""
    after_header = position == header_end or _DESIGNATOR.fullmatch(payload, max(position - 10, 0), position)
    after_separator = payload[position - 1 : position] in (b"\r", b"\n", b"\x1e")
    return bool(after_header or after_separator) and _SUBFILE_FOLLOWER.match(payload, position + 2) is not None


def _read_elements(payload: bytes, subfiles: list[_Subfile], warnings: list[str]) -> dict[str, str]:
    elements: dict[str, str] = {}
    for index, subfile in enumerate(subfiles):
        end = subfiles[index + 1].start if index + 1 < len(subfiles) else len(payload)
        body = payload[subfile.start + 2 : _trusted_end(payload, subfile, end)]
        for element_id, value in _elements_of(body, warnings):
            if element_id in elements:
                _warn(warnings, "duplicate_element")
                continue
            elements[element_id] = value
    return elements


def _trusted_end(payload: bytes, subfile: _Subfile, end: int) -> int:
    """The declared length is trusted only when it ends on a segment terminator: then what
    follows it (padding, a scanner's suffix) is not read as elements."""
    declared_end = subfile.declared_end
    if declared_end is not None and subfile.start < declared_end <= end and payload[declared_end - 1] == 0x0D:
        return declared_end
    return end


def _elements_of(body: bytes, warnings: list[str]) -> list[tuple[str, str]]:
    elements = []
    for token in _SEPARATORS.split(body):
        match = _ELEMENT.fullmatch(token)
        if match is None:
            if token.strip(b" \x00\x1c\x1e"):
                _warn(warnings, "unparsed_data")
            continue
        elements.append((match[1].decode("ascii"), _text(match[2]).strip()))
    return elements


def _text(value: bytes) -> str:
    """AAMVA text is ASCII, or ISO 8859-1 for accented names (Quebec); some issuers write UTF-8,
    whose multi-byte sequences almost never occur by chance in ISO 8859-1."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


# --- normalisation ------------------------------------------------------------------------


def _normalise(header: _Header, subfile_type: str, raw: dict[str, str], warnings: list[str]) -> AamvaResult:
    jurisdiction, iin_country = IIN_JURISDICTIONS.get(header.iin, (None, None))
    if header.iin not in IIN_JURISDICTIONS:
        _warn(warnings, "iin_unknown")
    if header.version > LATEST_KNOWN_VERSION:
        _warn(warnings, "version_unknown")
    elements = dict(raw)
    if "DAK" in elements:
        elements["DAK"] = normalise_postal_code(elements["DAK"])
    country = _issuing_country(elements, iin_country, warnings)
    surname, given_names = _names(elements, warnings)
    fields = DocumentFields(
        document_type=DOCUMENT_SUBFILES[subfile_type],
        issuing_country=country,
        document_number=elements.get("DAQ") or None,
        surname=surname,
        given_names=given_names,
        nationality=None,
        birth_date=_date_element(elements, "DBB", header.version, country, warnings),
        sex=_sex(elements, warnings),
        expiry_date=_date_element(elements, "DBA", header.version, country, warnings),
        optional_data=None,
    )
    issue_date = _date_element(elements, "DBD", header.version, country, warnings)
    for element_id, warning in TRUNCATION_FLAGS.items():
        if elements.get(element_id, "").upper() == "T":
            _warn(warnings, warning)
    return AamvaResult(
        version=header.version,
        jurisdiction_version=header.jurisdiction_version,
        iin=header.iin,
        jurisdiction=jurisdiction,
        subfile_type=subfile_type,
        elements=MappingProxyType(elements),
        fields=fields,
        warnings=tuple(warnings),
        issue_date=issue_date,
    )


def normalise_postal_code(value: str) -> str:
    """DAK is 11 characters: a US ZIP padded with "0000" for a missing +4, then spaces."""
    code = value.strip()
    for padding in ("-0000", "0000"):
        if len(code) == 5 + len(padding) and code.endswith(padding) and code[:5].isdigit():
            return code[:5]
    return code


def _issuing_country(elements: Mapping[str, str], iin_country: str | None, warnings: list[str]) -> str | None:
    declared = elements.get("DCG", "").upper()
    if not re.fullmatch(r"[A-Z]{3}", declared):
        return iin_country
    if iin_country is not None and declared != iin_country:
        _warn(warnings, "country_iin_mismatch")
    return declared


def _names(elements: Mapping[str, str], warnings: list[str]) -> tuple[str | None, str | None]:
    """Family name from DCS (DAB in version 1); given names from DAC and DAD (version 4 on and
    version 1), else DCT (versions 2 and 3); what is still missing from version 1's DAA."""
    surname = _name(elements.get("DCS")) or _name(elements.get("DAB"))
    given_names = _name(" ".join(filter(None, (elements.get("DAC"), elements.get("DAD"))))) or _name(
        elements.get("DCT")
    )
    if (surname is None or given_names is None) and elements.get("DAA"):
        full_surname, full_given_names = _split_full_name(elements["DAA"], warnings)
        return surname or full_surname, given_names or full_given_names
    return surname, given_names


def _split_full_name(full_name: str, warnings: list[str]) -> tuple[str | None, str | None]:
    """Version 1's DAA: "LAST,FIRST,MIDDLE[,SUFFIX]", "$" for "," on some cards, or spaces only.

    The suffix is not part of the given names. With spaces only, the first word is taken as
    the surname (the comma form's order), which a two-word surname breaks: hence the warning.
    """
    for separator in (",", "$"):
        if separator in full_name:
            parts = full_name.split(separator)
            return _name(parts[0]), _name(" ".join(parts[1:3]))
    words = full_name.split()
    if len(words) > 1:
        _warn(warnings, "name_order_assumed")
    return _name(words[0] if words else None), _name(" ".join(words[1:]))


def _name(value: str | None) -> str | None:
    """Upper case, commas and runs of spaces become one space, placeholders disappear."""
    if not value:
        return None
    words = [word for word in value.replace(",", " ").upper().split() if word not in NAME_PLACEHOLDERS]
    return " ".join(words) or None


def _sex(elements: Mapping[str, str], warnings: list[str]) -> str | None:
    code = elements.get("DBC", "").upper()
    if not code:
        return None
    if code not in SEX_CODES:
        _warn(warnings, "sex_unknown")
    return SEX_CODES.get(code)


def _date_element(
    elements: Mapping[str, str], element_id: str, version: int, country: str | None, warnings: list[str]
) -> dt.date | None:
    value = elements.get(element_id)
    if not value:
        return None
    date, unexpected_order = parse_date(value, version=version, country=country)
    name = DATE_ELEMENTS[element_id]
    if date is None:
        _warn(warnings, f"{name}_invalid")
    elif unexpected_order:
        _warn(warnings, f"{name}_order_unexpected")
    return date


def _warn(warnings: list[str], code: str) -> None:
    if code not in warnings:
        warnings.append(code)
