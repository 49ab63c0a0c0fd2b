"""The steps before the photos: e-mail (when the link gave none), issuing country, ID type."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from policy.id_types import ID_TYPES
from policy.selectors import policy_settings_get
from projects.models import Project, ProjectStatus
from submissions.flow.countries import COUNTRY_NAMES, SPECIMEN_COUNTRY
from submissions.flow.forms import ChoiceStepForm, EmailForm
from submissions.flow.funnel import funnel_count
from submissions.flow.state import COUNTRY, EMAIL, ID_TYPE, FlowState, flow_save
from submissions.flow.views.common import error_redirect, flow_step, form_step, step_redirect

ID_TYPE_LABELS = {
    "government_id": gettext_lazy("National identity card"),
    "drivers_license": gettext_lazy("Driver's licence"),
    "passport": gettext_lazy("Passport"),
    "residence_permit": gettext_lazy("Residence permit"),
    "vehicle_registration_certificate": gettext_lazy("Vehicle registration certificate"),
    "visa": gettext_lazy("Visa"),
    "aadhaar": gettext_lazy("Aadhaar card"),
    "pancard": gettext_lazy("PAN card"),
}


@require_http_methods(["GET", "POST"])
@flow_step(EMAIL)
def email(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
    funnel_count(state, EMAIL)
    form = EmailForm(request.POST if request.method == "POST" else None)

    def apply(data: dict[str, Any]) -> None:
        state.email = data["email"]

    return form_step(request, state, project, form, "liveform/email.html", apply)


def country_choices(state: FlowState, project: Project) -> list[tuple[str, str]]:
    codes = list(state.params.allowed_countries) or list(COUNTRY_NAMES)
    choices = [(code, str(COUNTRY_NAMES[code])) for code in codes]
    if project.status == ProjectStatus.TEST and not state.params.allowed_countries:
        choices.append((SPECIMEN_COUNTRY, _("Utopia (specimen documents)")))
    return sorted(choices, key=lambda choice: choice[1])


@require_http_methods(["GET", "POST"])
@flow_step(COUNTRY)
def country(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
    funnel_count(state, COUNTRY)
    form = ChoiceStepForm(
        request.POST if request.method == "POST" else None,
        choices=[("", _("Choose a country")), *country_choices(state, project)],
        label=_("Country that issued your ID document"),
    )

    def apply(data: dict[str, Any]) -> None:
        state.country = data["choice"]

    return form_step(request, state, project, form, "liveform/country.html", apply)


def id_type_choices(state: FlowState, project: Project) -> list[tuple[str, str]]:
    """The project's allow-list for the chosen country (spec §8.5), narrowed to the link's
    ``allowedIdTypes`` when it has one, in the list's order."""
    allowed = policy_settings_get(project).allowed_id_types.types_for(state.country)
    link = state.params.allowed_id_types
    types = [t for t in ID_TYPES if (allowed is None or t in allowed) and (not link or t in link)]
    return [(t, str(ID_TYPE_LABELS[t])) for t in types]


@require_http_methods(["GET", "POST"])
@flow_step(ID_TYPE)
def id_type(request: HttpRequest, state: FlowState, project: Project) -> HttpResponse:
    funnel_count(state, ID_TYPE)
    choices = id_type_choices(state, project)
    if not choices:  # the link allows only types the project does not accept for this country
        return error_redirect("invalid-parameter")
    if len(choices) == 1:  # nothing to choose: skip the screen
        state.id_type = choices[0][0]
        flow_save(request.session, state)
        return step_redirect(state.next_step())
    form = ChoiceStepForm(request.POST if request.method == "POST" else None, choices=choices,
                          label=_("Type of ID document"))  # fmt: skip

    def apply(data: dict[str, Any]) -> None:
        state.id_type = data["choice"]

    return form_step(request, state, project, form, "liveform/id_type.html", apply)
