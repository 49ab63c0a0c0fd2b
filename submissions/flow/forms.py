"""The Liveform's forms: each parses one step's input; the views act on it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from submissions.flow.params import MAX_EMAIL


class ConsentForm(forms.Form):
    agree = forms.BooleanField(
        label=_("I agree that my identity document and my face are processed to verify my identity."),
        error_messages={"required": _("Please agree to continue, or close this page.")},
    )


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=MAX_EMAIL,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )


class ChoiceStepForm(forms.Form):
    """One choice among ``choices`` (issuing country or ID type)."""

    choice = forms.ChoiceField()

    def __init__(self, *args: object, choices: list[tuple[str, str]], label: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["choice"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        field.label = label
        field.error_messages["required"] = _("Please choose one.")
        field.error_messages["invalid_choice"] = _("Please choose one of the options.")


class CaptureForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        error_messages={"required": _("Please take or choose a photo."), "empty": _("The photo is empty.")},
    )
