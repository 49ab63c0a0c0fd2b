"""Filters of the Preverification pages (VPN & Proxy, Device Verification) and their page cursor."""

from __future__ import annotations

import datetime as dt

from django import forms

from network.selectors import DeviceFilters, NetworkFilters
from projects.views.event_log import cursor_decode  # the same (created_at, integer id) cursor

DETECTION_CHOICES = [("", "Any detection"), ("vpn", "VPN"), ("proxy", "Proxy"), ("tor", "TOR"),
                     ("hosting", "Hosting provider"), ("none", "None found")]  # fmt: skip
DECISION_CHOICES = [("", "Any decision"), ("block", "Block"), ("review", "Review"), ("allow", "Allow")]
VERDICT_CHOICES = [("", "Any verdict"), ("pass", "Passed"), ("static", "Static check failed (DE-20000)"),
                   ("fingerprint", "Any fingerprint flag (DE-30000)"), ("vm", "Flag: virtual machine"),
                   ("emulator", "Flag: emulator"), ("bot", "Flag: automation bot"),
                   ("tampering", "Flag: browser tampering")]  # fmt: skip
DUPLICATE_CHOICES = [("", "Any device"), ("yes", "Used by other submissions"), ("no", "Used once")]
# What an address can start with: IPv4 digits and dots, or IPv6 hex digits and colons.
_IP_PREFIX = r"^(?:[0-9.]{1,15}|[0-9A-Fa-f:.]{1,45})$"


def cursor_encode(created_at: dt.datetime, pk: int) -> str:
    """A page cursor: the last row's (created_at, id), readable and stable in a URL."""
    return f"{created_at.astimezone(dt.UTC).isoformat()}~{pk}"


class _DatedForm(forms.Form):
    created_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(
        required=False, label="To", help_text="inclusive, UTC", widget=forms.DateInput(attrs={"type": "date"})
    )
    after = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", "The last day cannot come before the first.")
        return data

    def dates(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """(first instant, first instant after the last day), UTC."""
        start, end = self.cleaned_data["created_from"], self.cleaned_data["created_to"]
        return _day_start(start), _day_start(end + dt.timedelta(days=1)) if end else None

    def cursor(self) -> tuple[dt.datetime, int] | None:
        return cursor_decode(self.cleaned_data.get("after", "")) if self.is_valid() else None


class NetworkFilterForm(_DatedForm):
    detection = forms.ChoiceField(required=False, choices=DETECTION_CHOICES, label="Detection type")
    decision = forms.ChoiceField(required=False, choices=DECISION_CHOICES, label="Decision")
    ip = forms.RegexField(
        required=False, regex=_IP_PREFIX, max_length=45, label="IP starts with",
        help_text="e.g. 198.51.100. or 2001:db8:",
        error_messages={"invalid": "Digits and dots (IPv4) or hex digits and colons (IPv6) only."},
    )  # fmt: skip

    def filters(self) -> NetworkFilters:
        """The valid filters (an invalid form filters nothing and shows its errors)."""
        if not self.is_valid():
            return NetworkFilters()
        created_from, created_before = self.dates()
        data = self.cleaned_data
        return NetworkFilters(created_from=created_from, created_before=created_before, detection=data["detection"],
                              decision=data["decision"], ip_prefix=(data["ip"] or "").lower())  # fmt: skip


class DeviceFilterForm(_DatedForm):
    verdict = forms.ChoiceField(required=False, choices=VERDICT_CHOICES, label="Verdict")
    duplicate = forms.ChoiceField(required=False, choices=DUPLICATE_CHOICES, label="Same device")

    def filters(self) -> DeviceFilters:
        if not self.is_valid():
            return DeviceFilters()
        created_from, created_before = self.dates()
        duplicate = {"yes": True, "no": False}.get(self.cleaned_data["duplicate"])
        return DeviceFilters(created_from=created_from, created_before=created_before,
                             verdict=self.cleaned_data["verdict"], duplicate=duplicate)  # fmt: skip


def _day_start(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC) if day else None
