"""Forged specimens: the printed (visual) zone says something the MRZ or barcode does not.

The classic alterations of a stolen or borrowed document: another holder's surname or given
name printed over the original, or a birth date moved a few years to pass an age limit. The
machine-readable data is left as issued, so the visual cross-check is what can catch them.
Chosen per document from its own random stream, so a set without forgeries is unchanged.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from submissions.specimens.identities import GIVEN_NAMES, SURNAMES, Identity

FORGEABLE_FIELDS = ("surname", "given_names", "birth_date")


def chosen_forgery(seed: int, index: int, share: float) -> str | None:
    """The field document ``index`` has forged, or None (a share of ``share`` are forged)."""
    if share <= 0:
        return None
    rng = random.Random(f"{seed}:{index}:forgery")
    return rng.choice(FORGEABLE_FIELDS) if rng.random() < share else None


def forged_identity(identity: Identity, field: str, rng: random.Random) -> tuple[Identity, str]:
    """``identity`` with ``field`` printed differently (another name, or a birth date moved),
    and the field forged: a holder without given names gets another surname instead."""
    if field == "given_names" and not identity.given_names:
        field = "surname"
    return _forged(identity, field, rng), field


def _forged(identity: Identity, field: str, rng: random.Random) -> Identity:
    if field == "surname":
        return dataclasses.replace(
            identity, surname=rng.choice([name for name in SURNAMES if name != identity.surname])
        )
    if field == "given_names":
        current = identity.given_names.split(" ")[0]
        return dataclasses.replace(
            identity, given_names=rng.choice([name for name in GIVEN_NAMES[identity.sex] if name != current])
        )
    if field == "birth_date":
        years = rng.choice((-5, -4, -3, -2, 2, 3))
        return dataclasses.replace(identity, birth_date=_years_moved(identity.birth_date, years))
    raise ValueError(f"cannot forge {field!r}")


def _years_moved(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
