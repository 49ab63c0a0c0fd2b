"""What every Liveform step view shares: loading the flow, sending the person to the step still to
do, rendering a step page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from projects.liveform import liveform_settings_get
from projects.models import Project
from submissions.flow.errors import FlowRefused
from submissions.flow.handoff import handoff_qr
from submissions.flow.state import (
    ADDRESS,
    BACK,
    COUNTRY,
    DETAILS,
    EMAIL,
    FRONT,
    ID_TYPE,
    PHONE_NUMBER,
    QUESTIONS,
    REVIEW,
    SELFIE,
    FlowState,
    flow_load,
    flow_save,
)

ERROR_PROJECT_KEY = "liveform_error_project"  # the project of a refused link, for the Return URL
FLOW_FIELD = "flow"
# The steps a person may see, in order, for "Step n of m" (``visible_steps`` keeps this flow's).
NUMBERED_STEPS = (EMAIL, PHONE_NUMBER, DETAILS, COUNTRY, ID_TYPE, FRONT, BACK, REVIEW, QUESTIONS, ADDRESS, SELFIE)
DOCUMENT_STEPS = frozenset({COUNTRY, ID_TYPE, FRONT, BACK, REVIEW, ADDRESS})  # not in Knowledge-Based

StepView = Callable[[HttpRequest, FlowState, Project], HttpResponse]


def error_redirect(page: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("liveform:error-page", args=[page]))


def step_redirect(step: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse(f"liveform:{step}"))


def flow_step(step: str | None) -> Callable[[StepView], Callable[..., HttpResponse]]:
    """Load the flow (``refresh`` / ``hash_problem`` on failure) and its project, and send the
    person to the step still to do when ``step`` is not it (``None``: any step may see it)."""

    def decorate(view: StepView) -> Callable[..., HttpResponse]:
        @never_cache
        @wraps(view)
        def wrapped(request: HttpRequest) -> HttpResponse:
            loaded = load_flow(request, flow_load, missing_project="page-not-found")
            if isinstance(loaded, HttpResponse):
                return loaded
            state, project = loaded
            if step is not None and state.next_step() != step:
                return step_redirect(state.next_step())
            return view(request, state, project)

        return wrapped

    return decorate


def load_flow(
    request: HttpRequest, load: Callable[..., Any], *, missing_project: str
) -> tuple[Any, Project] | HttpResponse:
    """The browser's flow (``load(session, posted_flow=…)``) and its project, or the error page
    to go to: the loader's refusal, or ``missing_project`` when the project is gone."""
    posted = request.POST.get(FLOW_FIELD, "") if request.method == "POST" else None
    try:
        state = load(request.session, posted_flow=posted)
    except FlowRefused as refusal:
        return error_redirect(refusal.page)
    project = Project.objects.filter(pk=state.project_id).first()
    if project is None:
        return error_redirect(missing_project)
    return state, project


def visible_steps(state: FlowState, project: Project) -> list[str]:
    """The steps this person sees: not those the link answered (e-mail, a single or chosen
    country, a chosen ID type), the back only for two-sided types, the confirmation page unless
    it was skipped (every field read with confidence), the questions only when the project has
    some (once the document is confirmed: those copied into the flow), the proof of address only
    when required. The count may drop by one when the confirmation page turns out skippable."""
    skipped = set()
    if state.params.email:
        skipped.add(EMAIL)
    if not state.phone_required:
        skipped.add(PHONE_NUMBER)
    if state.knowledge_based:
        skipped |= DOCUMENT_STEPS | ({DETAILS} if not state.params.knowledge_fields else set())
        if not state.questions:
            skipped.add(QUESTIONS)
        return [step for step in NUMBERED_STEPS if step not in skipped]
    skipped.add(DETAILS)
    if state.params.country:
        skipped.add(COUNTRY)
    if state.params.id_type:
        skipped.add(ID_TYPE)
    if not state.needs_back:
        skipped.add(BACK)
    if state.review.get("skipped"):
        skipped.add(REVIEW)
    questions = state.questions if state.review else liveform_settings_get(project).additional_questions
    if not questions:
        skipped.add(QUESTIONS)
    if not state.address_required:
        skipped.add(ADDRESS)
    return [step for step in NUMBERED_STEPS if step not in skipped]


def form_status(form: forms.Form) -> int:
    """400 when a posted form is re-shown with its errors, 200 for a fresh one."""
    return 400 if form.is_bound else 200


def render_step(
    request: HttpRequest, template: str, state: FlowState, project: Project, **context: Any
) -> HttpResponse:
    status = context.pop("status", 200)
    steps = visible_steps(state, project)
    current = state.next_step()
    context.update(handoff_qr(request, state))  # a desktop visitor may go on on a phone
    return render(
        request,
        template,
        {
            "project": project,
            "state": state,
            "flow": state.flow,
            "step_number": steps.index(current) + 1 if current in steps else None,
            "step_count": len(steps),
            **context,
        },
        status=status,
    )


def form_step(request: HttpRequest, state: FlowState, project: Project, form: forms.Form, template: str,
              apply: Callable[[dict[str, Any]], None]) -> HttpResponse:  # fmt: skip
    """A step that is one form: when it is valid, ``apply`` its data to the state, keep the state
    and go on to the next step; else show the form (again, with its errors)."""
    if form.is_valid():
        apply(form.cleaned_data)
        flow_save(request.session, state)
        return step_redirect(state.next_step())
    return render_step(request, template, state, project, form=form, status=form_status(form))
