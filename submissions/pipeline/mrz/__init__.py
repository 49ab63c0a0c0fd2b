"""Machine-readable zones, the text half (ICAO 9303 parts 3–7): parse, verify, repair, normalise.

Pure and deterministic: give it candidate lines (``parse_mrz``) or raw OCR output
(``find_mrz``) and a ``today`` for century resolution. It knows TD1 (3×30), TD2 (2×36),
TD3 (2×44), MRV-A (2×44) and MRV-B (2×36), verifies every check digit and the composite,
repairs OCR confusions only where the alphabets, the filler structure or the check digits
make it unambiguous (rules in ``mrz.repair``), and reports each repaired character.
"""

from submissions.pipeline.mrz.layouts import check_digit
from submissions.pipeline.mrz.parse import (
    MrzCheck,
    MrzRepair,
    MrzResult,
    find_mrz,
    parse_mrz,
    resolve_birth_date,
    resolve_expiry_date,
)

__all__ = [
    "MrzCheck",
    "MrzRepair",
    "MrzResult",
    "check_digit",
    "find_mrz",
    "parse_mrz",
    "resolve_birth_date",
    "resolve_expiry_date",
]
