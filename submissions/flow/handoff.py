"""Desktop → phone: a desktop visitor continues the same flow on a phone through a QR code.

**Who is a desktop visitor.** The user agent, read by ua-parser as the device check does
(``network.device.assess_device``): one whose operating system is not Android, iOS or iPadOS.
A missing user agent is not judged (no QR code); an iPad announcing itself as a Mac gets the
QR code too, which it may ignore (its own camera works).

**The link.** ``/form/handoff/<token>``: 32 random bytes, of which only the SHA-256 is stored
(``LiveformHandoff``), with the desktop's session and flow. It is good once and for
``HANDOFF_LIFETIME``; claiming it is one conditional UPDATE, so two phones cannot both win.
The phone gets a new session holding a copy of the desktop's ``FlowState`` (same flow id, so
the photos already taken open there too); the desktop's flow is marked ``handed_off`` and only
shows "Continue on your phone" until the phone has sent the photos.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from importlib import import_module

import segno
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from network.device import DeviceSignals, assess_device
from submissions.flow.errors import FlowRefused
from submissions.flow.state import CAPTURE_KIND, CONSENT, SESSION_KEY, FlowState, flow_load, flow_save
from submissions.models import IdempotencyKey, LiveformHandoff

HANDOFF_LIFETIME = timedelta(minutes=10)
USER_AGENT_MAX = 512
QR_STEPS = frozenset({CONSENT, *CAPTURE_KIND})  # the pages that offer the QR code


def is_desktop(user_agent: str) -> bool:
    assessment = assess_device(DeviceSignals(user_agent=user_agent[:USER_AGENT_MAX]))
    return assessment.checked and not assessment.mobile


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def handoff_issue(session: SessionBase, state: FlowState) -> str:
    """A new single-use token for this session's flow (expired ones are dropped on the way)."""
    if session.session_key is None:
        session.save()
    now = timezone.now()
    LiveformHandoff.objects.filter(expires_at__lte=now).delete()
    token = secrets.token_urlsafe(32)
    LiveformHandoff.objects.create(token_hash=_digest(token), project_id=state.project_id, flow=state.flow,
                                   session_key=session.session_key, expires_at=now + HANDOFF_LIFETIME)  # fmt: skip
    return token


def handoff_qr(request: HttpRequest, state: FlowState) -> dict[str, object]:
    """For a desktop visitor on the consent or a photo step: a fresh phone link, as text and as
    an inline SVG QR code."""
    if state.next_step() not in QR_STEPS or not is_desktop(request.headers.get("user-agent", "")):
        return {}
    token = handoff_issue(request.session, state)
    url = request.build_absolute_uri(reverse("liveform:handoff", args=[token]))
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, title=_("QR code to continue on your phone"))
    return {"handoff": {"url": url, "qr": mark_safe(svg)}}  # noqa: S308 (segno's own markup, no input of ours)


def handoff_claim(session: SessionBase, token: str) -> FlowState:
    """Attach this (phone) browser to the flow the token was issued for; ``handoff-expired``
    when the token is unknown, used, expired, or its desktop flow is gone or was restarted."""
    now = timezone.now()
    row = LiveformHandoff.objects.filter(token_hash=_digest(token)).first()
    claimed = row is not None and LiveformHandoff.objects.filter(
        pk=row.pk, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if not claimed:
        raise FlowRefused("handoff-expired")
    assert row is not None
    desktop = import_module(settings.SESSION_ENGINE).SessionStore(session_key=row.session_key)
    try:
        state = flow_load(desktop)
    except FlowRefused:
        raise FlowRefused("handoff-expired") from None
    if state.flow != row.flow or state.handed_off:
        raise FlowRefused("handoff-expired")
    desktop[SESSION_KEY] = {**desktop[SESSION_KEY], "handed_off": True}
    desktop.save()
    session.cycle_key()
    flow_save(session, state)
    return state


def handoff_finished(state: FlowState) -> bool:
    """Whether the phone has sent the photos: the submission of this flow exists."""
    return IdempotencyKey.objects.filter(project_id=state.project_id, key=f"liveform:{state.flow}").exists()
