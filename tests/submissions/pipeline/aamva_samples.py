"""Synthetic AAMVA payloads for the parser and barcode tests (specimen data, no real person).

``aamva_payload`` writes a header whose designators point exactly at each subfile, the way
the standard says; tests then bend the result to imitate the issuers that do not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from submissions.pipeline.types import DocumentFields

Elements = Sequence[tuple[str, str]]

COMPLIANCE_PREFIX = "@\n\x1e\r"

# Version 4 on: family name, first and middle names apart, truncation flags, country.
USA_V8_ELEMENTS: Elements = (
    ("DCA", "D"),
    ("DCB", "NONE"),
    ("DCD", "NONE"),
    ("DBA", "08152030"),
    ("DCS", "SAMPLE"),
    ("DAC", "MICHAEL"),
    ("DAD", "JOHN"),
    ("DBD", "08152022"),
    ("DBB", "06241978"),
    ("DBC", "1"),
    ("DAY", "BRO"),
    ("DAU", "068 IN"),
    ("DAG", "2300 WEST BROAD STREET"),
    ("DAI", "RICHMOND"),
    ("DAJ", "VA"),
    ("DAK", "232690000  "),
    ("DAQ", "T64235789"),
    ("DCF", "2424244747474786102204"),
    ("DCG", "USA"),
    ("DDE", "N"),
    ("DDF", "N"),
    ("DDG", "N"),
)

# Canada writes CCYYMMDD in every version.
CANADA_V8_ELEMENTS: Elements = (
    ("DCA", "G"),
    ("DBA", "20310302"),
    ("DCS", "TREMBLAY"),
    ("DAC", "ÉLISE"),
    ("DAD", "MARIE"),
    ("DBD", "20260302"),
    ("DBB", "19910302"),
    ("DBC", "2"),
    ("DAY", "GRN"),
    ("DAU", "165 CM"),
    ("DAG", "77 KING ST W"),
    ("DAI", "TORONTO"),
    ("DAJ", "ON"),
    ("DAK", "M5K1A2"),
    ("DAQ", "T4321-56789-10302"),
    ("DCF", "ON2026X"),
    ("DCG", "CAN"),
    ("DDE", "N"),
    ("DDF", "N"),
    ("DDG", "N"),
)

# Versions 2 and 3: given names together in DCT.
USA_V3_ELEMENTS: Elements = (
    ("DCA", "C"),
    ("DCB", "NONE"),
    ("DCD", "NONE"),
    ("DBA", "04302029"),
    ("DCS", "PUBLIC"),
    ("DCT", "JANE,Q"),
    ("DBD", "05012021"),
    ("DBB", "04301985"),
    ("DBC", "2"),
    ("DAY", "BLU"),
    ("DAU", "064 IN"),
    ("DAG", "1 MAIN ST"),
    ("DAI", "AUSTIN"),
    ("DAJ", "TX"),
    ("DAK", "787010000"),
    ("DAQ", "12345678"),
    ("DCF", "TX0001"),
    ("DCG", "USA"),
)

# Version 1 (DL/ID-2000): CCYYMMDD, the name in DAA, sex as a letter, no DCG.
USA_V1_ELEMENTS: Elements = (
    ("DAQ", "D1234567"),
    ("DAA", "DOE,JOHN,Q"),
    ("DAG", "100 OCEAN AVE"),
    ("DAI", "SANTA MONICA"),
    ("DAJ", "CA"),
    ("DAK", "904010000  "),
    ("DAR", "C"),
    ("DBA", "20300115"),
    ("DBB", "19800115"),
    ("DBC", "M"),
    ("DBD", "20200110"),
    ("DAU", "510"),
    ("DAW", "175"),
)


def aamva_payload(
    elements: Elements,
    *,
    version: int,
    iin: str = "636000",
    jurisdiction_version: int = 0,
    subfile_type: str = "DL",
    jurisdiction_elements: Elements = (),
    file_type: str = "ANSI ",
) -> bytes:
    """A payload as the standard writes it: header, designators with exact offsets and
    lengths, elements separated by LF and each subfile closed by CR.

    The jurisdiction subfile (``Z`` + the first letter after it in the element ids, "ZV" for
    ZVA…) follows the document subfile when ``jurisdiction_elements`` are given.
    """
    subfiles = [(subfile_type, _subfile(subfile_type, elements))]
    if jurisdiction_elements:
        jurisdiction_type = jurisdiction_elements[0][0][:2]
        subfiles.append((jurisdiction_type, _subfile(jurisdiction_type, jurisdiction_elements)))
    versions = f"{version:02d}" + (f"{jurisdiction_version:02d}" if version > 1 else "")
    fixed = f"{COMPLIANCE_PREFIX}{file_type}{iin}{versions}{len(subfiles):02d}"
    offset = len(fixed) + 10 * len(subfiles)
    designators = ""
    for kind, body in subfiles:
        designators += f"{kind}{offset:04d}{len(body.encode('latin-1')):04d}"
        offset += len(body.encode("latin-1"))
    return (fixed + designators + "".join(body for _, body in subfiles)).encode("latin-1")


def _subfile(kind: str, elements: Elements) -> str:
    return kind + "\n".join(f"{element_id}{value}" for element_id, value in elements) + "\r"


def replaced(elements: Elements, **changes: str | None) -> Elements:
    """The elements with some values changed (or added), and removed where the change is None."""
    kept = [(element_id, changes.get(element_id, value)) for element_id, value in elements]
    present = {element_id for element_id, _ in elements}
    added = [(element_id, value) for element_id, value in changes.items() if element_id not in present]
    return tuple((element_id, value) for element_id, value in kept + added if value is not None)


# What a correct parser reads from the payloads above.
USA_V8_FIELDS = DocumentFields(
    document_type="DL",
    issuing_country="USA",
    document_number="T64235789",
    surname="SAMPLE",
    given_names="MICHAEL JOHN",
    birth_date=dt.date(1978, 6, 24),
    sex="M",
    expiry_date=dt.date(2030, 8, 15),
)
USA_V1_FIELDS = DocumentFields(
    document_type="DL",
    issuing_country="USA",
    document_number="D1234567",
    surname="DOE",
    given_names="JOHN Q",
    birth_date=dt.date(1980, 1, 15),
    sex="M",
    expiry_date=dt.date(2030, 1, 15),
)
