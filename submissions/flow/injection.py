"""The address injection link (``action=addveri``, spec §6.1, §6.2, §6.6) and its flow's state.

Which link is an injection, in this order (docs/liveform.md, "Address injection"):

* A plain ``action`` or ``sid`` makes it a **plain** injection: ``pid``, ``sid``,
  ``action=addveri`` and the optional ``cf1``–``cf3`` and ``userid`` are read from the query,
  and an ``encrypted`` beside them is ignored, unopened (spec §6.2 precedence rule). Without
  ``pid`` or ``sid`` (or with ``sid`` but no ``action``) the page is ``Required field is
  missing``; an unknown ``pid`` is ``Invalid projectId``.
* Otherwise an ``encrypted`` whose JSON holds ``action`` or ``sid`` is an **encrypted**
  injection: the same values from inside it, plus the Injection-only options
  (``ipRiskCategory`` + ``ipRiskDurationHours``, ``distanceCheckSource`` +
  ``distanceMaxDistanceKm``), which count only there.
* Any other value of ``action``, a malformed value, or one option of a pair without the other
  is ``Invalid required``. A ``sid`` naming no submission of the project that can take an
  injection is ``Invalid submissionId``.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from projects.models import Project, ProjectStatus
from submissions.flow.errors import FlowRefused
from submissions.flow.params import PID_PATTERN, link_values_decrypt, text_value
from submissions.flow.state import SESSION_KEY as FLOW_SESSION_KEY
from submissions.flow.state import flow_check
from submissions.injection import IP_RISK_CATEGORIES, InjectionOptions

ACTION = "addveri"
SESSION_KEY = "liveform_injection"
MAX_ATTEMPTS = 3  # tries of one link's flow (issue 6: "up to 3 attempts on a failed step")
MAX_RISK_HOURS = 24 * 365
MAX_DISTANCE_KM = 20_038.0  # half the Earth's circumference: no two places are further apart
_SID = re.compile(r"[a-z0-9]{15}_[a-z0-9]{2}")
ECHOES = ("userid", "cf1", "cf2", "cf3")


@dataclass(frozen=True)
class InjectionLink:
    project: Project
    submission_id: str
    echo: dict[str, str]  # cf1–cf3 and userid of the link, those given
    options: InjectionOptions


def injection_asked(query: Mapping[str, str]) -> bool:
    """A plain ``action`` or ``sid``: the link is a plain injection, whatever else it carries."""
    return "action" in query or "sid" in query


def injection_plain(query: Mapping[str, str]) -> InjectionLink:
    pid = query.get("pid", "").strip()
    if not pid or not query.get("sid", "").strip() or "action" not in query:
        raise FlowRefused("injection-missing")
    project = Project.objects.filter(pid=pid).first() if PID_PATTERN.fullmatch(pid) else None
    if project is None:
        raise FlowRefused("injection-invalid-project")
    values = {name: query[name] for name in ("action", "sid", *ECHOES) if name in query}
    return _link(project, values, options=InjectionOptions())


def injection_encrypted(project: Project, query: Mapping[str, str]) -> InjectionLink | None:
    """The encrypted injection of ``project``'s link, or None when ``encrypted`` holds none
    (the ordinary flow then reads it)."""
    ciphertext = query.get("encrypted", "")
    if not ciphertext:
        return None
    values = link_values_decrypt(project, ciphertext)
    if "action" not in values and "sid" not in values:
        return None
    if not values.get("sid") or "action" not in values:
        raise FlowRefused("injection-missing")
    return _link(project, values, options=_options(values))


def _link(project: Project, values: Mapping[str, Any], *, options: InjectionOptions) -> InjectionLink:
    if values.get("action") != ACTION:
        raise FlowRefused("injection-invalid")
    echo = {name: _text(values, name) for name in ECHOES if _text(values, name)}
    sid = values.get("sid")
    if not isinstance(sid, str) or not _SID.fullmatch(sid.strip()):
        raise FlowRefused("injection-invalid-submission")
    if project.status == ProjectStatus.CLOSED:
        raise FlowRefused("project-closed")
    if project.emergency_stop:
        raise FlowRefused("service-blocked")
    return InjectionLink(project, sid.strip(), echo, options)


def _text(values: Mapping[str, Any], name: str) -> str:
    return text_value(values, name, refusal="injection-invalid")


def _options(values: Mapping[str, Any]) -> InjectionOptions:
    """The pairs of spec §6.2: both or neither, else ``Invalid required``."""
    categories, hours = values.get("ipRiskCategory"), values.get("ipRiskDurationHours")
    source, km = values.get("distanceCheckSource"), values.get("distanceMaxDistanceKm")
    if (categories is None) != (hours is None) or (source is None) != (km is None):
        raise FlowRefused("injection-invalid")
    return InjectionOptions(
        ip_risk_categories=_categories(categories) if categories is not None else (),
        ip_risk_hours=_number(hours, whole=True, high=MAX_RISK_HOURS) if hours is not None else 0,
        distance_source="ipGeo" if _source(source) else "",
        distance_max_km=_number(km, whole=False, high=MAX_DISTANCE_KM) if km is not None else 0.0,
    )  # type: ignore[arg-type]


def _categories(value: Any) -> tuple[str, ...]:
    """``vpn,proxy,tor`` (a comma list; spaces around the commas are forgiven), or a JSON list."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise FlowRefused("injection-invalid")
    categories = tuple(dict.fromkeys(item.strip().lower() for item in items))
    if not categories or any(category not in IP_RISK_CATEGORIES for category in categories):
        raise FlowRefused("injection-invalid")
    return categories


def _source(value: Any) -> bool:
    if value is None:
        return False
    if value != "ipGeo":  # the only source the spec names
        raise FlowRefused("injection-invalid")
    return True


def _number(value: Any, *, whole: bool, high: float) -> Any:
    """A positive number (a JSON number or its digits as text) up to ``high``."""
    if isinstance(value, str):
        try:
            value = int(value) if whole else float(value)
        except ValueError:
            raise FlowRefused("injection-invalid") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or (whole and not isinstance(value, int)):
        raise FlowRefused("injection-invalid")
    if not math.isfinite(value) or not 0 < value <= high:
        raise FlowRefused("injection-invalid")
    return value if whole else float(value)


@dataclass
class InjectionState:
    """One injection flow in the browser's session, like ``flow.state.FlowState``."""

    flow: str
    project_id: int
    submission_id: str
    started: float
    echo: dict[str, str]
    options: dict[str, Any]
    injection_id: int | None = None  # the injection being checked or last checked
    attempts: int = 0

    @property
    def can_retry(self) -> bool:
        return self.attempts < MAX_ATTEMPTS


def injection_start(session: SessionBase, link: InjectionLink) -> InjectionState:
    """A new injection flow, replacing any flow of this browser (and a new session key)."""
    session.cycle_key()
    session.pop(FLOW_SESSION_KEY, None)
    state = InjectionState(flow=secrets.token_urlsafe(18), project_id=link.project.pk,
                           submission_id=link.submission_id, started=timezone.now().timestamp(),
                           echo=link.echo, options=link.options.to_json())  # fmt: skip
    injection_save(session, state)
    return state


def injection_load(session: SessionBase, *, posted_flow: str | None = None) -> InjectionState:
    data = session.get(SESSION_KEY)
    if not data:
        raise FlowRefused("refresh")
    try:
        state = InjectionState(**data)
    except TypeError:
        raise FlowRefused("refresh") from None
    flow_check(state.flow, state.started, posted_flow=posted_flow)
    return state


def injection_save(session: SessionBase, state: InjectionState) -> None:
    session[SESSION_KEY] = dict(state.__dict__)
