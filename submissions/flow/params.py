"""The Liveform link's query string (spec §6.2), read once when the flow starts.

Order of the checks: ``pid`` (it names the key that opens ``encrypted``: the SHA-256 of the
project's API key or secretKey, per its ``encryption_key`` setting, §5.1), then ``encrypted``,
then ``startValidUntil`` before anything else (§6.2), then the project's state, then the other
values. Readings where the spec is silent or tagged [INFER] (docs/liveform.md):

* With ``encrypted`` the link is in encryption-only mode: only ``pid``, ``lang`` and the
  decrypted values count, every other plain parameter is ignored (so nobody can add a plain
  value beside a protected one).
* ``startValidUntil`` and ``allowedCountries`` count only when encrypted; a plain
  ``startValidUntil`` is refused (``PV-40017``), a plain ``allowedCountries`` ignored.
* ``selectedIssuingCountry`` and ``selectedIdType`` are accepted plain too: they only skip a
  screen, and the policy still judges the document.
* The policy switches (``blacklistCountries``, ``approvePeriod``, ``rejectPeriod``,
  ``ageLimit`` = ``false``; ``rejectDuplicateUser`` = ``true``/``false``) count only inside
  ``encrypted``, except ``rejectDuplicateUser=true``, which only tightens: the spec allows them
  plain, but then anyone could lift the project's age limit or duplicate check by editing the
  link. A plain lifting switch is ignored like a plain ``allowedCountries``; a value other than
  the spec's is refused (``invalid-parameter``).
* ``mainColor`` / ``innerColor``: six hex digits, plain or encrypted (they only colour the page);
  served as CSS custom properties by ``views.theme`` (the CSP forbids inline styles).
* ``lang``: one of the Liveform's languages (``settings.LANGUAGES``), kept for the browser's
  session; an unknown one is ignored (``flow.language``).
* ``token`` (private mode, §6.5) is read here as text and judged when the flow starts
  (``submissions.services.liveform_token_use``); with private mode off it is only echoed as the
  submission's ``tokenId``.
* ``auxidField`` counts only inside ``encrypted`` (§6.2 "yes"; a plain one is ignored):
  ``phoneNumber`` adds the SMS-verified phone step; another value is ``invalid-parameter``,
  and beside ``selectedIssuingCountry`` or ``selectedIdType`` the link is ``auxid-conflict``.
* ``projectionId`` / ``projectionName`` (§2.13) count only inside ``encrypted``: a plain one
  would let the person hide their own data from the integrator. One naming no projection of
  the project (or both naming different ones) is refused (``invalid-parameter``). The
  projection's fields are copied here, when the link opens, and travel with the submission.
* ``knowledgeField`` / ``knowledgePrefill`` (Knowledge-Based projects, encrypted only) are read
  by ``flow.knowledge``; each pipeline refuses the other's parameters (``pipeline-parameter``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from idcheck.lib.crypto import DecryptionError, payload_decrypt
from policy.id_types import ID_TYPES
from policy.selectors import policy_settings_get
from policy.settings import LIFTING_OVERRIDES, SESSION_OVERRIDES
from projects.models import Project, ProjectStatus
from projects.selectors import project_payload_key, projection_find
from submissions.flow.countries import COUNTRY_NAMES
from submissions.flow.errors import FlowRefused
from submissions.flow.knowledge import (
    ID_DOCUMENT_ONLY,
    KNOWLEDGE_ONLY,
    knowledge_complete,
    knowledge_fields,
    knowledge_prefill,
)
from submissions.flow.param_lists import parameter_names

MAX_TEXT = 200  # userid, cf1–cf3: as the API accepts them
MAX_EMAIL = 254
PID_PATTERN = re.compile(r"[a-z0-9]{10}")  # a project's ``pid``: another value is not looked up
ENCRYPTED_ONLY = ("startValidUntil", "allowedCountries", "allowedIdTypes", "allowedDocumentFields", "auxidField",
                  *LIFTING_OVERRIDES, *KNOWLEDGE_ONLY)  # fmt: skip
AUXID_FIELDS = ("phoneNumber",)  # §6.2: "currently phoneNumber"
# ``allowedDocumentFields`` names the confirmation page's fields by their §3.2 ``data`` names.
DOCUMENT_FIELDS = {"last_name": "surname", "first_name": "given_names", "date_of_birth": "birth_date",
                   "documentNumber": "document_number", "idcard_expireDate": "expiry_date",
                   "nationality": "nationality", "gender": "sex"}  # fmt: skip
# What the flow reads; the spec's other parameters are listed in docs/liveform.md.
PLAIN = ("email", "userid", "cf1", "cf2", "cf3", "selectedIssuingCountry", "selectedIdType", "token",
         "rejectDuplicateUser", "mainColor", "innerColor")  # fmt: skip
_COLOUR = re.compile(r"#?([0-9A-Fa-f]{6})")


@dataclass(frozen=True)
class LiveformParams:
    email: str = ""
    userid: str = ""
    cf1: str = ""
    cf2: str = ""
    cf3: str = ""
    allowed_countries: tuple[str, ...] = ()  # empty: every country
    allowed_id_types: tuple[str, ...] = ()  # empty: every type the project accepts
    document_fields: tuple[str, ...] = ()  # the confirmation page's fields (form names); empty: all
    main_color: str = ""  # mainColor, "#rrggbb": buttons, links, focus rings; "" the built-in blue
    inner_color: str = ""  # innerColor, "#rrggbb": the page's background
    country: str = ""  # selectedIssuingCountry, or the only allowed country
    id_type: str = ""  # selectedIdType
    token: str = ""  # the private-mode Token ID, judged when the flow starts
    # The policy switches of this session by their link names (``policy.settings.SESSION_OVERRIDES``)
    policy_overrides: tuple[tuple[str, bool], ...] = ()
    projection_id: str = ""  # the projection the encrypted link chose (spec §2.13)
    projection_fields: tuple[str, ...] = ()  # its fields when the link was opened
    auxid_field: str = ""  # auxidField: "phoneNumber" adds the SMS-verified phone step (``views.phone``)
    knowledge_based: bool = False  # the project's pipeline when the link was opened (spec §6.3)
    knowledge_fields: tuple[str, ...] = ()  # Knowledge-Based: the details page's inputs (``flow.knowledge``)
    knowledge_prefill: tuple[tuple[str, str], ...] = ()  # and their prefilled values

    def to_session(self) -> dict[str, Any]:
        return {**self.__dict__, "allowed_countries": list(self.allowed_countries),
                "allowed_id_types": list(self.allowed_id_types), "document_fields": list(self.document_fields),
                "policy_overrides": dict(self.policy_overrides), "projection_fields": list(self.projection_fields),
                "knowledge_fields": list(self.knowledge_fields), "knowledge_prefill": dict(self.knowledge_prefill)}  # fmt: skip

    @classmethod
    def from_session(cls, data: Mapping[str, Any]) -> LiveformParams:
        overrides = tuple(sorted(data.get("policy_overrides", {}).items()))
        return cls(**{**data, "allowed_countries": tuple(data.get("allowed_countries", ())),
                      "allowed_id_types": tuple(data.get("allowed_id_types", ())),
                      "document_fields": tuple(data.get("document_fields", ())),
                      "policy_overrides": overrides, "projection_fields": tuple(data.get("projection_fields", ())),
                      "knowledge_fields": tuple(data.get("knowledge_fields", ())),
                      "knowledge_prefill": tuple(sorted(data.get("knowledge_prefill", {}).items()))})  # fmt: skip


def liveform_project(query: Mapping[str, str]) -> Project:
    """The project the link names; ``bad-path`` without ``pid``, ``page-not-found`` for another."""
    pid = query.get("pid", "").strip()
    if not pid:
        raise FlowRefused("bad-path")
    project = Project.objects.filter(pid=pid).first() if PID_PATTERN.fullmatch(pid) else None
    if project is None:
        raise FlowRefused("page-not-found")
    return project


def liveform_params(project: Project, query: Mapping[str, str], *, now: dt.datetime) -> LiveformParams:
    """Every check of the link after the project is known; ``FlowRefused`` names the page."""
    encrypted = query.get("encrypted", "")
    if encrypted:
        values = link_values_decrypt(project, encrypted)
    else:
        if query.get("startValidUntil"):
            raise FlowRefused("invalid-start-valid-until")
        values = {name: query[name] for name in PLAIN if name in query}
        if str(values.get("rejectDuplicateUser", "")).strip().lower() == "false":
            del values["rejectDuplicateUser"]  # a plain link may only tighten the policy
    _check_start(values.get("startValidUntil"), now)
    if project.status == ProjectStatus.CLOSED:
        raise FlowRefused("project-closed")
    if project.emergency_stop:
        raise FlowRefused("service-blocked")
    if not project.in_submission_period(now):
        raise FlowRefused("period")
    params = _validated(values, projection=_projection(project, values) if encrypted else ("", ()))
    if policy_settings_get(project).pipeline == "knowledge_based":
        return _knowledge_based(params, values, today=now.date())
    if any(name in values for name in KNOWLEDGE_ONLY):
        raise FlowRefused("pipeline-parameter")
    return params


def _knowledge_based(params: LiveformParams, values: Mapping[str, Any], *, today: dt.date) -> LiveformParams:
    """The link of a Knowledge-Based project: no document parameter, its details page's inputs."""
    if any(name in values for name in ID_DOCUMENT_ONLY):
        raise FlowRefused("pipeline-parameter")
    shown, phone = knowledge_fields(values.get("knowledgeField"))
    prefill = knowledge_prefill(values.get("knowledgePrefill"), allowed_countries=params.allowed_countries,
                                today=today)  # fmt: skip
    knowledge_complete(shown, prefill)
    return replace(params, knowledge_based=True, knowledge_fields=shown, knowledge_prefill=tuple(sorted(prefill.items())),
                   country="", auxid_field="phoneNumber" if phone else "")  # fmt: skip


def link_values_decrypt(project: Project, ciphertext: str) -> dict[str, Any]:
    """The values the link's ``encrypted`` parameter holds, opened with ``project``'s payload key;
    ``decryption-failed`` when the project has no such key, or the value does not open or holds no
    JSON object."""
    key = project_payload_key(project=project)
    if key is None:
        raise FlowRefused("decryption-failed")
    try:
        values = json.loads(payload_decrypt(ciphertext, key=key))
    except (DecryptionError, ValueError):
        raise FlowRefused("decryption-failed") from None
    if not isinstance(values, dict):
        raise FlowRefused("decryption-failed")
    return values


def _check_start(value: Any, now: dt.datetime) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not value.endswith("Z"):
        raise FlowRefused("invalid-start-valid-until")
    try:
        deadline = dt.datetime.fromisoformat(value[:-1] + "+00:00")
    except ValueError:
        raise FlowRefused("invalid-start-valid-until") from None
    if now >= deadline:
        raise FlowRefused("expired-start-valid-until")


def text_value(values: Mapping[str, Any], name: str, limit: int = MAX_TEXT, *,
               refusal: str = "invalid-parameter") -> str:  # fmt: skip
    """A text parameter, stripped; ``refusal``'s page when it is not text, too long, or holds
    control characters."""
    value = values.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit or any(ord(c) < 32 for c in value):
        raise FlowRefused(refusal)
    return value.strip()


_text = text_value


def _projection(project: Project, values: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    """The id and fields of the projection the link names, or ("", ()) when it names none."""
    projection_id, name = _text(values, "projectionId"), _text(values, "projectionName")
    if not projection_id and not name:
        return "", ()
    projection = projection_find(project=project, projection_id=projection_id, name=name)
    if projection is None:
        raise FlowRefused("invalid-parameter")
    return projection.id, tuple(projection.fields)


def _validated(values: Mapping[str, Any], *, projection: tuple[str, tuple[str, ...]]) -> LiveformParams:
    email = _text(values, "email", MAX_EMAIL)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise FlowRefused("invalid-parameter") from None
    allowed = _countries(values.get("allowedCountries"))
    country = _text(values, "selectedIssuingCountry").upper()
    if country and (country not in COUNTRY_NAMES or (allowed and country not in allowed)):
        raise FlowRefused("invalid-parameter")
    if not country and len(allowed) == 1:
        country = allowed[0]
    auxid_field = _auxid_field(values)
    id_types = _id_types(values.get("allowedIdTypes"))
    id_type = _text(values, "selectedIdType")
    if id_type and (id_type not in ID_TYPES or (id_types and id_type not in id_types)):
        raise FlowRefused("invalid-parameter")
    return LiveformParams(
        email=email,
        userid=_text(values, "userid"),
        cf1=_text(values, "cf1"),
        cf2=_text(values, "cf2"),
        cf3=_text(values, "cf3"),
        allowed_countries=allowed,
        allowed_id_types=id_types,
        document_fields=_document_fields(values.get("allowedDocumentFields")),
        main_color=_colour(values.get("mainColor")),
        inner_color=_colour(values.get("innerColor")),
        country=country,
        id_type=id_type,
        token=_text(values, "token"),
        policy_overrides=_overrides(values),
        projection_id=projection[0],
        projection_fields=projection[1],
        auxid_field=auxid_field,
    )


def _overrides(values: Mapping[str, Any]) -> tuple[tuple[str, bool], ...]:
    """The policy switches of the link: ``false`` (or JSON false) for the lifting ones,
    ``true``/``false`` for ``rejectDuplicateUser``; any other value is refused. A plain link
    reaches here with ``rejectDuplicateUser`` alone: the lifting ones count only encrypted."""
    found = {}
    for name in SESSION_OVERRIDES:
        if name not in values:
            continue
        value = values[name]
        if isinstance(value, str):
            value = {"true": True, "false": False}.get(value.strip().lower(), value)
        if not isinstance(value, bool) or (value and name in LIFTING_OVERRIDES):
            raise FlowRefused("invalid-parameter")
        found[name] = value
    return tuple(sorted(found.items()))


def _auxid_field(values: Mapping[str, Any]) -> str:
    """``auxidField`` (encrypted only, §6.2): ``phoneNumber`` or nothing. The spec forbids it
    beside ``selectedIssuingCountry`` / ``selectedIdType``: such a link is ``auxid-conflict``."""
    value = values.get("auxidField")
    if value is None or value == "":
        return ""
    if value not in AUXID_FIELDS:
        raise FlowRefused("invalid-parameter")
    if values.get("selectedIssuingCountry") or values.get("selectedIdType"):
        raise FlowRefused("auxid-conflict")
    return str(value)


def _id_types(value: Any) -> tuple[str, ...]:
    """``allowedIdTypes`` [INFER: the spec names it without a syntax]: ID type names (spec §8.5)
    separated by commas, or a JSON list of them."""
    if value is None or value == "" or value == []:
        return ()
    types = parameter_names(value, refusal="invalid-parameter")
    if not types or any(id_type not in ID_TYPES for id_type in types):
        raise FlowRefused("invalid-parameter")
    return types


def _colour(value: Any) -> str:
    """``mainColor`` / ``innerColor`` [UNKNOWN format in the spec]: six hex digits, with or
    without ``#`` (a URL must send ``#`` as ``%23``); anything else is refused."""
    if value is None or value == "":
        return ""
    found = _COLOUR.fullmatch(value.strip()) if isinstance(value, str) else None
    if found is None:
        raise FlowRefused("invalid-parameter")
    return f"#{found.group(1).lower()}"


def _document_fields(value: Any) -> tuple[str, ...]:
    """``allowedDocumentFields`` [INFER: named without a syntax]: ``data`` names (§3.2) of the
    fields the confirmation page shows, separated by commas or as a JSON list."""
    if value is None or value == "" or value == []:
        return ()
    names = parameter_names(value, refusal="invalid-parameter")
    if not names or any(name not in DOCUMENT_FIELDS for name in names):
        raise FlowRefused("invalid-parameter")
    return tuple(DOCUMENT_FIELDS[name] for name in names)


def _countries(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if not isinstance(value, str):
        raise FlowRefused("invalid-parameter")
    codes = tuple(dict.fromkeys(code.strip().upper() for code in value.split(",") if code.strip()))
    if not codes or any(code not in COUNTRY_NAMES for code in codes):
        raise FlowRefused("invalid-parameter")
    return codes
