"""The labels of a specimen set: load and check ``labels.jsonl``, and which zone each image has."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from submissions.specimens import LABELS_FILE

MRZ, PDF417 = "mrz", "pdf417"


class LabelsError(ValueError):
    """The specimen directory or its labels cannot be evaluated."""


@dataclass(frozen=True)
class Label:
    file: str
    kind: str  # td3, td1, td2, mrva, mrvb, dl_back, td1_front, dl_front (fronts: no machine-readable zone)
    condition: str  # clear, harsh
    degradations: tuple[str, ...]
    mrz_lines: tuple[str, ...] | None
    payload: bytes | None  # the exact AAMVA bytes of the PDF417
    fields: Mapping[str, Any]  # DocumentFields.as_json() of a correct reading
    document: str = ""  # the number both sides of one document share
    forged: str | None = None  # the field whose printing differs from the MRZ/barcode

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
            document=str(row.get("document", "")),
            forged=str(row["forged"]) if row.get("forged") else None,
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
