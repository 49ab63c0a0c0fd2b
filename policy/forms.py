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
