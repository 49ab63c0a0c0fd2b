"""Dashboard forms of the webhooks app."""

from __future__ import annotations

from django import forms


class ReplayRangeForm(forms.Form):
    """Dead letters of events emitted from ``since`` up to (not including) ``until``, in UTC."""

    since = forms.DateTimeField(label="From (UTC)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    until = forms.DateTimeField(label="Until (UTC)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class RecipientForm(forms.Form):
    name = forms.CharField(max_length=120)
    email = forms.EmailField(label="E-mail")
