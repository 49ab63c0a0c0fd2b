"""The ARGOS score: exact per-check breakdown, hand-computed."""

from __future__ import annotations

import dataclasses

import pytest

from policy.evidence import FaceEvidence, LivenessEvidence
from policy.score import WEIGHTS, compute_score, round_half_up
from tests.policy.builders import change, genuine, scored, with_document, with_warnings


def _contributions(evidence) -> dict[str, float]:
    return {line.check: line.contribution for line in compute_score(evidence).lines}


def test_the_weights_add_up_to_100():
    assert sum(WEIGHTS.values()) == 100


def test_a_genuine_passport_scores_86_with_this_breakdown():
    # when
    score = compute_score(genuine())

    # then
    assert [(line.check, line.value, line.weight, line.contribution, line.threshold) for line in score.lines] == [
        ("document_read", 0.9, 15, 13.5, None),
        ("mrz_integrity", 1.0, 15, 15.0, None),
        ("visual_consistency", 1.0, 15, 15.0, None),
        ("capture_authenticity", 1.0, 10, 10.0, None),
        ("image_quality", 1.0, 5, 5.0, None),
        ("face_match", 0.9, 25, 22.5, 39.4),
        ("liveness", 0.0, 10, 0.0, None),
        ("data_entry", 1.0, 5, 5.0, None),
    ]
    assert score.value == 86


@pytest.mark.parametrize(
    ("evidence", "changed", "expected_score"),
    [
        # check digits fail: mrz_integrity 0
        (with_document(genuine(), mrz_valid=False, check_digit_failures=("birth_date",)), {"mrz_integrity": 0.0}, 71),
        # card front: nothing machine-verifiable, half credit
        (with_document(genuine(), kind="card_front", mrz_valid=None), {"mrz_integrity": 7.5}, 79),
        # OCR confidence not measured on a verified MRZ: full credit
        (with_document(genuine(), ocr_confidence=None), {"document_read": 15.0}, 88),
        # a printed-zone mismatch at 0.8 leaves 0.2 of 15
        (with_warnings(genuine(), ("mrz_visual_mismatch", 0.8)), {"visual_consistency": 3.0}, 74),
        # only the highest capture cue counts: 1 - 0.7
        (
            with_warnings(genuine(), ("suspected_screen_capture", 0.7), ("suspected_photocopy", 0.3)),
            {"capture_authenticity": 3.0},
            79,
        ),
        # two distinct quality warnings: 1 - 2 × 0.25
        (with_warnings(genuine(), ("quality_glare", 0.8), ("quality_too_dark", 0.8)), {"image_quality": 2.5}, 84),
        # one edited field: 1 - 0.5
        (with_document(genuine(), edited_fields=("surname",)), {"data_entry": 2.5}, 84),
        # liveness passed at 0.8
        (dataclasses.replace(genuine(), liveness=LivenessEvidence("passed", 0.8)), {"liveness": 8.0}, 94),
        # liveness passed without a score: full credit
        (dataclasses.replace(genuine(), liveness=LivenessEvidence("passed", None)), {"liveness": 10.0}, 96),
        # a face 20 points above the threshold earns the full weight
        (change(genuine(), "face", similarity=59.4), {"face_match": 25.0}, 89),
        # a face below the threshold, a refusal, or no selfie earn nothing
        (change(genuine(), "face", similarity=30.0, match=False), {"face_match": 0.0}, 64),
        (
            dataclasses.replace(genuine(), face=FaceEvidence(None, 39.4, False, "no_face")),
            {"face_match": 0.0},
            64,
        ),
        (dataclasses.replace(genuine(), face=None), {"face_match": 0.0}, 64),
        # nothing read: the three document checks are 0
        (
            with_document(genuine(), kind="unknown"),
            {"document_read": 0.0, "mrz_integrity": 0.0, "visual_consistency": 0.0},
            43,
        ),
    ],
)
def test_each_check_moves_only_its_own_contribution(evidence, changed, expected_score):
    # given
    expected = {**_contributions(genuine()), **changed}

    # when
    score = compute_score(evidence)

    # then
    assert _contributions(evidence) == expected
    assert score.value == expected_score


@pytest.mark.parametrize(
    "evidence",
    [genuine(), scored(0.33, 52.1), scored(0.0, None, [("quality_glare", 0.8), ("suspected_photocopy", 0.37)])],
)
def test_the_breakdown_sums_to_the_score(evidence):
    score = compute_score(evidence)

    assert round_half_up(sum(line.contribution for line in score.lines)) == score.value
    assert all(line.contribution == round(line.weight * line.value, 2) for line in score.lines)


@pytest.mark.parametrize(("number", "rounded"), [(69.5, 70), (69.49, 69), (38.75, 39), (0.5, 1), (86.0, 86)])
def test_scores_round_half_up(number, rounded):
    assert round_half_up(number) == rounded
