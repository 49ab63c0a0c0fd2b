"""Read the printed fields of an upright document image and check them against the MRZ/barcode.

With machine-read values to look for, lines are recognised tallest first (values are printed
larger than their captions) in batches, and reading stops once every value was found: a
genuine document costs two or three batches. Only when something is missing is every line
read and the captions paired with their values, to say what the document prints instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from submissions.pipeline.types import DocumentFields
from submissions.pipeline.visual.crosscheck import FieldCheck, check_field, expected_values, matching_line
from submissions.pipeline.visual.dates import dates_in
from submissions.pipeline.visual.labels import Caption, caption_of, value_line
from submissions.pipeline.visual.ocr import RECOGNITION_BATCH, TextBox, TextLine, detect_text, recognise
from submissions.pipeline.visual.text import name_words

MIN_LINE_SCORE = 0.5  # below this the recogniser is guessing
# Lines recognised between two looks at what was found, when looking for known values: about
# as many as there are values, so a genuine page stops after one or two rounds.
EARLY_STOP_BATCH = 4


@dataclass(frozen=True)
class VisualReading:
    fields: DocumentFields  # what the captions introduce; None where not found
    checks: tuple[FieldCheck, ...]  # one per machine-read field, when there were any
    lines_read: int
    lines_found: int
    ambiguous_dates: tuple[str, ...] = field(default=())  # fields whose day and month could swap

    @property
    def shows_identity(self) -> bool:
        """Enough captioned identity fields to call this a document side (a card's front)."""
        found = (self.fields.surname, self.fields.birth_date, self.fields.document_number, self.fields.expiry_date)
        return sum(value is not None for value in found) >= 2

    def as_json(self) -> dict[str, Any]:
        return {
            "fields": self.fields.as_json(),
            "checks": {check.field: check.as_json() for check in self.checks},
            "lines_read": self.lines_read,
            "lines_found": self.lines_found,
        }


def read_visual_zone(
    image: np.ndarray,
    *,
    expected: DocumentFields | None = None,
    names_truncated: bool = False,
    text_bottom: float = 1.0,
    upright: bool = True,
) -> VisualReading:
    """``image`` is the rectified document (RGB), upright when ``upright`` (else it may be
    upside down, and the better-read way up is kept). ``expected`` are the machine-read fields
    to check, whose names were cut to fit when ``names_truncated``. Text below ``text_bottom``
    (a fraction of the height: where the MRZ starts) is left out: the MRZ is read elsewhere."""
    boxes = detect_text(image)
    if not upright and _reads_better_turned(image, boxes):
        image = np.ascontiguousarray(image[::-1, ::-1])
        boxes = [_turned(box, image) for box in boxes]  # the same lines: no second detection
    wanted = expected_values(expected) if expected is not None else {}
    boxes = _likeliest_first([box for box in boxes if box.top < image.shape[0] * text_bottom], wanted)
    lines: list[TextLine] = []
    step = EARLY_STOP_BATCH if wanted else RECOGNITION_BATCH
    for start in range(0, len(boxes), step):
        batch = recognise(image, boxes[start : start + step])
        lines.extend(line for line in batch if line.score >= MIN_LINE_SCORE)
        if wanted and all(
            matching_line(name, value, lines, truncated=names_truncated) for name, value in wanted.items()
        ):
            break
    values = _captioned_values(lines)
    checks = _missing_where_the_rest_reads(
        tuple(
            check_field(name, value, lines, values.get(name), truncated=names_truncated)
            for name, value in wanted.items()
        )
    )
    fields, ambiguous = _fields(values, checks)
    return VisualReading(fields, checks, len(lines), len(boxes), ambiguous)


# Width / height of a printed line per character, for the capitals and digits of values.
CHARACTER_ASPECT = 0.62


def _likeliest_first(boxes: list[TextBox], wanted: dict[str, str | dt.date]) -> list[TextBox]:
    """Values first: the lines whose length, told by their box's proportions, fits one of the
    values looked for; without values to look for, the tallest (values are printed larger)."""
    if not wanted:
        return sorted(boxes, key=lambda box: -box.height)
    lengths = [len(value) if isinstance(value, str) else len("01 JAN 2000") for value in wanted.values()]

    def misfit(box: TextBox) -> float:
        characters = box.width / max(box.height, 1.0) / CHARACTER_ASPECT
        return min(abs(np.log(max(characters, 0.5) / length)) for length in lengths)

    return sorted(boxes, key=misfit)


def _reads_better_turned(image: np.ndarray, boxes: list[TextBox]) -> bool:
    """Upside-down text reads with low confidence: compare the tallest lines both ways up."""
    if not boxes:
        return False
    sample = sorted(boxes, key=lambda box: -box.height)[:RECOGNITION_BATCH]
    flipped_image = np.ascontiguousarray(image[::-1, ::-1])
    as_is = np.mean([line.score for line in recognise(image, sample)])
    flipped = np.mean([line.score for line in recognise(flipped_image, [_turned(box, image) for box in sample])])
    return bool(flipped > as_is)


def _turned(box: TextBox, image: np.ndarray) -> TextBox:
    """``box`` on ``image`` turned half round (same size either way), corners kept in reading order."""
    height, width = image.shape[:2]
    return TextBox(np.float32([[width, height]]) - box.corners[[2, 3, 0, 1]])


# When this many other fields were read and matched confidently, a value printed nowhere on
# the whole document is more likely absent than misread.
MISSING_AFTER_MATCHES = 3
MISSING_MATCH_CONFIDENCE = 0.85
MISSING_CONFIDENCE = 0.6


def _missing_where_the_rest_reads(checks: tuple[FieldCheck, ...]) -> tuple[FieldCheck, ...]:
    matched = [check for check in checks if check.status == "match"]
    if len(matched) < MISSING_AFTER_MATCHES or min(check.confidence for check in matched) < MISSING_MATCH_CONFIDENCE:
        return checks
    return tuple(
        dataclasses.replace(check, status="missing", confidence=MISSING_CONFIDENCE)
        if check.status == "unread" and not check.printed
        else check
        for check in checks
    )


def _captioned_values(lines: list[TextLine]) -> dict[str, TextLine]:
    """Field name → the line its caption introduces; a strong caption beats a weak one."""
    captions = {index: caption_of(line) for index, line in enumerate(lines)}
    found: dict[str, tuple[bool, TextLine]] = {}
    for index, caption in captions.items():
        if caption is None or caption.field is None:
            continue
        value = _inline_value(lines[index], caption) or value_line(lines[index], lines, captions)
        if value is None:
            continue
        if caption.field not in found or (found[caption.field][0] and not caption.weak):
            found[caption.field] = (caption.weak, value)
    return {name: line for name, (_, line) in found.items()}


def _inline_value(line: TextLine, caption: Caption) -> TextLine | None:
    return TextLine(caption.rest, line.score, line.box) if caption.rest else None


def _fields(values: dict[str, TextLine], checks: tuple[FieldCheck, ...]) -> tuple[DocumentFields, tuple[str, ...]]:
    """What the document prints: a matched check's printed value, else the captioned value."""
    printed = {name: line.text for name, line in values.items()}
    printed.update({check.field: check.printed for check in checks if check.status == "match"})
    ambiguous = []
    dates: dict[str, dt.date | None] = {}
    for name in ("birth_date", "expiry_date"):
        matched = next((check for check in checks if check.field == name and check.status == "match"), None)
        if matched is not None:
            dates[name] = dt.date.fromisoformat(matched.expected)
            continue
        candidates = dates_in(printed.get(name, ""))
        dates[name] = candidates.pop() if len(candidates) == 1 else None
        if len(candidates) > 1:
            ambiguous.append(name)
    sex = printed.get("sex", "").strip().upper()[:1]
    fields = DocumentFields(
        document_number=_printed_number(printed.get("document_number", "")),
        surname=" ".join(name_words(printed["surname"])) or None if "surname" in printed else None,
        given_names=" ".join(name_words(printed["given_names"])) or None if "given_names" in printed else None,
        birth_date=dates["birth_date"],
        expiry_date=dates["expiry_date"],
        sex=sex if sex in ("M", "F", "X") else None,
    )
    return fields, tuple(ambiguous)


def _printed_number(text: str) -> str | None:
    """As printed, capitals and digits (the comparison folds look-alikes, the report does not)."""
    return re.sub(r"[^A-Z0-9]", "", text.upper()) or None
