"""DI and Custom DI values: keyed hashes of normalised identity values (spec §3.1, §8.6).

* **DI** (``duplicated_information``) is HMAC-SHA256, under the key HKDF derives from the
  master key for :data:`DI_PURPOSE`, of surname, given names, birth date, sex and nationality,
  each normalised; None unless all of them exist (the spec's name + DOB + gender + nationality).
  The value does not depend on the project: the same person gets the same DI in every project
  of the installation, as the spec keeps "the existing DI value across projects". Look-ups are
  per project all the same (``submissions.duplicates.services``).
* **Custom DI** is the same over the values a project chose (:data:`CUSTOM_DI_FIELDS`); the
  field names are part of the hashed text, so two choices never collide. None unless every
  chosen value exists.

Normalising: Unicode NFKD with combining marks dropped, upper case, every run of characters
other than letters and digits made one space (``O'Brien-Smith`` → ``O BRIEN SMITH``, ``Müller``
→ ``MULLER``); e-mail addresses are lower-cased and stripped only.

After a master-key rotation, look-ups match the hash under every known key
(:func:`di_lookup_values`); values stored under a key that is no longer configured stop matching.
Sex is M, F or X (an MRZ ``<`` is no value). Pure: no Django imports beyond the crypto helper.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping

from idcheck.lib.crypto import keyed_hash, keyed_hashes

DI_PURPOSE = "submissions.duplicated-information.v1"
CUSTOM_DI_PURPOSE = "submissions.custom-duplicated-information.v1"
_SEPARATOR = "\x1f"
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
SEXES = ("M", "F", "X")

# What a project may combine into its Custom DI: the document's identity (spec §3.2 ``data``
# names) and what the submitter sent (e-mail, userid, cf1–cf3).
DOCUMENT_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "nationality",
    "documentNumber",
    "idcard_issuingCountry",
    "idcard_expireDate",
    "idType",
)
SUBMITTED_FIELDS = ("email", "userid", "cf1", "cf2", "cf3")
CUSTOM_DI_FIELDS = DOCUMENT_FIELDS + SUBMITTED_FIELDS
# The data fields whose partial deletion (spec §2.6 ``data_fields``) removes the DI.
DI_DATA_FIELDS = ("first_name", "last_name", "full_name", "name", "gender", "nationality", "date_of_birth")


def normalise_name(value: str | None) -> str:
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(char for char in text if not unicodedata.combining(char)).upper()
    return _NOT_ALNUM.sub(" ", text).strip()


def normalise_value(name: str, value: object) -> str:
    """One Custom DI value as hashed text; "" when it is missing."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if name == "email":
        return text.lower()
    return normalise_name(text)


def di_text(*, surname: str | None, given_names: str | None, birth_date: dt.date | None, sex: str | None,
            nationality: str | None) -> str | None:  # fmt: skip
    """The normalised text the DI hashes, or None when any input is missing."""
    parts = (
        normalise_name(surname),
        normalise_name(given_names),
        birth_date.isoformat() if birth_date else "",
        (sex or "").strip().upper() if (sex or "").strip().upper() in SEXES else "",
        normalise_name(nationality),
    )
    if not all(parts):
        return None
    return _SEPARATOR.join(("di-v1", *parts))


def custom_di_text(values: Mapping[str, object], fields: list[str] | tuple[str, ...]) -> str | None:
    """The normalised text of the chosen ``fields``, or None when none are chosen or one is missing."""
    chosen = sorted(set(fields))
    if not chosen:
        return None
    parts = [f"{name}={normalise_value(name, values.get(name))}" for name in chosen]
    if any(part.endswith("=") for part in parts):
        return None
    return _SEPARATOR.join(("custom-di-v1", *parts))


def hash_di(text: str) -> str:
    return keyed_hash(text, purpose=DI_PURPOSE)


def hash_custom_di(text: str) -> str:
    return keyed_hash(text, purpose=CUSTOM_DI_PURPOSE)


def di_lookup_values(text: str, *, custom: bool = False) -> list[str]:
    """The hash under every known master key (current first), so look-ups survive a rotation."""
    return keyed_hashes(text, purpose=CUSTOM_DI_PURPOSE if custom else DI_PURPOSE)
