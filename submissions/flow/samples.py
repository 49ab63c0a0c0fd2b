"""Sample photos for TEST projects: a generated specimen document and a sample face.

The face is Grace Hopper's portrait that ships inside the installed matplotlib wheel (the same
photo the face evaluation set uses, ``submissions.evaluation.face_set``); the document is a
synthetic SPECIMEN (``submissions.specimens``) of the chosen type and issuing country that
prints that face as its portrait, photographed in clear conditions, valid and of an adult, so
the whole flow can be tried on a laptop and end approved. Documents are made on first use
(about a second) and kept under ``IDCHECK_VAR_DIR/liveform_samples``.

Only types and countries the specimen generator makes have a sample: its real states and the
fictional ``UTO``.
The proof-of-address step's sample is a generated bill (``submissions.specimens.bills``) naming
the sample document's holder.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from pathlib import Path

import numpy as np
from django.conf import settings

from submissions.specimens import compose_document
from submissions.specimens.bills import render_bill
from submissions.specimens.identities import FICTIONAL_STATE, REAL_STATES
from submissions.specimens.photograph import photograph

# The specimen kind for each ID type, and which printed side is the front.
SPECIMEN_KINDS = {"passport": "td3", "visa": "mrva", "government_id": "td1", "residence_permit": "td1",
                  "drivers_license": "dl_back"}  # fmt: skip
FRONT_SIDES = {"td1": "td1_front", "dl_back": "dl_front"}  # two-sided kinds: the side with the portrait
SAMPLE_COUNTRIES = frozenset({FICTIONAL_STATE, *REAL_STATES})
MIN_AGE = dt.timedelta(days=21 * 366)
MIN_VALIDITY = dt.timedelta(days=180)
SEARCH_SEEDS = 3000
_lock = threading.Lock()
SAMPLE_ADDRESS = ("12 Baker Street", "London NW1 6XE", "United Kingdom")


def sample_face_path() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"


def sample_face() -> bytes:
    return sample_face_path().read_bytes()


def sample_available(id_type: str, country: str) -> bool:
    return id_type in SPECIMEN_KINDS and country in SAMPLE_COUNTRIES


def sample_document(id_type: str, country: str, kind: str) -> bytes:
    """The front (``kind`` ``id_front``) or back (``id_back``) photo of the sample document."""
    if not sample_available(id_type, country):
        raise ValueError(f"no sample {id_type} of {country}")
    specimen = SPECIMEN_KINDS[id_type]
    folder = Path(settings.VAR_DIR) / "liveform_samples"
    target = folder / f"{specimen}_{country}_{kind}.jpg"
    with _lock:
        if not target.exists():
            _make(specimen, country, folder)
    return target.read_bytes()


def sample_bill(id_type: str, country: str) -> bytes:
    """A utility bill naming the holder of the sample document (surname and first given name, as
    the address step looks them up), issued 20 days ago, at a London address."""
    if not sample_available(id_type, country):
        raise ValueError(f"no sample {id_type} of {country}")
    today = dt.datetime.now(dt.UTC).date()
    specimen = SPECIMEN_KINDS[id_type]
    identity = compose_document(specimen, 1, seed=_seed_for(specimen, country, today), today=today).identity
    name = f"{identity.given_names.split(' ')[0]} {identity.surname}".strip().title()
    return render_bill(name=name, address_lines=SAMPLE_ADDRESS, issued=today - dt.timedelta(days=20))


def _make(specimen: str, country: str, folder: Path) -> None:
    today = dt.datetime.now(dt.UTC).date()
    seed = _seed_for(specimen, country, today)
    portrait = _portrait(folder)
    document = compose_document(specimen, 1, seed=seed, today=today, face=portrait)
    folder.mkdir(parents=True, exist_ok=True)
    for side in document.sides:
        capture = photograph(
            np.asarray(side.page.image),
            condition="clear",
            rng=random.Random(f"{seed}:sample:{side.kind}"),
            mrz_boxes=side.page.mrz_boxes,
            barcode_box=side.page.barcode_box,
        )
        is_front = side.kind == FRONT_SIDES.get(specimen, specimen)
        name = f"{specimen}_{country}_{'id_front' if is_front else 'id_back'}.jpg"
        partial = folder / f".{name}.part"
        partial.write_bytes(capture.jpeg)
        partial.replace(folder / name)


def _seed_for(specimen: str, country: str, today: dt.date) -> int:
    """The first seed whose holder is of ``country``, adult and holds a valid document."""
    for seed in range(1, SEARCH_SEEDS):
        identity = compose_document(specimen, 1, seed=seed, today=today).identity
        adult = identity.birth_date <= today - MIN_AGE
        valid = identity.expiry_date >= today + MIN_VALIDITY
        if identity.issuing_country == country and adult and valid:
            return seed
    raise ValueError(f"no specimen {specimen} of {country} in {SEARCH_SEEDS} seeds")


def _portrait(folder: Path) -> Path:
    from submissions.evaluation.face_set import portrait_source

    folder.mkdir(parents=True, exist_ok=True)
    return portrait_source(sample_face_path(), folder, "sample")
