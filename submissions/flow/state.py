"""The flow's state, kept server-side in the Django session (the cookie holds only its random key).

One flow per browser session: opening a Liveform link starts a new one with a new random
``flow`` id, which every form posts back. A post carrying another flow's id comes from a tab
left on an older flow (``hash_problem``); a step reached without a flow, or after
``FLOW_LIFETIME``, shows ``refresh``. The next step is always *derived* from what the state
holds, never remembered: a refresh or the back button lands on the step still to do, and a
form posted twice finds its step already done and is only redirected (no double submission).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from submissions.flow.errors import FlowRefused
from submissions.flow.params import LiveformParams

SESSION_KEY = "liveform"
FLOW_LIFETIME = dt.timedelta(hours=2)
# Types whose back carries the machine-readable zone or a second face of the card [UNKNOWN in
# the spec, docs/liveform.md]: the flow asks for the back of these only.
TWO_SIDED_TYPES = frozenset({"government_id", "drivers_license", "residence_permit", "aadhaar"})

CONSENT, EMAIL, COUNTRY, ID_TYPE = "consent", "email", "country", "id-type"
FRONT, BACK, SELFIE, PROCESSING = "front", "back", "selfie", "processing"
REVIEW, QUESTIONS = "review", "questions"  # the OCR confirmation page, the additional-info questions
PHONE = "phone"  # the desktop's page once its flow went on to a phone (``flow.handoff``)
ADDRESS = "address"  # the proof of address, before the selfie (docs/liveform.md)
PHONE_NUMBER = "phone-number"  # the SMS-verified phone number, after the e-mail (``views.phone``)
DETAILS = "details"  # Knowledge-Based: the identity the person types instead of a document (§6.3)
CAPTURE_KIND = {FRONT: "id_front", BACK: "id_back", ADDRESS: "address", SELFIE: "selfie"}


@dataclass
class FlowState:
    flow: str
    project_id: int
    started: float  # epoch seconds
    params: LiveformParams
    consented: bool = False
    email: str = ""
    country: str = ""
    id_type: str = ""
    captures: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> sealed capture
    submission_id: str = ""
    retry_kinds: list[str] = field(default_factory=list)  # kinds to take again after a retry
    retry_code: str = ""
    failures_seen: int = 0
    live_plan: dict[str, Any] = field(default_factory=dict)  # the live selfie's challenge, server copy
    camera_errors: list[str] = field(default_factory=list)  # getUserMedia errors met on the selfie step
    document_camera_errors: list[str] = field(default_factory=list)  # "front:NotAllowedError", …
    ocr: dict[str, Any] = field(default_factory=dict)  # the document as read in the flow (``flow.ocr``)
    review: dict[str, Any] = field(default_factory=dict)  # the confirmation page's outcome (``flow.review``)
    questions: list[dict[str, Any]] = field(default_factory=list)  # the project's, as they were when asked
    answers: list[dict[str, str]] | None = None  # the additional-info answers (``additional_list``)
    handed_off: bool = False  # this browser's flow went on to a phone: only its progress is shown here
    address_required: bool = False  # the project asked for a proof of address when the flow started
    phone_required: bool = False  # the flow asks for an SMS-verified phone number (``views.phone``)
    phone_pending: str = ""  # E.164 number a code was last sent to, not yet verified
    phone_number: str = ""  # E.164 number verified by its code: the submission's ``phoneNumber``
    knowledge: dict[str, str] = field(default_factory=dict)  # Knowledge-Based: the typed identity, once given

    @property
    def knowledge_based(self) -> bool:
        return self.params.knowledge_based

    @property
    def needs_back(self) -> bool:
        return self.id_type in TWO_SIDED_TYPES

    def kinds_needed(self) -> list[str]:
        """The images still to take before the submission can be (re)queued."""
        if self.submission_id:
            wanted = self.retry_kinds
        elif self.knowledge_based:
            wanted = ["selfie"]
        else:
            address = ["address"] if self.address_required else []
            wanted = ["id_front", *(["id_back"] if self.needs_back else []), *address, "selfie"]
        return [kind for kind in wanted if kind not in self.captures]

    def next_step(self) -> str:
        if self.handed_off:
            return PHONE
        if not self.consented:
            return CONSENT
        if not self.email:
            return EMAIL
        if self.phone_required and not self.phone_number:
            return PHONE_NUMBER
        if self.knowledge_based:
            return self._next_knowledge_step()
        if not self.country:
            return COUNTRY
        if not self.id_type:
            return ID_TYPE
        needed = self.kinds_needed()
        if not needed:  # every photo taken: processing, or the selfie step that hands them over
            return PROCESSING if self.submission_id else SELFIE
        if needed[0] in ("address", "selfie") and not self.submission_id:
            # The document is taken: its fields are confirmed and the questions answered before the
            # proof of address (if asked) and the selfie, whose photo hands everything over.
            if not self.review:
                return REVIEW
            if self.questions and self.answers is None:
                return QUESTIONS
        step = {"id_front": FRONT, "id_back": BACK, "address": ADDRESS, "selfie": SELFIE}
        return step[needed[0]]

    def _next_knowledge_step(self) -> str:
        """Knowledge-Based (spec §6.3): the details, the questions, then the selfie that hands them over."""
        if not self.knowledge:
            return DETAILS
        if self.kinds_needed():
            if not self.submission_id and self.questions and self.answers is None:
                return QUESTIONS
            return SELFIE
        return PROCESSING if self.submission_id else SELFIE

    def to_session(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["params"] = self.params.to_session()
        return data

    @classmethod
    def from_session(cls, data: dict[str, Any]) -> FlowState:
        return cls(**{**data, "params": LiveformParams.from_session(data["params"])})


def flow_start(
    session: SessionBase,
    *,
    project_id: int,
    params: LiveformParams,
    address_required: bool = False,
    questions: list[dict[str, Any]] | None = None,
) -> FlowState:
    """A new flow for this browser, replacing any earlier one. A new session key too, so a link
    opened on a shared device never continues someone else's flow. ``questions``: Knowledge-Based,
    the project's additional-info questions, kept as they are now (the ID-document flow keeps
    them when the document is confirmed)."""
    session.cycle_key()
    state = FlowState(
        flow=secrets.token_urlsafe(18),
        project_id=project_id,
        started=timezone.now().timestamp(),
        params=params,
        email=params.email,
        country=params.country,
        id_type=params.id_type,
        address_required=address_required and not params.knowledge_based,
        phone_required=params.auxid_field == "phoneNumber",
        questions=list(questions or []),
    )
    if params.knowledge_based and not params.knowledge_fields:  # knowledgeField=skip: all prefilled
        state.knowledge = dict(params.knowledge_prefill)
    flow_save(session, state)
    return state


def flow_load(session: SessionBase, *, posted_flow: str | None = None) -> FlowState:
    """The current flow; ``refresh`` when there is none or it is too old, ``hash_problem`` when a
    form of another flow was posted."""
    data = session.get(SESSION_KEY)
    if not data:
        raise FlowRefused("refresh")
    try:
        state = FlowState.from_session(data)
    except (KeyError, TypeError):  # a flow kept by an earlier version of this code
        raise FlowRefused("refresh") from None
    flow_check(state.flow, state.started, posted_flow=posted_flow)
    return state


def flow_check(flow: str, started: float, *, posted_flow: str | None) -> None:
    """``refresh`` for a flow older than ``FLOW_LIFETIME``, ``hash_problem`` when a form of
    another flow was posted (shared by the address injection's flow, ``flow.injection``)."""
    if timezone.now().timestamp() - started > FLOW_LIFETIME.total_seconds():
        raise FlowRefused("refresh")
    if posted_flow is not None and not secrets.compare_digest(posted_flow, flow):
        raise FlowRefused("hash_problem")


def flow_save(session: SessionBase, state: FlowState) -> None:
    session[SESSION_KEY] = state.to_session()
