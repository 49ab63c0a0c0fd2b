"""Submissions, their stored images, one CheckResult per pipeline step, idempotency keys, and the
records that hang off a submission (face templates, AML screenings, address injections) or off a
Liveform flow (handoffs, phone checks); one module per concept, all importable from here."""

from __future__ import annotations

from submissions.models.aml import AmlMatch, AmlScreening
from submissions.models.faces import FaceTemplate, FaceTemplateKind, FaceTemplateRemoval, ProjectDuplicateSettings
from submissions.models.injection import AddressInjection, InjectionState
from submissions.models.liveform import LiveformHandoff, PhoneVerification
from submissions.models.submission import (
    CheckResult,
    IdempotencyKey,
    ImageKind,
    LivenessCapture,
    RunState,
    SelfieCapture,
    Submission,
    SubmissionImage,
    SubmissionPipeline,
    SubmissionSource,
    SubmissionStatus,
    generate_submission_id,
    now_to_the_millisecond,
)

__all__ = [
    "AddressInjection",
    "AmlMatch",
    "AmlScreening",
    "CheckResult",
    "FaceTemplate",
    "FaceTemplateKind",
    "FaceTemplateRemoval",
    "IdempotencyKey",
    "ImageKind",
    "InjectionState",
    "LiveformHandoff",
    "LivenessCapture",
    "PhoneVerification",
    "ProjectDuplicateSettings",
    "RunState",
    "SelfieCapture",
    "Submission",
    "SubmissionImage",
    "SubmissionPipeline",
    "SubmissionSource",
    "SubmissionStatus",
    "generate_submission_id",
    "now_to_the_millisecond",
]
