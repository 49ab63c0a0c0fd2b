"""Dashboard forms of User Submissions: the list's filters and the reviewer's rejection."""

from __future__ import annotations

import datetime as dt
import re

from django import forms

from policy.id_types import ID_TYPES
from submissions.models import SubmissionStatus
from submissions.selectors import SubmissionFilters, name_words
from submissions.services.review import MAX_COMMENT_LENGTH

SORTS = (("newest", "Newest first"), ("oldest", "Oldest first"))
KEYWORD_KINDS = ("email", "userid", "id", "name")
KEYWORD_HELP = (
    "An e-mail (has an @), a submission id (15 letters or digits, _ and 2 more), a full name "
    "(two or more words of letters: every word must be in the holder's name) or else a userid "
    "(exact). Start with email:, userid:, id: or name: to say which."
)
_SUBMISSION_ID = re.compile(r"[a-z0-9]{15}_[a-z0-9]{2}")
_NAME = re.compile(r"[^\W\d_]+(?:[\s'.-]+[^\W\d_]+)+")
_PREFIX = re.compile(r"(?P<kind>email|userid|id|name):\s*(?P<text>.*)", re.IGNORECASE | re.DOTALL)
_CURSOR = re.compile(r"(?P<at>\d{4}-\d\d-\d\dT[\d:.]+\+00:00)~(?P<id>[a-z0-9_]{1,18})")


def cursor_encode(created_at: dt.datetime, submission_id: str) -> str:
    """A page cursor: the last row's (created_at, id), readable and stable in a URL."""
    return f"{created_at.astimezone(dt.UTC).isoformat()}~{submission_id}"


def keyword_kind(text: str) -> tuple[str, str]:
    """What the keyword box holds: (kind, text), kind one of :data:`KEYWORD_KINDS`; ("", "") empty.

    A prefix decides; otherwise an @ makes an e-mail, the id shape a submission id, two or more
    words of letters only a name, anything else a userid (one word, digits, other signs)."""
    text = text.strip()
    prefixed = _PREFIX.fullmatch(text)
    if prefixed:
        return prefixed["kind"].lower(), prefixed["text"].strip()
    if not text:
        return "", ""
    if "@" in text:
        return "email", text
    if _SUBMISSION_ID.fullmatch(text.lower()):
        return "id", text.lower()
    if _NAME.fullmatch(text):
        return "name", text
    return "userid", text


def cursor_decode(value: str) -> tuple[dt.datetime, str] | None:
    match = _CURSOR.fullmatch(value or "")
    if match is None:
        return None
    try:
        return dt.datetime.fromisoformat(match["at"]), match["id"]
    except ValueError:
        return None


class SubmissionFilterForm(forms.Form):
    created_from = forms.DateField(required=False, label="Created from", widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(
        required=False, label="Created to", help_text="inclusive, UTC", widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *SubmissionStatus.choices])
    country = forms.RegexField(
        required=False, regex=r"^[A-Za-z]{3}$", label="Issuing country", help_text="alpha-3, as claimed",
        error_messages={"invalid": "Three letters, e.g. EST."},
    )  # fmt: skip
    nationality = forms.RegexField(
        required=False, regex=r"^[A-Za-z]{3}$", label="Nationality", help_text="alpha-3, as read from the document",
        error_messages={"invalid": "Three letters, e.g. EST."},
    )  # fmt: skip
    id_type = forms.ChoiceField(
        required=False, label="ID type", choices=[("", "Any ID type"), *[(t, t.replace("_", " ")) for t in ID_TYPES]]
    )
    aml = forms.ChoiceField(
        required=False, label="AML result",
        choices=[("", "Any AML result"), ("red_flag", "Red Flag"), ("clean", "Screened, no match"),
                 ("not_screened", "Not screened")],
    )  # fmt: skip
    q = forms.CharField(required=False, max_length=260, label="Search", help_text=KEYWORD_HELP)
    sort = forms.ChoiceField(required=False, choices=SORTS)
    after = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def clean_q(self) -> tuple[str, str]:
        kind, text = keyword_kind(self.cleaned_data["q"])
        if kind and not text:
            raise forms.ValidationError(f"Type what to search for after {kind}:.")
        if kind == "name" and not name_words(text):
            raise forms.ValidationError("A name needs letters.")
        return kind, text

    def filters(self) -> SubmissionFilters:
        """The valid filters (an invalid form filters nothing and shows its errors)."""
        if not self.is_valid():
            return SubmissionFilters()
        data = self.cleaned_data
        kind, text = data["q"]
        return SubmissionFilters(
            created_from=_day_start(data["created_from"]),
            created_before=_day_start(data["created_to"] + dt.timedelta(days=1)) if data["created_to"] else None,
            status=data["status"],
            issuing_country=(data["country"] or "").upper(),
            id_type=data["id_type"],
            nationality=(data["nationality"] or "").upper(),
            aml=data["aml"],
            submission_id=text.lower() if kind == "id" else "",
            email=text if kind == "email" else "",
            userid=text if kind == "userid" else "",
            name=text if kind == "name" else "",
            oldest_first=data["sort"] == "oldest",
        )

    def cursor(self) -> tuple[dt.datetime, str] | None:
        return cursor_decode(self.cleaned_data.get("after", "")) if self.is_valid() else None


def _day_start(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC) if day else None


class RejectForm(forms.Form):
    comment = forms.CharField(
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reject comment",
        help_text="Sent to the integrator as the comment of reject code other.",
        error_messages={"required": "Reject comment is required."},
    )
