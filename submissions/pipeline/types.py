"""Shared result types of the document engine."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class DocumentFields:
    """The identity fields every reader (MRZ, PDF417/AAMVA, visual zone) normalises to.

    Names are upper-case as printed, words separated by single spaces; countries are ISO
    3166-1 alpha-3 (or the ICAO codes D, GBD, UNO…, as printed); sex is "M", "F" or "X".
    """

    document_type: str | None = None
    issuing_country: str | None = None
    document_number: str | None = None
    surname: str | None = None
    given_names: str | None = None
    nationality: str | None = None
    birth_date: dt.date | None = None
    sex: str | None = None
    expiry_date: dt.date | None = None
    optional_data: str | None = None

    def as_json(self) -> dict[str, Any]:
        """Dates as ISO strings, for JSON output."""
        return {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in asdict(self).items()}
