"""The decision trace in words: the sentence that says why, each finding with its §8.4 comment."""

from __future__ import annotations

import dataclasses

from policy.engine import decide
from policy.evidence import AgeEstimateEvidence, FaceEvidence
from policy.settings import PolicySettings
from submissions.views.trace import explain
from tests.policy.builders import change, genuine
from tests.policy.test_knowledge_based import typed


def test_a_device_rejection_names_code_other_and_its_comment():
    # given: a desktop browser where the project requires a phone
    evidence = change(genuine(), "device", checked=True, static_passed=False)
    decision = decide(evidence, PolicySettings(device_verification=True)).to_json()

    # when
    words = explain(decision)

    # then
    assert words.outcome == "Rejected with code other: Device verification failed (DE-20000)."
    assert [(f.kind_words, f.words, f.detail, f.comment, f.deciding) for f in words.findings] == [
        ("Rejects", "Reject code other", "not a mobile environment", "Device verification failed (DE-20000).", True),
    ]


def test_a_face_mismatch_is_pending_for_review_with_the_similarity_and_its_threshold():
    # given
    evidence = dataclasses.replace(genuine(), face=FaceEvidence(similarity=31.2, threshold=39.4, match=False))
    decision = decide(evidence, PolicySettings()).to_json()

    # when
    words = explain(decision)

    # then
    assert words.outcome == "Pending for a person to review: the selfie does not match the document portrait."
    assert [(f.kind, f.name, f.detail, f.deciding) for f in words.findings] == [
        ("review", "face_not_matched", "similarity 31.2 below 39.4", True),
    ]
    face = next(row for row in words.score_rows if row.label == "Face match")
    assert (face.percent, face.weight, face.points, face.threshold, face.detail) == (
        0, 25, 0.0, 39.4, "similarity 31.2 below threshold 39.4",
    )  # fmt: skip


def test_an_expired_document_quotes_the_spec_comment():
    # given
    evidence = change(
        genuine(),
        "document",
        fields=dataclasses.replace(genuine().document.fields, expiry_date=genuine().document.fields.birth_date),
    )
    decision = decide(evidence, PolicySettings()).to_json()

    # when
    words = explain(decision)

    # then
    assert words.outcome == "Rejected with code expired_id: ID cards have already expired."
    assert [(f.name, f.comment) for f in words.findings] == [("expired_id", "ID cards have already expired.")]


def test_a_knowledge_based_age_mismatch_is_said_in_words_with_its_score_lines():
    # given: typed 35 years, a selfie that looks 60
    decision = decide(typed(age_estimate=AgeEstimateEvidence(available=True, years=60.0)), PolicySettings()).to_json()

    # when
    words = explain(decision)

    # then
    assert words.outcome == (
        "Pending for a person to review: the selfie looks more than 10 years older or younger than the typed birth date."
    )
    assert [(row.label, row.weight, row.points) for row in words.score_rows] == [
        ("Face in the selfie", 30, 30.0), ("Liveness", 50, 50.0), ("Apparent age", 20, 0.0),
    ]  # fmt: skip
