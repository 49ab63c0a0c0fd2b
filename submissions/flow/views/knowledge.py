"""The Knowledge-Based pipeline's details page (spec §6.3): the person types their identity instead
of photographing a document. Its inputs and prefilled values come from the link
(``knowledgeField``, ``knowledgePrefill``: ``flow.knowledge``); an input not shown keeps its
prefilled value. The questions and the selfie follow; the selfie hands everything over.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from projects.models import Project
from submissions.flow.countries import COUNTRY_NAMES
from submissions.flow.forms import KnowledgeForm
from submissions.flow.funnel import funnel_count
from submissions.flow.state import DETAILS, FlowState
from submissions.flow.views.common import flow_step, form_step


def nationality_choices(state: FlowState) -> list[tuple[str, str]]:
    """Every country, or the link's ``allowedCountries`` (in KB they narrow the nationality), by name."""
    codes = state.params.allowed_countries or tuple(COUNTRY_NAMES)
    return sorted(((code, str(COUNTRY_NAMES[code])) for code in codes), key=lambda choice: choice[1])


@require_http_methods(["GET", "POST"])
@flow_step(DETAILS)
def details(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
    funnel_count(state, DETAILS)
    prefill = dict(state.params.knowledge_prefill)
    form = KnowledgeForm(request.POST if request.method == "POST" else None, initial=prefill,
                         shown=state.params.knowledge_fields, countries=nationality_choices(state),
                         today=timezone.now().date())  # fmt: skip

    def apply(data: dict[str, Any]) -> None:
        # A shown input is the person's (an optional one they emptied stays empty); the others keep the prefill.
        hidden = {name: value for name, value in prefill.items() if name not in form.fields}
        state.knowledge = {**hidden, **form.typed()}

    return form_step(request, state, project, form, "liveform/details.html", apply)
