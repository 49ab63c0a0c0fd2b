"""One submission for a reviewer: images, extracted data, the decision trace in words, the
face / liveness / document steps, duplicates, the network and device verdicts, and (for owners
and reviewers, while it is pending) approve and reject. ``?queue=1`` walks the review queue.
Below: the memo, the edit and change-status forms, the deletion links and the submission's
webhook history with Resend (``submissions.views.actions`` handles their POSTs)."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from policy.evidence import Evidence
from projects.access import otp_required
from projects.models import Membership
from submissions.evidence import FieldConfidence, field_confidences, identity_data
from submissions.forms import RejectForm
from submissions.models import CheckResult, ImageKind, Submission, SubmissionStatus
from submissions.selectors import review_queue_position, submission_view
from submissions.services.aml import aml_json
from submissions.services.delete import PARTIAL_FIELDS
from submissions.services.memo import MAX_MEMO_LENGTH, memo_open
from submissions.services.review import MAX_COMMENT_LENGTH
from submissions.services.update import METADATA_KEYS, PATCHABLE, properties
from submissions.views.common import member_submission
from submissions.views.trace import explain
from webhooks.selectors import webhook_resource_history

METADATA_FIELDS = ("email", "userid", "phoneNumber", "cf1", "cf2", "cf3", *METADATA_KEYS.values(), "ssnNumber")
DOCUMENT_STEPS = (
    ("document_front", "Front"),
    ("document_back", "Back"),
    ("address", "Proof of address"),
    ("third_party", "Third-party data"),
)
DUPLICATE_GROUPS = (
    ("di", "Same DI (name, birth date, gender, nationality)"),
    ("custom_di", "Same Custom DI"),
    ("face", "Same face (1:N search)"),
    ("device", "Same device"),
    ("same_person", "Same e-mail, IP or claimed identity"),
)


# The edit form's fields: every patchable property but the status, which has its own form.
EDITABLE = tuple(name for name in PATCHABLE if name != "kycStatus")


class EditForm(django_forms.Form):
    """Blank fields are left as they are: only what the admin typed differently is sent."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in EDITABLE:
            self.fields[name] = django_forms.CharField(required=False, max_length=200, label=name)

    def changes(self, current: dict) -> dict[str, str]:
        typed = {name: (self.cleaned_data.get(name) or "").strip() for name in EDITABLE}
        return {name: value for name, value in typed.items() if value and value != shown(current.get(name))}


def shown(value: object) -> str:
    """A stored value as the form shows it (dates ISO, sex as the spec's gender)."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return {"M": "male", "F": "female"}.get(str(value), str(value))


class StatusForm(django_forms.Form):
    status = django_forms.ChoiceField(choices=[(s, s) for s in (SubmissionStatus.APPROVED, SubmissionStatus.REJECTED)])
    comment = django_forms.CharField(
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        widget=django_forms.Textarea(attrs={"rows": 2}),
        help_text="Required to reject: sent to the integrator as the comment of reject code other.",
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("status") == SubmissionStatus.REJECTED and not (data.get("comment") or "").strip():
            self.add_error("comment", "A comment is required to reject.")
        return data


class MemoForm(django_forms.Form):
    text = django_forms.CharField(
        required=False, max_length=MAX_MEMO_LENGTH, widget=django_forms.Textarea(attrs={"rows": 3})
    )


class DeleteForm(django_forms.Form):
    confirm = django_forms.BooleanField(
        error_messages={"required": "Tick the box to confirm: a deletion cannot be undone."},
    )
    parts = django_forms.MultipleChoiceField(required=False, choices=[(name, name) for name in PARTIAL_FIELDS])


@otp_required
def submission_detail_page(request: HttpRequest, pid: str, sid: str) -> HttpResponse:
    membership, submission = member_submission(request, pid, sid)
    return render_detail(request, membership, submission)


def _data(evidence: Evidence | None) -> list[tuple[str, Any, FieldConfidence | None]]:
    """The extracted data with, per identity field, how sure the run is of it and why."""
    if evidence is None:
        return []
    confidences = field_confidences(evidence.document)
    return [(key, value, confidences.get(key)) for key, value in sorted(identity_data(evidence).items())]


def render_detail(
    request: HttpRequest,
    membership: Membership,
    submission: Submission,
    *,
    reject_form: RejectForm | None = None,
    status: int = 200,
    error: str = "",
    **forms: Any,
) -> HttpResponse:
    """The page; ``forms`` (``edit_form``, ``status_form``, ``memo_form``) are a refused POST's,
    shown with their errors and ``error``, the service's refusal."""
    view = submission_view(submission)
    steps = _steps(submission)
    in_queue = request.GET.get("queue") == "1" or request.POST.get("queue") == "1"
    pending = submission.status == SubmissionStatus.PENDING
    context: dict[str, Any] = {
        "membership": membership,
        "project": membership.project,
        "submission": submission,
        "metadata": [(key, view.metadata[key]) for key in METADATA_FIELDS if view.metadata.get(key)],
        "data": _data(view.evidence),
        "images": _images(submission),
        "trace": explain(view.decision) if view.decision is not None else None,
        "steps": steps,
        "document_steps": [(label, steps[name]) for name, label in DOCUMENT_STEPS if name in steps],
        "duplicates": _duplicates(view.evidence),
        "client": view.client,
        "can_review": membership.can_review and pending,
        "reject_form": reject_form or RejectForm(),
        "in_queue": in_queue,
        "queue": review_queue_position(project=membership.project, submission=submission) if in_queue else None,
        "sealed_lost": submission.wrapped_data_key is None,
        "camera_errors": view.metadata.get("camera_errors", []),
        "aml": aml_json(submission),
        "injection": _injection(view.injection_action),
    }
    alive = submission.wrapped_data_key is not None
    current = properties(submission, view.evidence, view.metadata)
    memo = memo_open(submission)
    context.update(
        can_edit=membership.can_review and alive and view.evidence is not None,
        can_change_status=membership.can_review and alive and submission.status in _DECIDED,
        can_memo=membership.can_review and alive,
        can_manage=membership.can_manage,
        memo=memo,
        edit_form=forms.get("edit_form") or EditForm(initial={name: shown(value) for name, value in current.items()}),
        status_form=forms.get("status_form") or StatusForm(initial={"status": _other_status(submission)}),
        memo_form=forms.get("memo_form") or MemoForm(initial={"text": memo.text if memo else ""}),
        action_error=error,
        webhook_history=webhook_resource_history(project=membership.project, resource_id=submission.pk),
    )
    return render(request, "dashboard/submissions/detail.html", context, status=status)


_DECIDED = (SubmissionStatus.APPROVED, SubmissionStatus.REJECTED)
INJECTION_CHECK_NAMES = {"ipRisk_failCategory": "IP risk (VPN, proxy, TOR)",
                         "blackliskCountries": "Country blacklist", "distanceChecks_ipGeo": "Distance IP ↔ address"}  # fmt: skip


def _injection(action: dict[str, Any] | None) -> dict[str, Any] | None:
    """The last address injection as the page lists it: each check with its result and reason."""
    if not action:
        return None
    checks = []
    for code, label in INJECTION_CHECK_NAMES.items():
        check = (action.get("checks") or {}).get(code) or {}
        details = ", ".join(f"{key} {value}" for key, value in check.items() if key != "result")
        checks.append((label, check.get("result", ""), details))
    return {"type": action.get("type"), "created_at": action.get("created_at"), "fail_code": action.get("failCode"),
            "checks": checks}  # fmt: skip


def _other_status(submission: Submission) -> str:
    """What the change-status form offers first: the decided status it does not have."""
    return SubmissionStatus.REJECTED if submission.status == SubmissionStatus.APPROVED else SubmissionStatus.APPROVED


def current_properties(submission: Submission) -> dict[str, Any]:
    """The patchable properties as they are now (``services.update.properties``)."""
    view = submission_view(submission, load_client=False)
    return properties(submission, view.evidence, view.metadata)


def _images(submission: Submission) -> list[tuple[str, str]]:
    present = set(submission.images.values_list("kind", flat=True))
    return [(kind.value, kind.label) for kind in ImageKind if kind.value in present]


def _steps(submission: Submission) -> dict[str, CheckResult]:
    """The run's steps by name (document_front, document_back, face, age, liveness, address…)."""
    return {result.step: result for result in CheckResult.objects.filter(submission=submission)}


def _duplicates(evidence: Any) -> list[tuple[str, list[Any]]]:
    if evidence is None:
        return []
    groups = [(label, list(getattr(evidence.duplicates, name))) for name, label in DUPLICATE_GROUPS]
    return [(label, matches) for label, matches in groups if matches]
