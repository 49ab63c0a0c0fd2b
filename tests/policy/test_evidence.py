"""Evidence: JSON round trip and precise errors on stored records that no longer fit."""

from __future__ import annotations

import dataclasses
import json

import pytest

from policy.evidence import (
    AgeEstimateEvidence,
    DeviceEvidence,
    Evidence,
    EvidenceError,
    FieldCheck,
    LivenessEvidence,
    NetworkEvidence,
    SessionOptions,
)
from tests.policy.builders import change, genuine, match, with_document, with_warnings


def _everything() -> Evidence:
    evidence = with_warnings(genuine(), ("quality_glare", 0.8), ("mrz_visual_mismatch", 0.42))
    evidence = with_document(
        evidence,
        check_digit_failures=("composite",),
        visual=(FieldCheck("surname", "match"), FieldCheck("birth_date", "unread")),
        edited_fields=("given_names",),
    )
    evidence = change(evidence, "duplicates", di=(match("s-1"),), face=(match("s-2", "pending", similarity=70.5),))
    return dataclasses.replace(
        evidence,
        liveness=LivenessEvidence("passed", 0.93),
        age_estimate=AgeEstimateEvidence(True, 33.5),
        network=NetworkEvidence(True, ("vpn", "proxy"), 72.0, "Data Center"),
        device=DeviceEvidence(True, False, ("emulator",)),
        failed_attempts=1,
        session=SessionOptions(age_limit=False, reject_duplicate_user=True, allowed_countries=("UTO",)),
    )


@pytest.mark.parametrize("evidence", [genuine(), _everything()])
def test_evidence_round_trips_through_json_text(evidence):
    text = evidence.dumps()

    assert Evidence.from_json(text) == evidence
    assert Evidence.from_json(json.loads(text)) == evidence


def test_the_json_shape_uses_iso_dates_and_plain_lists():
    data = _everything().to_json()

    assert data["schema"] == 1
    assert data["timestamps"]["submitted_at"] == "2025-06-01T12:00:00+00:00"
    assert data["document"]["fields"]["birth_date"] == "1990-01-31"
    assert data["document"]["warnings"][1] == {"code": "mrz_visual_mismatch", "confidence": 0.42}
    assert data["duplicates"]["face"] == [
        {"submission_id": "s-2", "status": "pending", "decided_at": "2025-05-31T12:00:00+00:00", "similarity": 70.5}
    ]
    assert data["network"] == {
        "checked": True,
        "kinds": ["vpn", "proxy"],
        "risk_score": 72.0,
        "connection_type": "Data Center",
    }


def test_missing_optional_parts_take_their_defaults():
    data = {"timestamps": genuine().to_json()["timestamps"]}

    evidence = Evidence.from_json(data)

    assert (evidence.document.kind, evidence.face, evidence.liveness.decision) == ("unknown", None, "not_performed")


def _broken(path: list, value) -> dict:
    data = _everything().to_json()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            _broken(["document", "fields", "birth_date"], "31/01/1990"),
            "document.fields.birth_date: '31/01/1990' is not a date (YYYY-MM-DD)",
        ),
        (
            _broken(["timestamps", "created_at"], "2025-06-01T12:00:00"),
            "timestamps.created_at: '2025-06-01T12:00:00' has no UTC offset",
        ),
        (
            _broken(["liveness", "decision"], "maybe"),
            "liveness: liveness decision 'maybe' is not one of passed, failed, not_performed",
        ),
        (
            _broken(["network", "kinds"], ["vpn", "satellite"]),
            "network: network kind 'satellite' is not one of vpn, proxy, tor, hosting",
        ),
        (_broken(["failed_attempts"], "2"), "failed_attempts: expected a whole number, got '2'"),
        (_broken(["face", "similarity"], True), "face.similarity: expected a number, got True"),
        (_broken(["document", "warnings"], [{"code": "x"}]), "document.warnings[0].confidence: is required"),
        (_broken(["document", "colour"], "red"), "document: unknown key(s) colour"),
        ({}, "timestamps: is required"),
        (_broken(["schema"], 2), "schema: evidence schema 2 is not 1"),
    ],
)
def test_a_stored_record_that_does_not_fit_names_its_path(data, message):
    with pytest.raises(EvidenceError) as raised:
        Evidence.from_json(data)

    assert str(raised.value) == message
