"""One submission for a reviewer: images, extracted data, the decision trace in words, the
face / liveness / document steps, duplicates, the network and device verdicts, and (for owners
and reviewers, while it is pending) approve and reject. ``?queue=1`` walks the review queue."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from projects.access import otp_required
from projects.models import Membership
from submissions.evidence import identity_data
from submissions.forms import RejectForm
from submissions.models import CheckResult, ImageKind, Submission, SubmissionStatus
from submissions.selectors import review_queue_position, submission_view
from submissions.views.common import member_submission
from submissions.views.trace import explain

METADATA_FIELDS = ("email", "userid", "cf1", "cf2", "cf3")
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


@otp_required
def submission_detail_page(request: HttpRequest, pid: str, sid: str) -> HttpResponse:
    membership, submission = member_submission(request, pid, sid)
    return render_detail(request, membership, submission, reject_form=RejectForm())


def render_detail(
    request: HttpRequest, membership: Membership, submission: Submission, *, reject_form: RejectForm, status: int = 200
) -> HttpResponse:
    view = submission_view(submission)
    steps = _steps(submission)
    in_queue = request.GET.get("queue") == "1" or request.POST.get("queue") == "1"
    pending = submission.status == SubmissionStatus.PENDING
    context: dict[str, Any] = {
        "membership": membership,
        "project": membership.project,
        "submission": submission,
        "metadata": [(key, view.metadata[key]) for key in METADATA_FIELDS if view.metadata.get(key)],
        "data": sorted(identity_data(view.evidence).items()) if view.evidence is not None else [],
        "images": _images(submission),
        "trace": explain(view.decision) if view.decision is not None else None,
        "steps": steps,
        "document_steps": [(label, steps[name]) for name, label in DOCUMENT_STEPS if name in steps],
        "duplicates": _duplicates(view.evidence),
        "client": view.client,
        "can_review": membership.can_review and pending,
        "reject_form": reject_form,
        "in_queue": in_queue,
        "queue": review_queue_position(project=membership.project, submission=submission) if in_queue else None,
        "sealed_lost": submission.wrapped_data_key is None,
    }
    return render(request, "dashboard/submissions/detail.html", context, status=status)


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
