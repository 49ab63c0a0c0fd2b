"""The personal fields of the spec's webhook payloads (§4.3–§4.11), filled in at an event's
first delivery attempt from the submission's sealed data. Registered with
``webhooks.registry`` from ``SubmissionsConfig.ready`` (``webhooks`` never imports us).

Only fields with a value are sent (§4.1). A submission whose data key was destroyed (deleted)
adds nothing: its events go out thin. The submit, approved and rejected payloads leave out the
fields of the submission's projection while it exists (§2.13), under each field's webhook name.
"""

from __future__ import annotations

from typing import Any

from idcheck.timeformat import format_compact
from projects.models import Project
from projects.selectors import projection_hidden_fields
from submissions.evidence import identity_data
from submissions.models import Submission
from submissions.selectors import SubmissionView, injection_echo_open, submission_view

IDENTITY = ("age_group", "gender", "date_of_birth", "nationality", "full_name", "first_name", "last_name")
# Per trigger, the fields the spec's payload carries beyond the thin outbox payload, in its order.
FIELDS: dict[str, tuple[str, ...]] = {
    "created": ("cf", "userid", "tokenId", "ipAddress"),
    "retry": ("cf", "userid", "tokenId", "ipAddress"),
    "submit": ("duplicated_information", "email", "cf", "userid", "tokenId", "ipAddress"),
    "approved": ("email", "cf", "applicant_id", *IDENTITY, "duplicated_information", "phoneNumber", "additional_list"),
    "rejected": ("duplicated_information", "applicant_id", "email", "cf", "userid", "tokenId", "ipAddress"),
    "updated": ("duplicated_information", "email", *IDENTITY, "userid", "tokenId"),
    "injection": ("email", "applicant_id", "userid", "cf1", "cf2", "cf3", "tokenId"),
    "injectionFail": ("email", "applicant_id", "userid", "duplicated_information"),
    "aml": ("duplicated_information", "email", "userid", "cf", "tokenId"),
    "aml_monitor": ("email", "userid", "tokenId", "cf"),
}
# §4.9: the injection link's own cf1–cf3 and userid, when it gave them, stand for the submission's.
INJECTION_EVENTS = ("injection", "injectionFail")
# §4.4–§4.6 and the legacy approved payload: a projection field's names in a webhook (§10.1).
PROJECTED_EVENTS = ("submit", "approved", "rejected")
PROJECTED_KEYS = {
    "full_name": ("full_name", "full_name_en", "fullName"),
    "ip_address": ("ipAddress",),
    "idcard_issuingCountry": ("issuingCountry",),
    "idcard_issueDate": ("issueDate",),
    "idcard_expireDate": ("expireDate",),
}


def fill_personal_fields(project: Project, event: str, resource_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    wanted = FIELDS.get(event)
    if not wanted:
        return payload
    submission = Submission.objects.filter(project=project, pk=resource_id).first()
    if submission is None or not submission.wrapped_data_key:
        return payload
    view = submission_view(submission)
    values = _values(submission, view)
    if event in INJECTION_EVENTS:
        values.update(_injection_echo(submission, payload))
    filled = dict(payload)
    for name in wanted:
        value = values.get(name)
        if value and name not in filled:
            filled[name] = value
    if event in PROJECTED_EVENTS:
        return _projected(filled, projection_hidden_fields(project=project, chosen=view.metadata.get("projection")))
    return filled


def _projected(payload: dict[str, Any], hidden: frozenset[str]) -> dict[str, Any]:
    keys = {key for field in hidden for key in PROJECTED_KEYS.get(field, (field,))}
    projected = {key: value for key, value in payload.items() if key not in keys}
    if isinstance(projected.get("cf"), dict):
        projected["cf"] = {key: value for key, value in projected["cf"].items() if key not in hidden}
        if not projected["cf"]:
            del projected["cf"]
    return projected


def _injection_echo(submission: Submission, payload: dict[str, Any]) -> dict[str, str]:
    """The echoes of the injection this event reports (matched by its action's created_at)."""
    created_at = (payload.get("action") or {}).get("created_at")
    for injection in submission.injections.order_by("-created_at")[:50]:
        if format_compact(injection.created_at) == created_at:
            return {name: value for name, value in injection_echo_open(injection).items() if value}
    return {}


def _values(submission: Submission, view: SubmissionView) -> dict[str, Any]:
    metadata = view.metadata
    values: dict[str, Any] = identity_data(view.evidence) if view.evidence is not None else {}
    values = {name: values[name] for name in IDENTITY if name in values}
    cf = {name: metadata[name] for name in ("cf1", "cf2", "cf3") if metadata.get(name)}
    values.update(cf)
    values.update(
        cf=cf,
        email=metadata.get("email"),
        userid=metadata.get("userid"),
        tokenId=metadata.get("token_id"),
        ipAddress=view.client.ip_address if view.client is not None else None,
        duplicated_information=submission.duplicated_information,
        applicant_id=submission.applicant_id,
        additional_list=metadata.get("additional_list"),
        phoneNumber=metadata.get("phoneNumber"),
    )
    return values
