"""The SMS-verified phone number step, ``/form/phone-number`` (spec §6.2 ``auxidField``).

The person types their mobile number in international form, receives a 6-digit code by text
message (``idcheck.lib.sms``, the backend the operator configured) and types it in; the
verified number goes with the submission as ``phoneNumber`` (sealed, ``SubmissionDetails``).
The rules (10-minute codes, 5 wrong entries, 60 s between codes, 3 codes per flow, hashed
codes) are the service's, ``submissions.services.phone``. One page, two stages: the number
(``state.phone_pending`` empty), then the code, with "Send a new code" and "Change the number".

**Putting the step in a flow.** It is an ordinary flow step, so any pipeline reaches it by its
state alone:

1. set ``FlowState.phone_required = True`` when the flow starts (``flow.state.flow_start`` does
   it for a link whose encrypted ``auxidField`` is ``phoneNumber``; a Knowledge-Based flow may
   set it from its own parameters);
2. let the flow's ``next_step()`` return ``flow.state.PHONE_NUMBER`` while
   ``state.phone_required and not state.phone_number`` (the ID-document flow asks right after
   the e-mail, before the document);
3. when the submission is created, pass ``state.phone_number`` (E.164) as
   ``SubmissionDetails(phone_number=…)`` (``flow.submit._details`` does it): GET
   /v3/submission, the approved webhook, the dashboard, projections and partial deletion then
   treat it as the ``data`` field ``phoneNumber``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from projects.models import Project
from submissions.flow.forms import PhoneCodeForm, PhoneNumberForm
from submissions.flow.funnel import funnel_count
from submissions.flow.state import PHONE_NUMBER, FlowState, flow_save
from submissions.flow.views.common import flow_step, form_status, render_step, step_redirect
from submissions.services.phone import (
    PhoneRefused,
    phone_code_check,
    phone_code_send,
    phone_number_display,
    phone_number_parse,
)

TEMPLATE = "liveform/phone_number.html"


def _refusal_text(refusal: PhoneRefused) -> str:
    texts = {
        "phone_no_country": _("Enter the number with its country code, starting with + (for example +44 7911 123456)."),
        "phone_invalid": _("This is not a valid phone number. Check it and try again."),
        "phone_not_mobile": _("This number cannot receive text messages. Enter a mobile number."),
        "sms_limit": _("You have asked for 3 codes, the most one verification may use. "
                       "Open the link you were given to start again."),
        "sms_number_limit": _("Too many codes were sent to this number. Please try again in an hour."),
        "sms_not_sent": _("The text message could not be sent. Please try again in a minute."),
    }  # fmt: skip
    if refusal.code == "sms_too_soon":
        return _("Please wait %(seconds)s seconds before asking for a new code.") % {"seconds": refusal.extra["wait"]}
    return texts[refusal.code]


def _check_text(reason: str, remaining: int) -> str:
    if reason == "wrong":
        return _("This code is not right. Attempts left: %(count)s.") % {"count": remaining}
    if reason == "locked":
        return _("Too many wrong codes. Ask for a new code.")
    return _("This code has expired. Ask for a new code.")  # expired, or none sent yet


@require_http_methods(["GET", "POST"])
@flow_step(PHONE_NUMBER)
def phone_number(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
    funnel_count(state, PHONE_NUMBER)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "change":
        state.phone_pending = ""
        flow_save(request.session, state)
        return step_redirect(PHONE_NUMBER)
    if not state.phone_pending:
        return _number_stage(request, state, project, posted=action == "send")
    if action == "resend":
        return _send(request, state, project, state.phone_pending, PhoneCodeForm())
    return _code_stage(request, state, project, posted=action == "check")


def _number_stage(request: HttpRequest, state: FlowState, project: Project, *, posted: bool) -> HttpResponse:
    form = PhoneNumberForm(request.POST if posted else None)
    if not form.is_valid():
        return _render(request, state, project, form, status=form_status(form))
    try:
        number = phone_number_parse(form.cleaned_data["phone"])
    except PhoneRefused as refusal:
        form.add_error("phone", _refusal_text(refusal))
        return _render(request, state, project, form, status=400)
    return _send(request, state, project, number, form)


def _send(request: HttpRequest, state: FlowState, project: Project, number: str, form: forms.Form) -> HttpResponse:
    """Send a code to ``number``; on success the page asks for it, else it shows ``form`` and why."""
    try:
        phone_code_send(project=project, flow=state.flow, phone_number=number)
    except PhoneRefused as refusal:
        status = 503 if refusal.code == "sms_not_sent" else 429  # the gateway failed / a limit
        return _render(request, state, project, form, send_error=_refusal_text(refusal), status=status)
    state.phone_pending = number
    flow_save(request.session, state)
    return step_redirect(PHONE_NUMBER)


def _code_stage(request: HttpRequest, state: FlowState, project: Project, *, posted: bool) -> HttpResponse:
    form = PhoneCodeForm(request.POST if posted else None)
    if not form.is_valid():
        return _render(request, state, project, form, status=form_status(form))
    result = phone_code_check(project=project, flow=state.flow, phone_number=state.phone_pending,
                              code=form.cleaned_data["code"])  # fmt: skip
    if not result.verified:
        form.add_error("code", _check_text(result.reason, result.remaining))
        return _render(request, state, project, form, status=400)
    state.phone_number, state.phone_pending = state.phone_pending, ""
    flow_save(request.session, state)
    return step_redirect(state.next_step())


def _render(request: HttpRequest, state: FlowState, project: Project, form: forms.Form, **context: Any) -> HttpResponse:
    pending = phone_number_display(state.phone_pending) if state.phone_pending else ""
    return render_step(request, TEMPLATE, state, project, form=form, pending=pending, **context)
