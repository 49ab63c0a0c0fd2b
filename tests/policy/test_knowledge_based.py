"""The engine on Knowledge-Based evidence (spec §6.3): typed identity, a selfie, no document."""

from __future__ import annotations

import dataclasses
import datetime as dt

from policy.engine import decide
from policy.evidence import (
    AgeEstimateEvidence,
    DocumentEvidence,
    DuplicateEvidence,
    DuplicateMatch,
    Evidence,
    FaceEvidence,
    IdentityFields,
    LivenessEvidence,
    SessionOptions,
    Timestamps,
)
from policy.score import compute_score
from policy.settings import PolicySettings
from tests.policy.builders import CREATED_AT, SUBMITTED

TYPED = IdentityFields(surname="ERIKSSON", given_names="ANNA", nationality="SWE", sex="F",
                       birth_date=dt.date(1990, 1, 31))  # fmt: skip


def typed(**changes: object) -> Evidence:
    """A live selfie (liveness 0.9) of a face that looks 33, for a person who typed 35 years."""
    return dataclasses.replace(
        Evidence(
            timestamps=Timestamps(CREATED_AT, SUBMITTED, SUBMITTED),
            document=DocumentEvidence(kind="knowledge", fields=TYPED),
            face=FaceEvidence(similarity=None, match=False),
            liveness=LivenessEvidence(decision="passed", score=0.9),
            age_estimate=AgeEstimateEvidence(available=True, years=33.0),
            pipeline="knowledge_based",
        ),
        **changes,
    )


def test_a_live_selfie_matching_the_typed_age_is_approved_at_100():
    decision = decide(typed(), PolicySettings())

    assert (decision.status, decision.score, decision.reject_code) == ("approved", 100, None)
    lines = {line.check: line.contribution for line in compute_score(typed()).lines}
    assert lines == {"selfie_face": 30.0, "liveness": 50.0, "age_consistency": 20.0}


def test_a_selfie_without_liveness_waits_for_a_person():
    decision = decide(typed(liveness=LivenessEvidence()), PolicySettings())

    assert (decision.status, decision.score, decision.deciding) == ("pending", 50, "threshold")


def test_a_blacklisted_nationality_is_rejected():
    decision = decide(typed(), PolicySettings(blacklist_countries=("SWE",)))

    assert (decision.status, decision.reject_code) == ("rejected", "blacklistCountry")


def test_allowed_countries_judge_the_nationality():
    decision = decide(typed(session=SessionOptions(allowed_countries=("NOR",))), PolicySettings())

    assert (decision.status, decision.reject_code) == ("rejected", "blacklistCountry")


def test_a_typed_age_under_the_limit_is_rejected_at_once():
    young = dataclasses.replace(TYPED, birth_date=dt.date(2015, 1, 1))
    decision = decide(typed(document=DocumentEvidence(kind="knowledge", fields=young)), PolicySettings(age_limit=18))

    assert (decision.status, decision.reject_code) == ("rejected", "under_ageLimit")


def test_an_apparent_age_far_from_the_typed_one_waits_for_a_person():
    decision = decide(typed(age_estimate=AgeEstimateEvidence(available=True, years=60.0)), PolicySettings())

    assert (decision.status, decision.deciding, decision.score) == ("pending", "review:apparent_age_mismatch", 80)


def test_a_selfie_without_a_face_waits_for_a_person():
    decision = decide(typed(face=FaceEvidence(similarity=None, match=False, refusal="no_face")), PolicySettings())

    assert (decision.status, decision.deciding) == ("pending", "review:face_refused")


def test_a_duplicate_identity_is_rejected_when_prevention_is_on():
    other = DuplicateMatch("other_submission", "approved")
    evidence = typed(duplicates=DuplicateEvidence(di=(other,)))

    assert decide(evidence, PolicySettings()).status == "approved"  # prevention off: noted only
    decision = decide(evidence, PolicySettings(reject_duplicate_user=True))
    assert (decision.status, decision.reject_code) == ("rejected", "duplicated_user_PII_exact")


def test_document_checks_do_not_apply():
    # a project whose document rules would reject an unread document, a wrong type, an expiry
    settings = PolicySettings(proof_of_address=True, reject_expired_id=True)

    decision = decide(typed(), settings)

    assert decision.status == "approved"
    assert [step.name for step in decision.trace if step.kind in ("reject", "review")] == []


def test_the_pipeline_round_trips_and_older_evidence_is_an_id_document():
    evidence = typed()
    assert Evidence.from_json(evidence.to_json()) == evidence
    stored = evidence.to_json()
    del stored["pipeline"]
    assert Evidence.from_json(stored).pipeline == "id_document"
