"""The dashboard's Preverification pages (spec §8.10, §8.11; docs/preverification.md): the VPN &
Proxy list and the Device Verification list of a project's checked clients, each with filters,
keyset pages and a detail page that words the whole verdict and links to the submission.

The submission's e-mail is sealed in its metadata: the lists open it per row only for owners and
reviewers (a page of many people's e-mails is what the CSV export keeps from viewers); a detail
page shows one person's, as the submission page does for every role. Block, review or allow is
worked out at the project's current VPN/proxy levels (``network.selectors.network_decision``).

These pages read submissions (status, sealed e-mail), so they belong to the submissions app:
the network app never imports submissions, the dependency runs submissions → network.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from idcheck.lib.crypto import DecryptionError
from network.models import SubmissionClient
from network.selectors import (
    ClientPage,
    client_get,
    device_clients,
    device_duplicate_counts,
    device_submissions,
    network_clients,
    network_decision,
    subnet_attempts,
)
from policy.selectors import policy_settings_get
from policy.settings import PolicySettings, SettingsError
from projects.access import otp_required, project_membership
from projects.models import Membership, Project
from submissions import vault
from submissions.models import Submission
from submissions.preverification.forms import DeviceFilterForm, NetworkFilterForm, cursor_encode

PAGE_SIZE = 50


@otp_required
def network_list_page(request: HttpRequest, pid: str) -> HttpResponse:
    membership = project_membership(request, pid)
    project, policy = membership.project, _policy(membership.project)
    form = NetworkFilterForm(request.GET)
    page = network_clients(project_id=project.pk, filters=form.filters(), levels=policy.network_levels,
                           count=PAGE_SIZE, after=form.cursor())  # fmt: skip
    people = _people(project, page.items, with_email=membership.can_review)
    rows = [
        {"client": c, "verdict": c.network_verdict, "decision": network_decision(c.network_verdict,
         policy.network_levels), **people.get(c.submission_id, {})}
        for c in page.items
    ]  # fmt: skip
    context = _list_context(request, membership, form, page, rows)
    context["detection_on"] = policy.network_detection
    return render(request, "dashboard/preverification/network_list.html", context)


@otp_required
def network_detail_page(request: HttpRequest, pid: str, sid: str) -> HttpResponse:
    membership, client = _member_client(request, pid, sid)
    policy = _policy(membership.project)
    verdict = client.network_verdict or {}
    levels = policy.network_levels
    context = {
        **_detail_context(membership, client),
        "verdict": verdict,
        "decision": network_decision(verdict, levels),
        "detection_on": policy.network_detection,
        "kinds": [(kind, levels.level(kind)) for kind in verdict.get("kinds") or ()],
        "subnet": subnet_attempts(client),
    }
    return render(request, "dashboard/preverification/network_detail.html", context)


@otp_required
def device_list_page(request: HttpRequest, pid: str) -> HttpResponse:
    membership = project_membership(request, pid)
    project = membership.project
    form = DeviceFilterForm(request.GET)
    page = device_clients(project_id=project.pk, filters=form.filters(), count=PAGE_SIZE, after=form.cursor())
    people = _people(project, page.items, with_email=membership.can_review)
    same = device_duplicate_counts(page.items)
    rows = [
        {"client": c, "verdict": c.device_verdict, "same_device": same.get(c.submission_id, 0),
         **people.get(c.submission_id, {})}
        for c in page.items
    ]  # fmt: skip
    context = _list_context(request, membership, form, page, rows)
    context["verification_on"] = _policy(project).device_verification
    return render(request, "dashboard/preverification/device_list.html", context)


@otp_required
def device_detail_page(request: HttpRequest, pid: str, sid: str) -> HttpResponse:
    membership, client = _member_client(request, pid, sid)
    policy = _policy(membership.project)
    same = device_submissions(project_id=client.project_id, device_hash=client.device_hash, exclude=sid)
    statuses = dict(Submission.objects.filter(project=membership.project, pk__in=same).values_list("pk", "status"))
    context = {
        **_detail_context(membership, client),
        "verdict": client.device_verdict or {},
        "verification_on": policy.device_verification,
        "policy": policy,
        "signals": sorted(client.signals.items()),
        "same_device": [(other, statuses.get(other, "")) for other in same],
    }
    return render(request, "dashboard/preverification/device_detail.html", context)


def _policy(project: Project) -> PolicySettings:
    """The project's policy; the defaults when the stored settings no longer validate (the
    Policy page shows and fixes that), so a preverification page never fails on it."""
    try:
        return policy_settings_get(project)
    except SettingsError:
        return PolicySettings()


def _member_client(request: HttpRequest, pid: str, sid: str) -> tuple[Membership, SubmissionClient]:
    membership = project_membership(request, pid)
    client = client_get(project_id=membership.project.pk, submission_id=sid)
    if client is None:
        raise Http404("No such submission")
    return membership, client


def _people(project: Project, clients: list[SubmissionClient], *, with_email: bool) -> dict[str, dict[str, Any]]:
    """Submission id → its status and (``with_email``) its e-mail, opened from the sealed metadata
    ("" once the data key was destroyed), in one query for the page."""
    ids = [client.submission_id for client in clients]
    found = Submission.objects.filter(project=project, pk__in=ids).only(
        "pk", "status", "wrapped_data_key", *(("sealed_metadata",) if with_email else ())
    )
    return {s.pk: {"status": s.get_status_display(), "email": _email(s) if with_email else None} for s in found}


def _email(submission: Submission) -> str:
    try:
        metadata = vault.open_json(submission, submission.sealed_metadata, context=vault.METADATA_CONTEXT) or {}
    except DecryptionError:
        return ""
    return metadata.get("email") or ""


def _list_context(request: HttpRequest, membership: Membership, form: Any, page: ClientPage,
                  rows: list[dict[str, Any]]) -> dict[str, Any]:  # fmt: skip
    params = request.GET.copy()
    params.pop("after", None)
    context = {"membership": membership, "project": membership.project, "form": form, "rows": rows,
               "with_email": membership.can_review, "first_query": params.urlencode(),
               "paged": bool(request.GET.get("after")), "next_query": None}  # fmt: skip
    if page.next_key is not None:
        params["after"] = cursor_encode(page.next_key.created_at, page.next_key.pk)
        context["next_query"] = params.urlencode()
    return context


def _detail_context(membership: Membership, client: SubmissionClient) -> dict[str, Any]:
    people = _people(membership.project, [client], with_email=True).get(client.submission_id, {})
    return {"membership": membership, "project": membership.project, "client": client,
            "status": people.get("status", ""), "email": people.get("email", "")}  # fmt: skip
