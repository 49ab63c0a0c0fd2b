"""Additional Info (spec §6.3 ``additional_list``): the project's own questions, as JSON."""

from __future__ import annotations

import json

from django import forms
from django.http import HttpRequest, HttpResponse

from projects.access import otp_required
from projects.forms import SettingsForm
from projects.views.settings.common import SettingsArea, area_page

KEY = "liveform_additional_questions"
EXAMPLE = [
    {"id": "occupation", "label": "Your occupation", "type": "text", "required": True},
    {"id": "funds", "label": "Source of funds", "type": "choice", "options": ["Salary", "Savings"]},
    {"id": "pep", "label": "I am not a politically exposed person", "type": "checkbox", "required": True},
]

AREA = SettingsArea(
    url_name="settings_additional_info",
    title="Additional Info",
    template="dashboard/settings/additional_info.html",
    keys=(KEY,),
)


def _indented(form: SettingsForm) -> None:
    """One question per few lines reads better than the registry's one-line JSON."""
    field = form.fields[KEY]
    field.widget = forms.Textarea(attrs={"rows": 16, "class": "mono", "spellcheck": "false"})
    field.initial = json.dumps(json.loads(field.initial), indent=2)


@otp_required
def page(request: HttpRequest, pid: str) -> HttpResponse:
    return area_page(request, pid, AREA, prepare=_indented, example=json.dumps(EXAMPLE, indent=2))
