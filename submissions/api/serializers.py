"""Output shapes of the v3 submission endpoints (spec §3), shared by the operations."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from idcheck.api_errors import gateway_error_responses
from idcheck.timeformat import format_compact
from submissions.evidence import identity_data
from submissions.models import SubmissionStatus
from submissions.selectors import SubmissionView

# Built once: drf-spectacular refuses two different inline "GatewayError" serializers.
GATEWAY_ERRORS = gateway_error_responses()


class KycSerializer(serializers.Serializer):
    result = serializers.CharField()
    comment = serializers.ListField(child=serializers.CharField())
    commentCode = serializers.ListField(child=serializers.CharField())  # noqa: N815 (wire name)


class DataSerializer(serializers.Serializer):
    """§3.2, the fields this version fills in (from the document; cf1–cf3 as submitted)."""

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
    documentNumber = serializers.CharField(required=False)  # noqa: N815 (wire name)
    cf1 = serializers.CharField(required=False)
    cf2 = serializers.CharField(required=False)
    cf3 = serializers.CharField(required=False)


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


class ExtensionSerializer(serializers.Serializer):
    processing = ProcessingSerializer()
    selfie_capture = serializers.CharField(
        required=False, help_text="uploaded (liveness not performed) or live; absent without a selfie"
    )
    decision = DecisionSerializer(required=False)


class SubmissionItemSerializer(serializers.Serializer):
    """One element of ``Items`` (spec §3.1). Fields without a value are left out.

    ``idcheck`` is ID Check's own extension (not in the ARGOS contract): the run's state and the
    decision with its trace (every score line with weight and contribution, every finding)."""

    submission_id = serializers.CharField()
    email = serializers.CharField(required=False)
    userid = serializers.CharField(required=False)
    created_at = serializers.CharField()
    updated_at = serializers.CharField()
    pending_at = serializers.CharField(required=False)
    kyc_result_at = serializers.CharField(required=False)
    reviewer = serializers.CharField(required=False)
    argos_score = serializers.IntegerField(required=False)
    kyc = KycSerializer()
    data = DataSerializer(required=False)
    idcheck = ExtensionSerializer(help_text="ID Check extension: processing state and the decision trace")

    def to_representation(self, view: SubmissionView) -> dict[str, Any]:
        return item_json(view)


def item_json(view: SubmissionView) -> dict[str, Any]:
    submission, metadata = view.submission, view.metadata
    decided_at = format_compact(submission.decided_at) if submission.decided_at else None
    status = submission.status
    data = {**identity_data(view.evidence), **metadata} if view.evidence is not None else dict(metadata)
    data = {key: value for key, value in data.items() if value and key not in ("email", "userid")}
    extension: dict[str, Any] = {
        "processing": {"state": submission.run_state, "attempts": submission.attempts},
    }
    if submission.failure_reason:
        extension["processing"]["failure_reason"] = submission.failure_reason
    if submission.selfie_capture:
        extension["selfie_capture"] = submission.selfie_capture
    if view.decision is not None:
        extension["decision"] = view.decision
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
        "kyc": {"result": status, "comment": submission.kyc_comment, "commentCode": submission.kyc_comment_code},
        "data": data or None,
        "idcheck": extension,
    }
    return {key: value for key, value in item.items() if value is not None}
