"""The Liveform's forms: each parses one step's input; the views act on it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from submissions.flow.knowledge import MAX_NAME, SSN_PATTERN, birth_date_valid
from submissions.flow.params import MAX_EMAIL


class ConsentForm(forms.Form):
    agree = forms.BooleanField(
        label=_("I agree that my identity document and my face are processed to verify my identity."),
        error_messages={"required": _("Please agree to continue, or close this page.")},
    )

    def __init__(self, *args: object, knowledge_based: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if knowledge_based:  # no document (spec §6.3): the details typed instead
            self.fields["agree"].label = _(
                "I agree that the details I type and my face are processed to verify my identity."
            )


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=MAX_EMAIL,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )


class PhoneNumberForm(forms.Form):
    """The phone step's number; ``views.phone`` parses it (``services.phone.phone_number_parse``)."""

    phone = forms.CharField(
        label=_("Mobile phone number, with its country code"),
        max_length=40,
        error_messages={"required": _("Please enter your mobile phone number.")},
    )


class PhoneCodeForm(forms.Form):
    """The 6-digit code the phone step sent; spaces typed between the digits are dropped."""

    code = forms.CharField(label=_("Code"), max_length=20,
                           error_messages={"required": _("Please enter the 6-digit code.")})  # fmt: skip

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != 6 or not code.isascii() or not code.isdigit():
            raise forms.ValidationError(_("Please enter the 6-digit code."))
        return code


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


class DocumentFieldsForm(forms.Form):
    """The OCR confirmation page: the fields as read, for the person to confirm or correct."""

    surname = forms.CharField(label=_("Surname"), max_length=100)
    given_names = forms.CharField(label=_("Given names"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}))
    document_number = forms.CharField(label=_("Document number"), max_length=40)
    expiry_date = forms.DateField(label=_("Expiry date"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    nationality = forms.RegexField(label=_("Nationality (3 letters, e.g. FRA)"), regex=r"^[A-Za-z]{1,3}$",
                                   required=False, error_messages={"invalid": _("Enter the 3-letter code.")})  # fmt: skip
    sex = forms.ChoiceField(label=_("Sex"), required=False,
                            choices=[("", "—"), ("F", _("Female")), ("M", _("Male")), ("X", _("Unspecified"))])  # fmt: skip

    def __init__(self, *args: object, shown: tuple[str, ...] = (), **kwargs: object) -> None:
        """``shown``: the only fields to ask about (the link's ``allowedDocumentFields``); empty: all."""
        super().__init__(*args, **kwargs)
        for name in [name for name in self.fields if shown and name not in shown]:
            del self.fields[name]
        styled(self)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        for name in ("surname", "given_names", "document_number", "nationality"):
            if isinstance(data.get(name), str):
                data[name] = " ".join(data[name].split()).upper()
        return data


class KnowledgeForm(forms.Form):
    """Knowledge-Based (spec §6.3): the identity the person types, by ``data`` names (§3.2); only the
    link's ``knowledgeField`` inputs are kept (``flow.knowledge``)."""

    first_name = forms.CharField(label=_("Given names"), max_length=MAX_NAME,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))  # fmt: skip
    last_name = forms.CharField(label=_("Surname"), max_length=MAX_NAME,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))  # fmt: skip
    date_of_birth = forms.DateField(label=_("Date of birth"),
                                    widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}))  # fmt: skip
    gender = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), ("female", _("Female")), ("male", _("Male"))])
    nationality = forms.ChoiceField(label=_("Nationality"))
    ssnNumber = forms.RegexField(label=_("Social security number"), regex=SSN_PATTERN, max_length=20,  # noqa: N815 (§3.2)
                                 required=False)  # fmt: skip

    def __init__(self, *args: object, shown: tuple[str, ...], countries: list[tuple[str, str]], today: dt.date,
                 **kwargs: object) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.today = today
        for name in [name for name in self.fields if name not in shown]:
            del self.fields[name]
        if "nationality" in self.fields:
            field = self.fields["nationality"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("Choose a country")), *countries]
        styled(self)

    def clean_date_of_birth(self) -> dt.date:
        birth = self.cleaned_data["date_of_birth"]
        if not birth_date_valid(birth.isoformat(), self.today):
            raise forms.ValidationError(_("Enter your real date of birth."))
        return birth

    def typed(self) -> dict[str, str]:
        """The cleaned values as text (dates ISO), by field name; names with their spaces tidied."""
        values = {name: value.isoformat() if isinstance(value, dt.date) else " ".join(str(value).split())
                  for name, value in self.cleaned_data.items()}  # fmt: skip
        return {name: value for name, value in values.items() if value}


def styled(form: forms.Form) -> None:
    """The Liveform's look on every control of ``form`` (rendered by ``_fields.html``)."""
    for field in form.fields.values():
        if not isinstance(field.widget, forms.CheckboxInput | forms.RadioSelect):
            field.widget.attrs.setdefault("class", "lf-input")


MAX_ANSWER = 500


class QuestionsForm(forms.Form):
    """The project's additional-info questions (``projects.liveform``), one field each, named
    ``q_<id>``: text, one choice among the options, or a checkbox (required: must be ticked)."""

    def __init__(self, *args: object, questions: list[dict[str, Any]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q_{question['id']}"] = _question_field(question)
        styled(self)

    def answers(self) -> list[dict[str, str]]:
        """The spec's ``additional_list`` (with each question's ``id``), in the questions' order."""
        answers = []
        for question in self.questions:
            value = self.cleaned_data.get(f"q_{question['id']}")
            answer = ("true" if value else "false") if question["type"] == "checkbox" else str(value or "")
            answers.append({"id": question["id"], "inputValue": question["label"], "answer": answer,
                            "blockType": question["type"]})  # fmt: skip
        return answers


def _question_field(question: dict[str, Any]) -> forms.Field:
    label, required = question["label"], question["required"]
    if question["type"] == "checkbox":
        return forms.BooleanField(label=label, required=required,
                                  error_messages={"required": _("Please tick this box to continue.")})  # fmt: skip
    if question["type"] == "choice":
        return forms.ChoiceField(label=label, required=required, widget=forms.RadioSelect,
                                 choices=[(option, option) for option in question["options"]],
                                 error_messages={"required": _("Please choose one.")})  # fmt: skip
    return forms.CharField(label=label, required=required, max_length=MAX_ANSWER,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class InjectionAddressForm(forms.Form):
    """The address injection's step: the declared address and a photo of its proof. A field left
    empty is the spec's "Required field is missing" (§6.6)."""

    street = forms.CharField(label=_("Street and number"), max_length=200)
    city = forms.CharField(label=_("City"), max_length=100)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    country = forms.ChoiceField(label=_("Country"))
    photo = forms.FileField(label=_("Take a photo of the document"))

    def __init__(self, *args: Any, countries: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        country.choices = [("", "—"), *countries]
        for field in self.fields.values():
            field.error_messages["required"] = _("Required field is missing")
        self.fields["photo"].error_messages["empty"] = _("The photo is empty.")
        country.error_messages["invalid_choice"] = _("Please choose one of the options.")
