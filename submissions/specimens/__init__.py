"""Labelled synthetic identity documents, photographed, for tests, the demo and evaluation.

``make_specimens(outdir, count=N)`` writes N documents spread evenly over the kinds and the
capture conditions, as JPEG photos plus ``labels.jsonl`` (one JSON object per image):

* ``file``, ``kind`` (td3, td1, td2, mrva, mrvb, dl_back, and td1_front / dl_front for the
  second side), ``condition`` (clear, harsh; or screen, photocopy when asked), ``document`` (the number both sides share);
* ``degradations``: the harsh degradations applied, as "name:value" (empty when clear);
* ``mrz_lines`` and ``barcode_payload_b64`` (the exact AAMVA bytes), or null;
* ``fields``: exactly what a correct reader returns (``DocumentFields.as_json()``);
* ``expired`` (expiry date before ``today``), ``forged`` (the field the printed side alters, or
  null), ``face`` (the source file of the portrait this
  side shows, the TD1 back's small ghost image included; null without ``faces_dir`` and on
  licence backs), ``document_quad`` (the document's top-left, top-right, bottom-right and
  bottom-left corners in the photo, so upside-down captures can be told), ``size`` and
  ``capture`` (every capture parameter).

Everything derives from ``seed`` and the document's number, so a run is reproducible and
documents can be made in any order or in parallel. Plain Python: no Django.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from submissions.pipeline.types import DocumentFields
from submissions.specimens import documents, render
from submissions.specimens.aamva_payload import Licence, random_licence
from submissions.specimens.forgery import chosen_forgery, forged_identity
from submissions.specimens.identities import Identity, random_identity
from submissions.specimens.mrz_text import DOCUMENT_CODES, NAME_ROOM, OPTIONAL_ROOM, build_mrz
from submissions.specimens.photograph import CONDITIONS, photograph

KINDS = ("td3", "td1", "td2", "mrva", "mrvb", "dl_back")
# screen and photocopy only when asked for, so the benchmark sets stay as they were.
DEFAULT_CONDITIONS = ("clear", "harsh")
FACE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp"})
LABELS_FILE = "labels.jsonl"
EXPIRED_SHARE = 0.1
TD1_LONG_NUMBER_SHARE = 0.2


@dataclass(frozen=True)
class Summary:
    counts: dict[tuple[str, str], int]  # (label kind, condition) -> images
    documents: int
    files: int  # images, plus labels.jsonl
    seconds: float


@dataclass(frozen=True)
class _Job:
    index: int  # 1-based document number
    kind: str
    condition: str
    seed: int
    today: dt.date
    face: Path | None
    outdir: Path
    width: int  # digits in file names
    forge: str | None = None  # the field whose printing is altered


def plan(count: int, kinds: Sequence[str], conditions: Sequence[str]) -> list[tuple[str, str]]:
    """(kind, condition) of each document: kinds cycle, conditions alternate within a cycle and
    shift by one each cycle, so every pair comes up once per len(kinds) x len(conditions)
    documents, whatever the counts' parity."""
    return [
        (kinds[i % len(kinds)], conditions[(i % len(kinds) + i // len(kinds)) % len(conditions)]) for i in range(count)
    ]


def face_files(directory: Path) -> list[Path]:
    files = sorted(path for path in directory.iterdir() if path.suffix.lower() in FACE_SUFFIXES and path.is_file())
    if not files:
        raise ValueError(f"no face photos (.jpg, .jpeg, .png, .webp) in {directory}")
    return files


def make_specimens(
    outdir: Path,
    *,
    count: int,
    seed: int = 0,
    kinds: Sequence[str] = KINDS,
    conditions: Sequence[str] = DEFAULT_CONDITIONS,
    faces_dir: Path | None = None,
    today: dt.date | None = None,
    jobs: int = 1,
    forged_share: float = 0.0,
    progress: Callable[[int, int, int], None] | None = None,
) -> Summary:
    """Write ``count`` documents and ``labels.jsonl`` into ``outdir``.

    ``progress(done, count, files)`` is called after each tenth of the documents. ``today``
    (default: the UTC date) decides which documents are expired and how MRZ years resolve.
    A ``forged_share`` of the documents print a name or birth date their MRZ/barcode does not
    carry (``forgery``; the label's ``forged`` names the field).
    """
    unknown = [kind for kind in kinds if kind not in KINDS] + [c for c in conditions if c not in CONDITIONS]
    if unknown or not kinds or not conditions or count < 1:
        raise ValueError(f"nothing to make, or unknown kinds/conditions: {unknown}")
    render.check_fonts()
    started = time.perf_counter()
    today = today or dt.datetime.now(dt.UTC).date()
    faces = face_files(faces_dir) if faces_dir is not None else []
    outdir.mkdir(parents=True, exist_ok=True)
    width = max(4, len(str(count)))
    work = [
        _Job(
            index,
            kind,
            condition,
            seed,
            today,
            faces[(index - 1) % len(faces)] if faces else None,
            outdir,
            width,
            chosen_forgery(seed, index, forged_share),
        )
        for index, (kind, condition) in enumerate(plan(count, kinds, conditions), start=1)
    ]
    labels: list[dict[str, Any]] = []
    marks = {max(1, round(count * tenth / 10)) for tenth in range(1, 11)}
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init) as pool:
            results = pool.map(make_document, work, chunksize=max(1, min(8, count // (jobs * 4))))
            for done, rows in enumerate(results, start=1):
                labels += rows
                if progress and done in marks:
                    progress(done, count, len(labels))
    else:
        for done, job in enumerate(work, start=1):
            labels += make_document(job)
            if progress and done in marks:
                progress(done, count, len(labels))
    with (outdir / LABELS_FILE).open("w", encoding="utf-8") as handle:
        for row in labels:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts = Counter((row["kind"], row["condition"]) for row in labels)
    return Summary(dict(counts), count, len(labels) + 1, time.perf_counter() - started)


def _worker_init() -> None:
    """One OpenCV thread per worker: the workers already use every core."""
    cv2.setNumThreads(1)


@dataclass(frozen=True)
class Side:
    suffix: str  # "" or "_front", appended to the file name
    kind: str  # the label kind
    page: render.Page  # the clean, flat rendering
    shows_portrait: bool


@dataclass(frozen=True)
class Document:
    """One synthetic document before it is photographed: its sides and the truth about it."""

    kind: str
    identity: Identity
    fields: DocumentFields
    sides: tuple[Side, ...]
    mrz_lines: tuple[str, ...] | None = None
    barcode_payload: bytes | None = None
    forged: str | None = None  # the field the visual side prints differently from the MRZ/barcode


def compose_document(
    kind: str, index: int, *, seed: int, today: dt.date, face: Path | None = None, forge: str | None = None
) -> Document:
    """The identity, machine-readable data and clean renderings of document ``index`` of ``seed``;
    with ``forge`` (a field of ``forgery.FORGEABLE_FIELDS``) the printed side shows it altered."""
    identity_rng = random.Random(f"{seed}:{index}:identity")
    render_rng = random.Random(f"{seed}:{index}:render")
    if kind == "dl_back":
        identity = _identity(identity_rng, today, name_room=30, optional_room=0, needs_given_name=True)
        licence = random_licence(identity_rng, identity)
        printed, forged = _printed(identity, forge, seed, index)
        fields = DocumentFields(
            document_type="DL",
            issuing_country=licence.country,
            document_number=identity.document_number,
            surname=identity.surname,
            given_names=identity.given_names,
            birth_date=identity.birth_date,
            sex=identity.sex,
            expiry_date=identity.expiry_date,
        )
        sides = (
            Side("", "dl_back", documents.render_dl_back(licence, render_rng), False),
            Side("_front", "dl_front", documents.render_dl_front(_reprinted(licence, printed), face, render_rng), True),
        )
        return Document(kind, identity, fields, sides, barcode_payload=licence.payload, forged=forged)
    long_number = kind == "td1" and identity_rng.random() < TD1_LONG_NUMBER_SHARE
    identity = _identity(
        identity_rng,
        today,
        name_room=NAME_ROOM[kind],
        optional_room=OPTIONAL_ROOM[kind],
        number_length=12 if long_number else 9,
    )
    code = identity_rng.choice(DOCUMENT_CODES[kind])
    mrz = build_mrz(kind, identity, code, optional_on_first_line=not long_number and identity_rng.random() < 0.4)
    printed, forged = _printed(identity, forge, seed, index)
    if kind == "td3":
        sides = (Side("", kind, documents.render_td3(printed, mrz.lines, code, face, render_rng), True),)
    elif kind == "td1":
        sides = (
            # The back carries the MRZ and a small ghost portrait.
            Side("", kind, documents.render_td1_back(printed, mrz.lines, face, render_rng), True),
            Side("_front", "td1_front", documents.render_td1_front(printed, code, face, render_rng), True),
        )
    elif kind == "td2":
        sides = (Side("", kind, documents.render_td2(printed, mrz.lines, code, face, render_rng), True),)
    else:
        page = documents.render_visa(printed, mrz.lines, face, render_rng, large=kind == "mrva")
        sides = (Side("", kind, page, True),)
    return Document(kind, identity, mrz.fields, sides, mrz_lines=mrz.lines, forged=forged)


def _printed(identity: Identity, forge: str | None, seed: int, index: int) -> tuple[Identity, str | None]:
    """What the visual side prints: the identity, or with ``forge`` altered. Its own random
    stream, so the genuine documents of a set do not change when forgeries are added."""
    if forge is None:
        return identity, None
    return forged_identity(identity, forge, random.Random(f"{seed}:{index}:forged"))


def _reprinted(licence: Licence, printed: Identity) -> Licence:
    return licence if printed is licence.identity else dataclasses.replace(licence, identity=printed)


def make_document(job: _Job) -> list[dict[str, Any]]:
    """Compose, photograph and write one document (one or two sides); its label rows."""
    document = compose_document(job.kind, job.index, seed=job.seed, today=job.today, face=job.face, forge=job.forge)
    number = f"{job.index:0{job.width}d}"
    payload = base64.b64encode(document.barcode_payload).decode("ascii") if document.barcode_payload else None
    rows = []
    for side in document.sides:
        capture = photograph(
            np.asarray(side.page.image),
            condition=job.condition,
            rng=random.Random(f"{job.seed}:{job.index}:photo:{side.kind}"),
            mrz_boxes=side.page.mrz_boxes,
            barcode_box=side.page.barcode_box,
        )
        name = f"{number}_{job.kind}_{job.condition}{side.suffix}.jpg"
        (job.outdir / name).write_bytes(capture.jpeg)
        has_mrz = bool(side.page.mrz_boxes)
        rows.append(
            {
                "file": name,
                "kind": side.kind,
                "condition": job.condition,
                "document": number,
                "degradations": list(capture.degradations),
                "mrz_lines": list(document.mrz_lines) if has_mrz and document.mrz_lines else None,
                "barcode_payload_b64": payload if side.page.barcode_box else None,
                "fields": document.fields.as_json(),
                "expired": document.identity.expiry_date < job.today,
                "forged": document.forged,
                "face": job.face.name if job.face is not None and side.shows_portrait else None,
                "document_quad": [list(corner) for corner in capture.quad],
                "size": list(capture.size),
                "capture": capture.settings,
            }
        )
    return rows


def _identity(
    rng: random.Random,
    today: dt.date,
    *,
    name_room: int,
    optional_room: int,
    number_length: int = 9,
    needs_given_name: bool = False,
) -> Identity:
    expired = rng.random() < EXPIRED_SHARE
    while True:
        identity = random_identity(
            rng,
            today=today,
            name_room=name_room,
            expired=expired,
            number_length=number_length,
            optional_room=optional_room,
        )
        if identity.given_names or not needs_given_name:
            return identity
