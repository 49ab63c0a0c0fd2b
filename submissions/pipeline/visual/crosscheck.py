"""Does the visual zone say what the MRZ or the barcode says? Field by field, with confidence.

A field is ``match`` when some printed line carries the machine-read value (OCR look-alikes
and the MRZ's truncation and transliteration allowed), ``mismatch`` when the line its caption
introduces clearly says something else, ``missing`` when it is printed nowhere although the
other fields read well (``read.py`` decides that, it needs them all), and ``unread`` when none
can be told (caption not found, text too damaged). Only a confident mismatch is a strong
forgery signal: a misread is not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from submissions.pipeline.types import DocumentFields
from submissions.pipeline.visual.dates import dates_in
from submissions.pipeline.visual.ocr import TextLine
from submissions.pipeline.visual.text import name_words, number_key, similarity

CHECKED_FIELDS = ("surname", "given_names", "document_number", "birth_date", "expiry_date")
# Word similarity above which an OCR-damaged name still counts as the same name.
NAME_WORD_SIMILARITY = 0.8
# A caption's value this different from the machine-read one, read with this confidence,
# is a mismatch rather than a misread.
MISMATCH_BELOW_SIMILARITY = 0.6
MISMATCH_MIN_OCR_SCORE = 0.8


@dataclass(frozen=True)
class FieldCheck:
    field: str
    status: str  # match, mismatch, missing, unread
    expected: str
    printed: str  # the printed text that decided, "" when unread
    confidence: float  # how sure the status is, 0–1

    def as_json(self) -> dict[str, object]:
        return {
            "status": self.status,
            "expected": self.expected,
            "printed": self.printed,
            "confidence": round(self.confidence, 2),
        }


def expected_values(fields: DocumentFields) -> dict[str, str | dt.date]:
    return {name: getattr(fields, name) for name in CHECKED_FIELDS if getattr(fields, name)}


def matching_line(
    field: str, expected: str | dt.date, lines: list[TextLine], *, truncated: bool = False
) -> TextLine | None:
    """The first printed line that carries ``expected``, the likeliest first. ``truncated``:
    the machine-readable names were cut to fit (an MRZ name field filled to its end)."""
    for line in lines:
        if _carries(field, expected, line.text, truncated=truncated):
            return line
    return None


def check_field(
    field: str, expected: str | dt.date, lines: list[TextLine], value: TextLine | None, *, truncated: bool = False
) -> FieldCheck:
    shown = expected.isoformat() if isinstance(expected, dt.date) else expected
    found = matching_line(field, expected, lines, truncated=truncated)
    if found is not None:
        return FieldCheck(field, "match", shown, found.text, found.score)
    if value is None:
        return FieldCheck(field, "unread", shown, "", 0.5)
    distance = _similarity(field, expected, value.text)
    if distance < MISMATCH_BELOW_SIMILARITY and value.score >= MISMATCH_MIN_OCR_SCORE:
        return FieldCheck(field, "mismatch", shown, value.text, value.score * (1 - distance))
    return FieldCheck(field, "unread", shown, value.text, 0.5)


def _carries(field: str, expected: str | dt.date, text: str, *, truncated: bool) -> bool:
    if isinstance(expected, dt.date):
        return expected in dates_in(text)
    if field == "document_number":
        return number_key(expected) in number_key(text)
    return _names_match(expected, text, truncated=truncated)


def _names_match(expected: str, text: str, *, truncated: bool) -> bool:
    """Every word of the machine-read name is printed, in order; an MRZ may spell Ä as AE or A
    and, when its name field is full, cut the last word short."""
    wanted = name_words(expected)
    for spelling in (name_words(text), name_words(text, icao_spelling=True)):
        # OCR drops the space between close-set words: compare the letters alone too.
        if _words_in_order(wanted, spelling, truncated) or _words_in_order(
            ["".join(wanted)], ["".join(spelling)], truncated
        ):
            return True
    return False


def _words_in_order(wanted: list[str], printed: list[str], truncated: bool) -> bool:
    if not wanted:
        return False
    position = 0
    for index, word in enumerate(wanted):
        last = truncated and index == len(wanted) - 1
        while position < len(printed) and not _same_word(word, printed[position], truncated=last):
            position += 1
        if position == len(printed):
            return False
        position += 1
    return True


def _same_word(wanted: str, printed: str, *, truncated: bool) -> bool:
    if truncated and len(wanted) >= 2 and printed.startswith(wanted):
        return True
    return similarity(wanted, printed) >= NAME_WORD_SIMILARITY


def _similarity(field: str, expected: str | dt.date, text: str) -> float:
    if isinstance(expected, dt.date):
        return 1.0 if expected in dates_in(text) else 0.0 if dates_in(text) else 0.5
    if field == "document_number":
        return similarity(number_key(expected), number_key(text))
    return similarity(" ".join(name_words(expected)), " ".join(name_words(text)))
