"""Valid machine-readable zones (ICAO 9303 parts 4-7) for specimen holders, with the fields a
correct reader must return for them.

TD1 document numbers longer than 9 characters use the long form: ``<`` in the check digit's
place, the rest of the number at the start of the optional data, then its check digit and ``<``.
"""

from __future__ import annotations

from dataclasses import dataclass

from submissions.pipeline.mrz import check_digit
from submissions.pipeline.types import DocumentFields
from submissions.specimens.identities import Identity

FILLER = "<"
# Room for SURNAME<<GIVEN<NAMES, one less than the name field so that a trailing filler shows
# that the name is complete (a full field reads as truncated).
NAME_ROOM = {"td3": 38, "mrva": 38, "td2": 30, "mrvb": 30, "td1": 29}
# Room for optional data: the TD3 personal number, the visas' and TD2's optional field, and
# TD1's second-line optional field (which also fits beside a long document number).
OPTIONAL_ROOM = {"td3": 14, "mrva": 16, "td2": 7, "mrvb": 8, "td1": 11}
DOCUMENT_CODES = {
    "td3": ("P<", "P<", "P<", "PD", "PO"),
    "td1": ("I<", "ID", "ID", "IR", "AC"),
    "td2": ("I<", "ID", "IR"),
    "mrva": ("V<",),
    "mrvb": ("V<",),
}
SEX_CHARS = {"M": "M", "F": "F", "X": "<"}


@dataclass(frozen=True)
class Mrz:
    lines: tuple[str, ...]
    fields: DocumentFields


def pad(value: str, width: int) -> str:
    if len(value) > width:
        raise ValueError(f"{value!r} does not fit {width} MRZ characters")
    return value + FILLER * (width - len(value))


def _date(identity_date) -> str:
    return identity_date.strftime("%y%m%d")


def build_mrz(kind: str, identity: Identity, document_code: str, *, optional_on_first_line: bool = False) -> Mrz:
    """The lines of a ``kind`` MRZ (td3, td1, td2, mrva, mrvb) and the fields they encode."""
    if kind == "td1":
        lines = _td1(identity, document_code, optional_on_first_line)
    else:
        lines = _two_line(kind, identity, document_code)
    fields = DocumentFields(
        document_type=document_code.replace(FILLER, ""),
        issuing_country=identity.issuing_country,
        document_number=identity.document_number,
        surname=identity.surname,
        given_names=identity.given_names or None,
        nationality=identity.nationality,
        birth_date=identity.birth_date,
        sex=identity.sex,
        expiry_date=identity.expiry_date,
        optional_data=identity.optional_data or None,
    )
    return Mrz(lines, fields)


def _two_line(kind: str, identity: Identity, document_code: str) -> tuple[str, str]:
    width = 44 if kind in ("td3", "mrva") else 36
    if len(identity.document_number) != 9:
        raise ValueError("two-line specimens use 9-character document numbers")
    first = pad(f"{document_code}{identity.issuing_country}{identity.mrz_name()}", width)
    number = identity.document_number
    birth, expiry = _date(identity.birth_date), _date(identity.expiry_date)
    head = (
        f"{number}{check_digit(number)}{identity.nationality}{birth}{check_digit(birth)}"
        f"{SEX_CHARS[identity.sex]}{expiry}{check_digit(expiry)}"
    )
    if kind == "td3":
        personal = pad(identity.optional_data, 14)
        personal_check = check_digit(personal) if identity.optional_data else FILLER
        body = f"{head}{personal}{personal_check}"
        second = body + _composite(body)
    elif kind == "td2":
        body = head + pad(identity.optional_data, 7)
        second = body + _composite(body)
    else:  # visas carry no composite check digit
        second = head + pad(identity.optional_data, width - len(head))
    return first, second


def _composite(line_body: str) -> str:
    """Over the number and its check, birth date and check, expiry date and check, and the rest."""
    return check_digit(line_body[0:10] + line_body[13:20] + line_body[21:])


def _td1(identity: Identity, document_code: str, optional_on_first_line: bool) -> tuple[str, str, str]:
    number = identity.document_number
    if len(number) <= 9:
        number_part = pad(number, 9) + check_digit(pad(number, 9))
    else:
        number_part = number[:9] + FILLER + number[9:] + check_digit(number) + FILLER
    optional = identity.optional_data
    first_optional, second_optional = (optional, "") if optional_on_first_line else ("", optional)
    first = pad(f"{document_code}{identity.issuing_country}{number_part}{first_optional}", 30)
    birth, expiry = _date(identity.birth_date), _date(identity.expiry_date)
    second_body = (
        f"{birth}{check_digit(birth)}{SEX_CHARS[identity.sex]}{expiry}{check_digit(expiry)}"
        f"{identity.nationality}{pad(second_optional, 11)}"
    )
    composite = check_digit(first[5:30] + second_body[0:7] + second_body[8:15] + second_body[18:29])
    third = pad(identity.mrz_name(), 30)
    return first, second_body + composite, third
