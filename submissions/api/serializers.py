"""Output shapes of the v3 submission endpoints (spec §3), shared by the operations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from idcheck.timeformat import format_compact
from projects.selectors import projection_hidden_fields, projection_ids
from submissions.evidence import identity_data
from submissions.models import AmlScreening, SubmissionPipeline, SubmissionStatus
from submissions.selectors import SubmissionView
from submissions.services.aml import aml_json, aml_screenings, aml_shown

NETWORK_KEYS = ("checked", "kinds", "level", "risk_score", "action", "connection_type")
DEVICE_KEYS = ("checked", "mobile", "static_passed", "static_failures", "fingerprint_flags")
# Liveform inputs kept in the sealed metadata beside the details, shown as their own top-level fields.
LIVEFORM_KEYS = (
    "review",
    "additional_list",
    "token_id",
    "policy_overrides",
    "camera_errors",
    "projection",
    "knowledge",
)
# ``request_type`` slices (spec §2.1): "kyc" the verification outcome, "data" the personal
# information, "others" every other field, "aml" the AML result. Each field of an item belongs to
# exactly one of kyc, aml, data and others; every slice keeps ``submission_id``.
REQUEST_TYPES = ("kyc", "aml", "data", "others")
KYC_FIELDS = ("kyc", "argos_score", "recognition_score", "reviewer", "pending_at", "kyc_result_at", "idcheck")
PERSONAL_FIELDS = ("email", "userid", "data", "review")
# A submission never screened reads as ``Not Screened`` (§4.10, §8.12; submissions.services.aml).
AML_NOT_SCREENED = {"currentstatus": "Not Screened", "risk_level_summary": "Not Screened"}
# A projection's field names (spec §2.13) → the ``review`` keys holding the same values.
REVIEW_KEYS = {
    "first_name": ("given_names",),
    "last_name": ("surname",),
    "full_name": ("surname", "given_names"),
    "gender": ("sex",),
    "nationality": ("nationality",),
    "date_of_birth": ("birth_date",),
    "documentNumber": ("document_number",),
    "idcard_expireDate": ("expiry_date",),
}
# Decision findings may quote the document's type and issuing country (policy.checks).
TRACE_VALUES = frozenset({"idType", "idcard_issuingCountry"})


class KycSerializer(serializers.Serializer):
    result = serializers.CharField()
    comment = serializers.ListField(child=serializers.CharField())
    commentCode = serializers.ListField(child=serializers.CharField())  # noqa: N815 (wire name)


class DataSerializer(serializers.Serializer):
    """§3.2, the fields this version fills in (from the document, the address from the proof of
    address; cf1–cf3 as submitted)."""

    age_group = serializers.CharField(required=False)
    first_name = serializers.CharField(required=False)
    last_name = serializers.CharField(required=False)
    full_name = serializers.CharField(required=False)
    gender = serializers.CharField(required=False)
    nationality = serializers.CharField(required=False)
    date_of_birth = serializers.CharField(required=False)
    idcard_issuingCountry = serializers.CharField(required=False)  # noqa: N815 (wire name)
    idcard_expireDate = serializers.CharField(required=False)  # noqa: N815 (wire name)
    idType = serializers.CharField(required=False)  # noqa: N815 (wire name)
    ip_address = serializers.CharField(required=False, help_text="the end user's IP address, when it was captured")
    documentNumber = serializers.CharField(required=False)  # noqa: N815 (wire name)
    address_street = serializers.CharField(required=False, help_text="from the proof of address: the street lines")
    address_city = serializers.CharField(required=False, help_text="from the proof of address")
    address_zipcode = serializers.CharField(required=False, help_text="from the proof of address: the postal code")
    address_country = serializers.CharField(
        required=False, help_text="from the proof of address (alpha-3), when its postal code or a line names it"
    )
    phoneNumber = serializers.CharField(  # noqa: N815 (wire name)
        required=False, help_text="E.164, verified by SMS in the Liveform (auxidField=phoneNumber)"
    )
    cf1 = serializers.CharField(required=False)
    cf2 = serializers.CharField(required=False)
    cf3 = serializers.CharField(required=False)
    ssnNumber = serializers.CharField(  # noqa: N815 (wire name)
        required=False, help_text="Knowledge-Based only: the social security number the person typed, when asked"
    )
    # Given by PATCH or a migration (no engine reads them), returned as given.
    identityNumber = serializers.CharField(required=False, help_text="as given by PATCH or a migration")  # noqa: N815
    idcard_issueDate = serializers.CharField(  # noqa: N815 (wire name)
        required=False, help_text="as given by PATCH (issueDate) or a migration"
    )
    serialNumber = serializers.CharField(required=False, help_text="as given by PATCH")  # noqa: N815 (wire name)
    address_state = serializers.CharField(required=False, help_text="as given by a migration")
    address_formatted = serializers.CharField(required=False, help_text="a migration's address_full")


class TraceStepSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="score | reject | review | note | rule | decision")
    name = serializers.CharField()
    detail = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="score lines: the check's value, 0–1")
    weight = serializers.IntegerField(allow_null=True)
    contribution = serializers.FloatField(allow_null=True)
    threshold = serializers.FloatField(allow_null=True)


class DecisionSerializer(serializers.Serializer):
    status = serializers.CharField()
    score = serializers.IntegerField(help_text="the argos_score, after custom rules")
    base_score = serializers.IntegerField(help_text="before custom rules")
    threshold = serializers.IntegerField()
    deciding = serializers.CharField(
        help_text="what set the status: threshold, reject:<code>, review:<cause>, rule:<id>"
    )
    reject_code = serializers.CharField(allow_null=True)
    reject_comment = serializers.CharField(allow_null=True)
    reviewer = serializers.CharField()
    rules_version = serializers.IntegerField()
    rules_fired = serializers.ListField(child=serializers.CharField())
    trace = TraceStepSerializer(many=True)


class ProcessingSerializer(serializers.Serializer):
    state = serializers.CharField(help_text="waiting | queued | processing | decided | failed")
    attempts = serializers.IntegerField()
    failure_reason = serializers.CharField(required=False)


class NetworkVerdictSerializer(serializers.Serializer):
    checked = serializers.BooleanField(help_text="false: no end-user address was known")
    kinds = serializers.ListField(child=serializers.CharField(), help_text="vpn, proxy, tor, hosting")
    level = serializers.CharField(help_text="none | low | medium | high")
    risk_score = serializers.FloatField(help_text="0–100")
    action = serializers.CharField(help_text="allow | review | block")
    connection_type = serializers.CharField(allow_null=True, help_text="Data Center for hosting ranges")


class DeviceVerdictSerializer(serializers.Serializer):
    checked = serializers.BooleanField(help_text="false: no user agent was given")
    mobile = serializers.BooleanField()
    static_passed = serializers.BooleanField(help_text="false: DE-20000")
    static_failures = serializers.ListField(child=serializers.CharField())
    fingerprint_flags = serializers.ListField(child=serializers.CharField(), help_text="any: DE-30000")


class RetrySerializer(serializers.Serializer):
    attempts = serializers.IntegerField(help_text="failed attempts so far (too_many_retry at the project's maximum)")
    retryCode = serializers.CharField(help_text="the last retry's code, as in the retry webhook")  # noqa: N815


class ReviewSerializer(serializers.Serializer):
    """The Liveform's confirmation page (spec §3.1 ``review``, shape [UNKNOWN]): each field as
    confirmed; equal to what the engine read unless the person corrected it. "" when not given."""

    surname = serializers.CharField(allow_blank=True)
    given_names = serializers.CharField(allow_blank=True)
    birth_date = serializers.CharField(allow_blank=True, help_text="YYYY-MM-DD")
    document_number = serializers.CharField(allow_blank=True)
    expiry_date = serializers.CharField(allow_blank=True, help_text="YYYY-MM-DD")
    nationality = serializers.CharField(allow_blank=True)
    sex = serializers.CharField(allow_blank=True, help_text="M, F, X")


class AdditionalAnswerSerializer(serializers.Serializer):
    """One answer (spec §3.1 ``additional_list``; the keys' meaning is [INFER], docs/liveform.md)."""

    id = serializers.CharField(help_text="the question's id in the project's settings (ID Check extension)")
    inputValue = serializers.CharField(help_text="the question, as it was asked")  # noqa: N815
    answer = serializers.CharField(
        allow_blank=True, help_text="the text typed, the option chosen, or true / false for a checkbox"
    )
    blockType = serializers.CharField(help_text="text | choice | checkbox")  # noqa: N815


class ExtensionSerializer(serializers.Serializer):
    processing = ProcessingSerializer()
    network = NetworkVerdictSerializer(required=False, help_text="§8.10 IP check of the last run")
    device = DeviceVerdictSerializer(required=False, help_text="§8.11 device check of the last run")
    retry = RetrySerializer(required=False, help_text="§8.3 Liveform retries; absent before the first")
    selfie_capture = serializers.CharField(
        required=False, help_text="uploaded (liveness not performed) or live; absent without a selfie"
    )
    pipeline = serializers.CharField(
        required=False,
        help_text="knowledge_based: the person typed their identity and took a selfie, no document (§6.3); "
        "absent for an ID document",
    )
    decision = DecisionSerializer(required=False)
    camera_errors = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Liveform: camera errors met before the person chose photos instead, as step:name",
    )
    projection = inline_serializer(
        "ProjectionApplied",
        fields={
            "projection_id": serializers.CharField(),
            "applied": serializers.BooleanField(help_text="false once the projection was deleted"),
        },
        required=False,
        help_text="§2.13 the projection the Liveform link chose; while applied, its fields are left out",
    )
    session_overrides = serializers.DictField(
        child=serializers.BooleanField(),
        required=False,
        help_text="§6.2 the Liveform link's policy switches this submission was decided with, by their link names",
    )


class SubmissionItemListSerializer(serializers.ListSerializer):
    """A page of items: the project's projections and the page's AML screenings are read once
    for all of them."""

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        views = list(data)
        chosen = any(view.metadata.get("projection") for view in views)
        live = projection_ids(project=views[0].submission.project) if chosen else frozenset()
        screenings = aml_screenings([view.submission.pk for view in views]) if views else {}
        return [item_json(view, live_projections=live, screenings=screenings) for view in views]


class SubmissionItemSerializer(serializers.Serializer):
    """One element of ``Items`` (spec §3.1). Fields without a value are left out.

    ``idcheck`` is ID Check's own extension (not in the ARGOS contract): the run's state, the
    decision with its trace (every score line with weight and contribution, every finding), the
    IP and device verdicts (the spec has no field for them, §3.1 "not found anywhere") and the
    Liveform retries."""

    submission_id = serializers.CharField()
    email = serializers.CharField(required=False)
    userid = serializers.CharField(required=False)
    created_at = serializers.CharField()
    updated_at = serializers.CharField()
    pending_at = serializers.CharField(required=False)
    kyc_result_at = serializers.CharField(required=False)
    reviewer = serializers.CharField(required=False)
    argos_score = serializers.IntegerField(required=False)
    duplicated_information = serializers.CharField(
        required=False, help_text="default DI: keyed hash of name, birth date, gender and nationality"
    )
    custom_duplicated_information = serializers.CharField(required=False, help_text="the project's Custom DI")
    applicant_id = serializers.CharField(required=False, help_text="the person's id, set when approved")
    kyc = KycSerializer()
    recognition_score = serializers.IntegerField(
        required=False, help_text="Liveform: 0–100, the confirmation page's reading of the document (docs/liveform.md)"
    )
    data = DataSerializer(required=False)
    review = ReviewSerializer(
        required=False, help_text="Liveform: the identity fields as the person confirmed or corrected them"
    )
    additional_list = AdditionalAnswerSerializer(
        many=True, required=False, help_text="Liveform: the answers to the project's additional-info questions"
    )
    memo = inline_serializer(
        "SubmissionMemo",
        fields={"text": serializers.CharField(), "updated_at": serializers.CharField()},
        required=False,
        help_text="The reviewers' memo (spec §3.1); absent without one",
    )
    tokenId = serializers.CharField(  # noqa: N815 (wire name)
        required=False, help_text="Liveform in private mode: the Token ID the link carried (spec §6.5)"
    )
    aml = serializers.DictField(
        required=False,
        help_text="Once AML-screened (docs/aml.md): currentstatus, risk_level_summary, threshold, screened_at, and "
        "on a Red Flag matches [{resourceId, category, score}]",
    )
    injection_action = serializers.DictField(
        required=False,
        help_text="The last Liveform address injection (spec §3.1, docs/liveform.md): type, created_at, failCode "
        "when it failed, and checks {ipRisk_failCategory, blackliskCountries, distanceChecks_ipGeo} each with its "
        "result (passed, failed, not_performed with a reason, not_asked)",
    )
    idcheck = ExtensionSerializer(help_text="ID Check extension: processing state and the decision trace")

    class Meta:
        list_serializer_class = SubmissionItemListSerializer

    def to_representation(self, view: SubmissionView) -> dict[str, Any]:
        return item_json(view)


def item_json(
    view: SubmissionView,
    *,
    live_projections: frozenset[str] | None = None,
    screenings: dict[str, AmlScreening] | None = None,
) -> dict[str, Any]:
    """One item; the fields of the submission's projection left out while it exists (spec
    §2.13). ``live_projections``: the project's projection ids, and ``screenings``: the AML
    screenings of the page's submissions, each read once for a page."""
    item = _item(view, screenings)
    chosen = view.metadata.get("projection")
    if not chosen:
        return item
    hidden = projection_hidden_fields(project=view.submission.project, chosen=chosen, live=live_projections)
    item["idcheck"]["projection"] = {"projection_id": chosen["id"], "applied": bool(hidden)}
    return _projected(item, hidden) if hidden else item


def _projected(item: dict[str, Any], hidden: frozenset[str]) -> dict[str, Any]:
    data = {key: value for key, value in item.get("data", {}).items() if key not in hidden}
    review_hidden = {key for field in hidden for key in REVIEW_KEYS.get(field, ())}
    review = {key: value for key, value in item.get("review", {}).items() if key not in review_hidden}
    projected = {**item, "data": data or None, "review": review or None}
    decision = item["idcheck"].get("decision")
    if decision and hidden & TRACE_VALUES:
        trace = [{**line, "detail": ""} for line in decision.get("trace", [])]
        projected["idcheck"] = {**item["idcheck"], "decision": {**decision, "trace": trace}}
    return {key: value for key, value in projected.items() if value is not None}


def _item(view: SubmissionView, screenings: dict[str, AmlScreening] | None = None) -> dict[str, Any]:
    submission, metadata = view.submission, view.metadata
    decided_at = format_compact(submission.decided_at) if submission.decided_at else None
    status = submission.status
    data = {**identity_data(view.evidence), **metadata} if view.evidence is not None else dict(metadata)
    data = {key: value for key, value in data.items() if value and key not in ("email", "userid", *LIVEFORM_KEYS)}
    review = metadata.get("review") or {}
    extension: dict[str, Any] = {
        "processing": {"state": submission.run_state, "attempts": submission.attempts},
    }
    if submission.failure_reason:
        extension["processing"]["failure_reason"] = submission.failure_reason
    if submission.selfie_capture:
        extension["selfie_capture"] = submission.selfie_capture
    if submission.pipeline != SubmissionPipeline.ID_DOCUMENT:
        extension["pipeline"] = submission.pipeline  # knowledge_based: typed identity, no document (§6.3)
    if view.decision is not None:
        extension["decision"] = view.decision
    client = view.client
    if client is not None and client.network_verdict is not None:
        extension["network"] = {key: client.network_verdict.get(key) for key in NETWORK_KEYS}
    if client is not None and client.device_verdict is not None:
        extension["device"] = {key: client.device_verdict.get(key) for key in DEVICE_KEYS}
    if metadata.get("camera_errors"):
        extension["camera_errors"] = metadata["camera_errors"]  # met before photos were chosen instead
    if metadata.get("policy_overrides"):
        extension["session_overrides"] = metadata["policy_overrides"]  # the link's policy switches (§6.2)
    if submission.failed_attempts:
        extension["retry"] = {"attempts": submission.failed_attempts, "retryCode": submission.retry_code}
    if client is not None and client.ip_address:
        data["ip_address"] = client.ip_address
    item = {
        "submission_id": submission.id,
        "email": metadata.get("email"),
        "userid": metadata.get("userid"),
        "created_at": format_compact(submission.created_at),
        "updated_at": format_compact(submission.updated_at),
        "pending_at": decided_at if status == SubmissionStatus.PENDING else None,
        "kyc_result_at": decided_at if status in (SubmissionStatus.APPROVED, SubmissionStatus.REJECTED) else None,
        "reviewer": submission.reviewer or None,
        "argos_score": submission.argos_score,
        "duplicated_information": submission.duplicated_information or None,
        "custom_duplicated_information": submission.custom_duplicated_information or None,
        "applicant_id": submission.applicant_id or None,
        "kyc": {"result": status, "comment": submission.kyc_comment, "commentCode": submission.kyc_comment_code},
        "recognition_score": review.get("recognition_score"),
        "data": data or None,
        "review": review.get("confirmed"),
        "additional_list": metadata.get("additional_list"),
        "tokenId": metadata.get("token_id") or None,
        # only once screened
        "aml": aml_shown(screenings.get(submission.pk)) if screenings is not None else aml_json(submission),
        "memo": _memo(view.memo),
        "injection_action": view.injection_action,
        "idcheck": extension,
    }
    return {key: value for key, value in item.items() if value is not None}


def _memo(memo: dict[str, str] | None) -> dict[str, str] | None:
    """§3.1 ``{"text", "updated_at"}``, the time in the item's compact format."""
    if not memo:
        return None
    return {"text": memo["text"], "updated_at": format_compact(dt.datetime.fromisoformat(memo["updated_at"]))}


def item_slice(item: dict[str, Any], request_type: str) -> dict[str, Any]:
    """The part of ``item`` that ``request_type`` asks for (see :data:`REQUEST_TYPES`)."""
    if request_type == "aml":
        return {"submission_id": item["submission_id"], "aml": item.get("aml") or dict(AML_NOT_SCREENED)}
    if request_type == "kyc":
        kept = {key: value for key, value in item.items() if key in KYC_FIELDS}
    elif request_type == "data":
        kept = {key: value for key, value in item.items() if key in PERSONAL_FIELDS}
    else:
        kept = {key: value for key, value in item.items() if key not in (*KYC_FIELDS, *PERSONAL_FIELDS, "aml")}
    return {"submission_id": item["submission_id"], **kept}
