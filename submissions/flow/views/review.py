"""The steps between the document and the selfie: the OCR confirmation page and the
additional-info questions.

The confirmation page reads the document's photos once (``flow.ocr``, kept in the flow) and is
skipped when the recognition score is at least 80 and every field was read; otherwise it shows
the fields as read (empty when nothing could be read: manual entry) for the person to confirm or
correct. Both what the engine read and what the person confirmed are kept, with the names of the
fields that differ (``edited``); they reach the submission with the photos.

The questions are the project's (``liveform_additional_questions``), as they were when the
document was confirmed (kept in the flow, so a change meanwhile cannot mix two versions); a
project without questions skips the step. They come before the selfie, not after it as in
the spec's list: the selfie's photo is the one that hands everything to ``submission_create``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from projects.liveform import liveform_settings_get
from projects.models import Project
from submissions.flow.captures import captures_open
from submissions.flow.forms import DocumentFieldsForm, QuestionsForm
from submissions.flow.funnel import funnel_count
from submissions.flow.ocr import REVIEW_FIELDS, FieldsRead, read_photos
from submissions.flow.state import QUESTIONS, REVIEW, FlowState, flow_save
from submissions.flow.views.common import flow_step, form_step, step_redirect


def _fields_read(state: FlowState) -> FieldsRead:
    """The document as read, reading its photos the first time only."""
    if not state.ocr:
        photos = captures_open(state)
        read = read_photos(photos["id_front"], photos.get("id_back"), today=timezone.now().date())
        state.ocr = read.to_session()
    return FieldsRead.from_session(state.ocr)


def _text(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value or "")


@require_http_methods(["GET", "POST"])
@flow_step(REVIEW)
def review(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
    funnel_count(state, REVIEW)
    if "id_front" not in captures_open(state):  # a capture that no longer opens: take it again
        flow_save(request.session, state)
        return step_redirect(state.next_step())
    read = _fields_read(state)
    if read.skippable:
        state.review = {"values": read.values, "edited": [], "skipped": True}
        state.questions = liveform_settings_get(project).additional_questions
        flow_save(request.session, state)
        return step_redirect(state.next_step())
    initial = {name: value for name, value in read.values.items() if value}
    shown = state.params.document_fields
    form = DocumentFieldsForm(request.POST if request.method == "POST" else None, initial=initial, shown=shown)

    def apply(data: dict[str, Any]) -> None:
        # A field the link does not show stays as the engine read it.
        confirmed = {
            name: _text(data.get(name)) if name in form.fields else read.values[name] for name in REVIEW_FIELDS
        }
        # A field typed in where the engine read nothing counts as edited: the value is the person's.
        edited = [name for name in REVIEW_FIELDS if confirmed[name] != read.values[name]]
        state.review = {"values": confirmed, "edited": edited, "skipped": False}
        state.questions = liveform_settings_get(project).additional_questions

    flow_save(request.session, state)  # keep the reading even when the form is shown again
    return form_step(request, state, project, form, "liveform/review.html", apply)


@require_http_methods(["GET", "POST"])
@flow_step(QUESTIONS)
def questions(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
    funnel_count(state, QUESTIONS)
    form = QuestionsForm(request.POST if request.method == "POST" else None, questions=state.questions)

    def apply(data: dict[str, Any]) -> None:
        state.answers = form.answers()

    return form_step(request, state, project, form, "liveform/questions.html", apply)
