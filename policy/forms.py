"""Dashboard forms of the policy page: shape only; ``policy.services`` validates and acts."""

from __future__ import annotations

import json
from typing import Any

from django import forms


class RulesPublishForm(forms.Form):
    rules = forms.CharField(
        label="Rules (JSON)",
        widget=forms.Textarea(attrs={"rows": 16, "class": "mono", "spellcheck": "false"}),
        help_text="A list of rules, or an object with 'rules'. The version is numbered for you.",
    )
    based_on_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def clean_rules(self) -> Any:
        text = self.cleaned_data["rules"]
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not JSON: line {exc.lineno} column {exc.colno}: {exc.msg}.") from None


class IdTypesUploadForm(forms.Form):
    REPLACE_ALL, UPDATE_COUNTRIES = "all", "countries"

    csv_file = forms.FileField(label="CSV file", help_text="UTF-8, header country,id_type, one pair per line.")
    mode = forms.ChoiceField(
        label="What the file replaces",
        choices=[
            (UPDATE_COUNTRIES, "Only the countries in the file (the others keep their types)"),
            (REPLACE_ALL, "The whole table: the file becomes the table"),
        ],
        initial=UPDATE_COUNTRIES,
        widget=forms.RadioSelect,
    )
