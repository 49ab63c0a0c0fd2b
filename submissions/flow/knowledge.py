"""The Knowledge-Based pipeline's link parameters (spec §6.2: ``knowledgeField``, ``knowledgePrefill``).

Decisions where the spec is silent ([UNKNOWN] shape; docs/liveform.md, "Knowledge-Based pipeline"):

* Both count only inside ``encrypted`` (as the spec says); a plain one is ignored.
* Field names are the submission's ``data`` names (§3.2): ``first_name``, ``last_name``,
  ``date_of_birth``, ``gender``, ``nationality``, ``ssnNumber``; ``full_name`` stands for both
  names.
* ``knowledgeField``: those names, separated by commas or as a JSON list, are the inputs the
  details page shows; ``skip`` shows no page. Without it the page shows the four identity values
  (both names, date of birth, gender, nationality) and not ``ssnNumber``, which is asked only when
  listed. ``phoneNumber`` in the list adds the SMS-verified phone number step (``views.phone``,
  after the e-mail: the ID pipeline's ``auxidField``, which a KB link may not carry). Anything
  else is refused (``knowledge-field``, ``PV-40040``).
* ``knowledgePrefill``: a JSON object (or a string holding one) keyed by the same names, every
  value a string: names 1–100 characters, ``date_of_birth`` ``YYYY-MM-DD`` (1900 to today),
  ``gender`` ``male``/``female``, ``nationality`` alpha-3 (inside ``allowedCountries`` when given),
  ``ssnNumber`` 4–20 letters, digits, spaces or hyphens. Shown inputs start with their prefilled
  value and may be corrected; inputs not shown keep it. Anything else is refused
  (``knowledge-prefill``, ``PV-40041``).
* The four identity values are required (the DI and the age limit need them): one neither shown
  nor prefilled is refused (``knowledge-missing``, ``PV-40042``), e.g. ``skip`` without them all.
* A single ``allowedCountries`` value is the nationality's prefill, unless one is given.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from submissions.flow.countries import COUNTRY_NAMES
from submissions.flow.errors import FlowRefused
from submissions.flow.param_lists import parameter_names

IDENTITY_FIELDS = ("first_name", "last_name", "date_of_birth", "gender", "nationality")
KNOWLEDGE_FIELDS = (*IDENTITY_FIELDS, "ssnNumber")
ALIASES = {"full_name": ("first_name", "last_name")}
# Not an input of the details page: its own step, the number verified by a code sent by SMS
# (``views.phone``, the ID pipeline's ``auxidField=phoneNumber``), never prefilled.
PHONE_FIELD = "phoneNumber"
GENDERS = ("male", "female")
MAX_NAME = 100
OLDEST_BIRTH = dt.date(1900, 1, 1)
SSN_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 -]{2,18}[A-Za-z0-9]$"
_SSN = re.compile(SSN_PATTERN)
# What the ID-document pipeline's links may carry and a Knowledge-Based one may not (§6.2's "–"
# in the KB column for what would change the flow; ``approvePeriod``/``rejectPeriod`` are still
# honoured: the periods match e-mail, IP and identity, which KB has too).
ID_DOCUMENT_ONLY = ("allowedIdTypes", "selectedIdType", "selectedIssuingCountry", "allowedDocumentFields", "auxidField")
KNOWLEDGE_ONLY = ("knowledgeField", "knowledgePrefill")


def knowledge_fields(value: Any) -> tuple[tuple[str, ...], bool]:
    """(the details page's inputs, in page order, none when it is skipped; whether the SMS-verified
    phone number step is asked for) of ``knowledgeField``."""
    if value is None or value == "":
        return IDENTITY_FIELDS, False
    if isinstance(value, str) and value.strip().lower() == "skip":
        return (), False
    names = set()
    for item in parameter_names(value, refusal="knowledge-field"):
        if item not in KNOWLEDGE_FIELDS and item not in ALIASES and item != PHONE_FIELD:
            raise FlowRefused("knowledge-field")
        names.update(ALIASES.get(item, (item,)))
    if not names:
        raise FlowRefused("knowledge-field")
    return tuple(name for name in KNOWLEDGE_FIELDS if name in names), PHONE_FIELD in names


def knowledge_prefill(value: Any, *, allowed_countries: tuple[str, ...], today: dt.date) -> dict[str, str]:
    """The valid ``knowledgePrefill`` values by field name; ``knowledge-prefill`` otherwise."""
    if value is None or value == "":
        values: Any = {}
    elif isinstance(value, str):
        try:
            values = json.loads(value)
        except ValueError:
            raise FlowRefused("knowledge-prefill") from None
    else:
        values = value
    if not isinstance(values, dict) or not all(isinstance(item, str) for item in values.values()):
        raise FlowRefused("knowledge-prefill")
    prefill = {}
    for name, raw in values.items():
        if name not in KNOWLEDGE_FIELDS:
            raise FlowRefused("knowledge-prefill")
        text = " ".join(raw.split())
        if not _valid(name, text, allowed_countries, today):
            raise FlowRefused("knowledge-prefill")
        prefill[name] = text.upper() if name == "nationality" else text
    if "nationality" not in prefill and len(allowed_countries) == 1:
        prefill["nationality"] = allowed_countries[0]
    return prefill


def _valid(name: str, text: str, allowed_countries: tuple[str, ...], today: dt.date) -> bool:
    if name in ("first_name", "last_name"):
        return 1 <= len(text) <= MAX_NAME and not any(ord(c) < 32 for c in text)
    if name == "date_of_birth":
        return birth_date_valid(text, today)
    if name == "gender":
        return text in GENDERS
    if name == "nationality":
        code = text.upper()
        return code in COUNTRY_NAMES and (not allowed_countries or code in allowed_countries)
    return bool(_SSN.fullmatch(text))


def birth_date_valid(text: str, today: dt.date) -> bool:
    try:
        birth = dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return False
    return birth is not None and OLDEST_BIRTH <= birth <= today


def knowledge_complete(shown: tuple[str, ...], prefill: Mapping[str, str]) -> None:
    """Every identity value is asked for or prefilled; ``knowledge-missing`` when one is neither."""
    if any(name not in shown and name not in prefill for name in IDENTITY_FIELDS):
        raise FlowRefused("knowledge-missing")
