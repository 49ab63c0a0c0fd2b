"""One reading scored against its label: the result row, where it departs, our engine's reading."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from submissions.evaluation.labels import MRZ, PDF417, Label
from submissions.pipeline.document import DocumentReading

OURS = "ours"


@dataclass(frozen=True)
class Row:
    """One image read by one reader, scored against its label."""

    file: str
    reader: str  # ours, passporteye
    kind: str  # the label's kind
    condition: str
    degradations: tuple[str, ...]
    zone: str  # mrz, pdf417
    read_kind: str | None  # what the reader said it read (None: nothing)
    ms: float  # wall clock
    engine_ms: float | None  # the reader's own total (ours: timing_ms["total"])
    exact: bool  # MRZ lines, or PDF417 bytes, exactly as printed
    fields_exact: bool
    valid: bool | None  # every MRZ check digit passes; None for PDF417
    difference: str | None  # where the reading first departs from the label, for people
    read: str  # what was read, as far as it matters for the difference
    expected: str
    error: str | None = None

    @property
    def false_accept(self) -> bool:
        return self.valid is True and not self.fields_exact

    @property
    def ok(self) -> bool:
        return self.exact and self.fields_exact

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["degradations"] = list(self.degradations)
        data["ms"] = round(self.ms, 1)
        data["engine_ms"] = None if self.engine_ms is None else round(self.engine_ms, 1)
        data["false_accept"] = self.false_accept
        return data


def first_difference(read: Sequence[str], expected: Sequence[str]) -> tuple[int, int] | None:
    """(line, position), 0-based, of the first character where ``read`` departs from ``expected``."""
    for line, want in enumerate(expected):
        if line >= len(read):
            return line, 0
        got = read[line]
        for position, (a, b) in enumerate(zip(got, want, strict=False)):
            if a != b:
                return line, position
        if len(got) != len(want):
            return line, min(len(got), len(want))
    if len(read) > len(expected):
        return len(expected), 0
    return None


def first_byte_difference(read: bytes, expected: bytes) -> int | None:
    for offset, (a, b) in enumerate(zip(read, expected, strict=False)):
        if a != b:
            return offset
    return None if len(read) == len(expected) else min(len(read), len(expected))


def field_differences(read: Mapping[str, Any] | None, expected: Mapping[str, Any]) -> list[str]:
    """Names of the fields that differ, in the label's order (every field when nothing was read)."""
    read = read or {}
    names = list(expected) + [name for name in read if name not in expected]
    return [name for name in names if read.get(name) != expected.get(name)]


def excerpt(data: bytes, offset: int, width: int = 14) -> str:
    """``width`` bytes either side of ``offset``, control characters escaped."""
    start, end = max(0, offset - width), offset + width
    text = repr(data[start:end])[2:-1]
    return ("…" if start else "") + text + ("…" if end < len(data) else "")


def _fields_text(fields: Mapping[str, Any] | None, names: Sequence[str]) -> str:
    if fields is None:
        return "(no fields)"
    return ", ".join(f"{name}={fields.get(name)!r}" for name in names)


def _labelled_row(label: Label, **outcome: Any) -> Row:
    """A result row: what the label says of the image, and ``outcome`` of one reader."""
    return Row(file=label.file, kind=label.kind, condition=label.condition, degradations=label.degradations, **outcome)


def score_mrz(
    label: Label,
    *,
    reader: str,
    lines: Sequence[str] | None,
    valid: bool | None,
    fields: Mapping[str, Any] | None,
    ms: float,
    engine_ms: float | None = None,
    read_kind: str | None = None,
    error: str | None = None,
) -> Row:
    assert label.mrz_lines is not None, "score_mrz needs a label with MRZ lines"
    expected_lines = list(label.mrz_lines)
    read_lines = list(lines) if lines is not None else None
    exact = read_lines == expected_lines
    fields_exact = fields is not None and dict(fields) == dict(label.fields)
    read, expected = " / ".join(read_lines or []), " / ".join(expected_lines)
    if error is not None:
        difference = f"error: {error}"
    elif read_lines is None:
        difference, read = "nothing read", "(nothing)"
    elif not exact:
        line, position = first_difference(read_lines, expected_lines) or (0, 0)
        difference = f"line {line + 1}, position {position + 1}"
    elif not fields_exact:
        names = field_differences(fields, label.fields)
        difference = "fields: " + ", ".join(names)
        read, expected = _fields_text(fields, names), _fields_text(label.fields, names)
    else:
        difference = None
    return _labelled_row(
        label,
        reader=reader,
        zone=MRZ,
        read_kind=read_kind,
        ms=ms,
        engine_ms=engine_ms,
        exact=exact,
        fields_exact=fields_exact,
        valid=bool(valid) if read_lines is not None else False,
        difference=difference,
        read=read,
        expected=expected,
        error=error,
    )


def score_barcode(
    label: Label,
    *,
    reader: str,
    raw: bytes | None,
    fields: Mapping[str, Any] | None,
    ms: float,
    engine_ms: float | None = None,
    read_kind: str | None = None,
    error: str | None = None,
) -> Row:
    assert label.payload is not None, "score_barcode needs a label with a PDF417 payload"
    exact = raw == label.payload
    fields_exact = fields is not None and dict(fields) == dict(label.fields)
    read, expected = "", excerpt(label.payload, 0)
    if error is not None:
        difference = f"error: {error}"
    elif raw is None:
        difference, read = "nothing read", "(nothing)"
    elif not exact:
        offset = first_byte_difference(raw, label.payload) or 0
        difference = f"byte {offset} of {len(label.payload)}"
        read, expected = excerpt(raw, offset), excerpt(label.payload, offset)
    elif not fields_exact:
        names = field_differences(fields, label.fields)
        difference = "fields: " + ", ".join(names)
        read, expected = _fields_text(fields, names), _fields_text(label.fields, names)
    else:
        difference, read = None, expected
    return _labelled_row(
        label,
        reader=reader,
        zone=PDF417,
        read_kind=read_kind,
        ms=ms,
        engine_ms=engine_ms,
        exact=exact,
        fields_exact=fields_exact,
        valid=None,
        difference=difference,
        read=read,
        expected=expected,
        error=error,
    )


def score_reading(label: Label, reading: DocumentReading | None, ms: float, error: str | None = None) -> Row:
    """Our engine's reading of the image of ``label`` (None with ``error`` when it raised)."""
    fields = reading.fields.as_json() if reading is not None and reading.fields is not None else None
    engine_ms = reading.timing_ms.get("total") if reading is not None else None
    read_kind = reading.kind if reading is not None else None
    if label.zone == MRZ:
        mrz = reading.mrz if reading is not None else None
        return score_mrz(
            label,
            reader=OURS,
            lines=mrz.lines if mrz is not None else None,
            valid=mrz.valid if mrz is not None else None,
            fields=fields,
            ms=ms,
            engine_ms=engine_ms,
            read_kind=read_kind,
            error=error,
        )
    barcode = reading.barcode if reading is not None else None
    return score_barcode(
        label,
        reader=OURS,
        raw=barcode.raw if barcode is not None else None,
        fields=fields,
        ms=ms,
        engine_ms=engine_ms,
        read_kind=read_kind,
        error=error,
    )
