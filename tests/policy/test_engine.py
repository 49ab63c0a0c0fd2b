"""decide(): every reject code, threshold edges, automated-processing-only, age, reviewer."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from policy.engine import Decision, NotReady, decide
from policy.evidence import (
    AddressEvidence,
    DeviceEvidence,
    DuplicateEvidence,
    Evidence,
    LivenessEvidence,
    NetworkEvidence,
)
from policy.id_types import parse_allowed_id_types
from policy.settings import PolicySettings
from tests.policy.builders import (
    SUBMITTED,
    change,
    genuine,
    match,
    scored,
    with_document,
    with_fields,
    with_warnings,
)

DEFAULTS = PolicySettings()
US_LICENCES_ONLY = parse_allowed_id_types("country,id_type\nUTO,drivers_license\n")
CREATED = genuine().timestamps.created_at
INCOMPLETE = dataclasses.replace(genuine().timestamps, submitted_at=None, evaluated_at=CREATED + dt.timedelta(hours=24))


def _dups(**kinds) -> DuplicateEvidence:
    return DuplicateEvidence(**kinds)


PROOF_OF_ADDRESS = PolicySettings(proof_of_address=True)


def _address(**fields) -> Evidence:
    return dataclasses.replace(genuine(), address=AddressEvidence(submitted=True, **fields))


# (case, evidence, settings, expected reject code, expected comment)
REJECTIONS = [
    (
        "incomplete for 24 h",
        dataclasses.replace(genuine(), timestamps=INCOMPLETE),
        DEFAULTS,
        "timeout",
        "KYC rejected due to timeout.",
    ),
    (
        "third failed attempt",
        dataclasses.replace(genuine(), failed_attempts=3),
        DEFAULTS,
        "too_many_retry",
        "Multiple invalid KYC attempts detected.",
    ),
    (
        "image refused at intake",
        with_document(genuine(), intake_error="bad_magic_bytes"),
        DEFAULTS,
        "id_image_error",
        "Failed to upload the ID image. Please retry the KYC process.",
    ),
    (
        "no document in the photo",
        with_document(genuine(), detected=False, kind="unknown"),
        DEFAULTS,
        "id_image_invalidImage",
        "ID document not detected. Please take a clear picture of your ID document.",
    ),
    (
        "document unread, blurry photo",
        with_warnings(with_document(genuine(), kind="unknown"), ("quality_too_blurry", 0.8)),
        DEFAULTS,
        "id_image_badImage",
        "Unable to read the ID image. Please ensure the image is clear and resubmit.",
    ),
    (
        "document unread, clear photo",
        with_warnings(with_document(genuine(), kind="unknown"), ("unsupported_document", 0.9)),
        DEFAULTS,
        "id_image_invalidId",
        "Invalid ID document. Please resubmit with a valid ID document.",
    ),
    (
        "ID type not on the country's allow-list",
        genuine(),
        dataclasses.replace(DEFAULTS, allowed_id_types=US_LICENCES_ONLY),
        "invalid_acceptedID",
        "Invalid ID type. Please resubmit with a valid ID document. Refer to the submission page for accepted IDs.",
    ),
    (
        "issuing country blacklisted",
        genuine(),
        dataclasses.replace(DEFAULTS, blacklist_countries=("UTO",)),
        "blacklistCountry",
        "KYC is not accepted from country as per policy.",
    ),
    (
        "issuing country outside the session's allowed countries",
        change(genuine(), "session", allowed_countries=("KOR", "USA")),
        DEFAULTS,
        "blacklistCountry",
        "KYC is not accepted from country as per policy.",
    ),
    (
        "expired the day before submission",
        with_fields(genuine(), expiry_date=dt.date(2025, 5, 31)),
        DEFAULTS,
        "expired_id",
        "ID cards have already expired.",
    ),
    (
        "no date of birth",
        with_fields(genuine(), birth_date=None),
        DEFAULTS,
        "no-date-of-birth",
        "There is no date of birth information on the ID.",
    ),
    (
        "12 years old, limit 13",
        with_fields(genuine(), birth_date=dt.date(2012, 6, 2)),
        DEFAULTS,
        "under_ageLimit",
        "KYC is not accepted for individuals under 13 years old.",
    ),
    (
        "17 years old, limit 18: the comment says 18",
        with_fields(genuine(), birth_date=dt.date(2007, 6, 2)),
        dataclasses.replace(DEFAULTS, age_limit=18),
        "under_ageLimit",
        "KYC is not accepted for individuals under 18 years old.",
    ),
    (
        "entered data contradicts the verified MRZ",
        with_document(genuine(), entered_mismatches=("birth_date",)),
        DEFAULTS,
        "id_info_dataMismatch",
        "Entered information does not match the ID document.",
    ),
    (
        "same DI as an approved submission",
        dataclasses.replace(genuine(), duplicates=_dups(di=(match("s-1"),))),
        dataclasses.replace(DEFAULTS, reject_duplicate_user=True),
        "duplicated_user_PII_exact",
        "A user's personal identity information has been duplicated as a result of identification.",
    ),
    (
        "same custom DI as a pending submission",
        dataclasses.replace(genuine(), duplicates=_dups(custom_di=(match("s-2", "pending"),))),
        dataclasses.replace(DEFAULTS, reject_duplicate_user=True),
        "duplicate_user",
        "A user has been duplicated as a result of identification.",
    ),
    (
        "approved 10 days ago, approve period 30 days",
        dataclasses.replace(genuine(), duplicates=_dups(same_person=(match("s-3", days_ago=10),))),
        dataclasses.replace(DEFAULTS, approve_period_days=30),
        "duplicate_user",
        "A user has been duplicated as a result of identification.",
    ),
    (
        "rejected 2 days ago, reject period 7 days",
        dataclasses.replace(genuine(), duplicates=_dups(same_person=(match("s-4", "rejected", days_ago=2),))),
        dataclasses.replace(DEFAULTS, reject_period_days=7),
        "duplicate_user",
        "A user has been duplicated as a result of identification.",
    ),
    (
        "same face as an approved submission",
        dataclasses.replace(genuine(), duplicates=_dups(face=(match("s-5", similarity=71.0),))),
        dataclasses.replace(DEFAULTS, reject_duplicate_face=True),
        "duplicated_face",
        "A duplicate user has been identified through face matching.",
    ),
    (
        "would be pending under automated processing only",
        scored(0.0, None),  # score 50 < 70
        dataclasses.replace(DEFAULTS, automated_processing_only=True),
        "automatic_verification_fail",
        "Verification failed - submitted data didn't meet quality requirements. Try again with clear, well-lit shots,"
        " and contact support if issues continue.",
    ),
    (
        "hosting provider (level high)",
        dataclasses.replace(genuine(), network=NetworkEvidence(True, ("hosting",), 90.0, "Data Center")),
        dataclasses.replace(DEFAULTS, network_detection=True),
        "other",
        "KYC is not accepted through a hosting connection as per policy.",
    ),
    (
        "desktop browser",
        dataclasses.replace(genuine(), device=DeviceEvidence(True, False, ())),
        dataclasses.replace(DEFAULTS, device_verification=True),
        "other",
        "Device verification failed (DE-20000).",
    ),
    (
        "emulator",
        dataclasses.replace(genuine(), device=DeviceEvidence(True, True, ("emulator",))),
        dataclasses.replace(DEFAULTS, device_verification=True),
        "other",
        "Device verification failed (DE-30000).",
    ),
    (
        "fourth approval on one device in 30 days",
        dataclasses.replace(
            genuine(),
            device=DeviceEvidence(True, True, ()),
            duplicates=_dups(device=(match("d-1", days_ago=1), match("d-2", days_ago=5), match("d-3", days_ago=29))),
        ),
        dataclasses.replace(DEFAULTS, device_verification=True),
        "other",
        "Device verification failed (DE-40000).",
    ),
    (
        "proof of address required, none submitted",
        genuine(),
        PROOF_OF_ADDRESS,
        "address_image_invalidImage",
        "Invalid proof of address. It must include your full name and address. Examples: utility bill, bank "
        "statement, residency certificate.",
    ),
    (
        "proof of address not an image",
        _address(reject_code="address_image_invalidImage"),
        PROOF_OF_ADDRESS,
        "address_image_invalidImage",
        "Invalid proof of address. It must include your full name and address. Examples: utility bill, bank "
        "statement, residency certificate.",
    ),
    (
        "proof of address without text",
        _address(reject_code="address_image_badImage"),
        PROOF_OF_ADDRESS,
        "address_image_badImage",
        "Unable to read the proof of address image. Please ensure the image is clear and resubmit.",
    ),
    (
        "proof of address of someone else",
        _address(reject_code="address_info_dataMismatch"),
        PROOF_OF_ADDRESS,
        "address_info_dataMismatch",
        "Entered information does not match the proof of address.",
    ),
    (
        "proof of address from 7 months ago",
        _address(reject_code="address_info_expiredDocument", name_found=True, issue_date=dt.date(2024, 11, 1)),
        PROOF_OF_ADDRESS,
        "address_info_expiredDocument",
        "Proof of address is expired. It must be issued within the last 6 months.",
    ),
]


@pytest.mark.parametrize(
    ("evidence", "policy", "code", "comment"), [case[1:] for case in REJECTIONS], ids=[c[0] for c in REJECTIONS]
)
def test_it_rejects_with_the_spec_code_and_comment(evidence, policy, code, comment):
    # when
    decision = decide(evidence, policy)

    # then
    assert (decision.status, decision.reject_code, decision.reject_comment) == ("rejected", code, comment)
    assert decision.kyc() == {"result": "rejected", "comment": [comment], "commentCode": [code]}
    assert decision.reviewer == "system"


# (case, evidence, policy settings): each a near miss of a rejection above, which must not reject
NOT_REJECTED = [
    ("second failed attempt", dataclasses.replace(genuine(), failed_attempts=2), DEFAULTS),
    ("expires on the submission day", with_fields(genuine(), expiry_date=dt.date(2025, 6, 1)), DEFAULTS),
    (
        "expired, rejection off",
        with_fields(genuine(), expiry_date=dt.date(2020, 1, 1)),
        PolicySettings(reject_expired_id=False),
    ),
    ("13 on the submission day", with_fields(genuine(), birth_date=dt.date(2012, 6, 1)), DEFAULTS),
    (
        "12, session lifts the age limit",
        change(with_fields(genuine(), birth_date=dt.date(2012, 6, 2)), "session", age_limit=False),
        DEFAULTS,
    ),
    ("12, no age limit", with_fields(genuine(), birth_date=dt.date(2012, 6, 2)), PolicySettings(age_limit=None)),
    (
        "blacklisted, session lifts it",
        change(genuine(), "session", blacklist_countries=False),
        PolicySettings(blacklist_countries=("UTO",)),
    ),
    (
        "passport allowed by the * line",
        genuine(),
        PolicySettings(allowed_id_types=parse_allowed_id_types("country,id_type\nKOR,drivers_license\n*,passport\n")),
    ),
    ("same DI, prevention off", dataclasses.replace(genuine(), duplicates=_dups(di=(match("s-1"),))), DEFAULTS),
    (
        "same DI as a rejected one",
        dataclasses.replace(genuine(), duplicates=_dups(di=(match("s-1", "rejected"),))),
        PolicySettings(reject_duplicate_user=True),
    ),
    (
        "same DI, session turns prevention off",
        change(
            dataclasses.replace(genuine(), duplicates=_dups(di=(match("s-1"),))), "session", reject_duplicate_user=False
        ),
        PolicySettings(reject_duplicate_user=True),
    ),
    (
        "approved 31 days ago, period 30",
        dataclasses.replace(genuine(), duplicates=_dups(same_person=(match("s-3", days_ago=31),))),
        PolicySettings(approve_period_days=30),
    ),
    (
        "third approval on one device",
        dataclasses.replace(
            genuine(), device=DeviceEvidence(True, True, ()), duplicates=_dups(device=(match("d-1"), match("d-2")))
        ),
        PolicySettings(device_verification=True),
    ),
    (
        "fourth approval, one outside 30 days",
        dataclasses.replace(
            genuine(),
            device=DeviceEvidence(True, True, ()),
            duplicates=_dups(device=(match("d-1"), match("d-2"), match("d-3", days_ago=31))),
        ),
        PolicySettings(device_verification=True),
    ),
    (
        "fourth approval, register and pass",
        dataclasses.replace(
            genuine(),
            device=DeviceEvidence(True, True, ()),
            duplicates=_dups(device=(match("d-1"), match("d-2"), match("d-3"))),
        ),
        PolicySettings(device_verification=True, device_duplicate_policy="register_and_pass"),
    ),
    (
        "hosting, detection off",
        dataclasses.replace(genuine(), network=NetworkEvidence(True, ("hosting",), 90.0)),
        DEFAULTS,
    ),
    ("proof of address not required, none submitted", genuine(), DEFAULTS),
    (
        "proof of address naming the holder, issued 6 months before to the day",
        _address(name_found=True, issue_date=dt.date(2024, 12, 1), street="1 Main St"),
        PROOF_OF_ADDRESS,
    ),
    (
        "stale proof of address, proof not required",
        _address(reject_code="address_info_expiredDocument", issue_date=dt.date(2024, 1, 1)),
        DEFAULTS,
    ),
]


@pytest.mark.parametrize(("evidence", "policy"), [c[1:] for c in NOT_REJECTED], ids=[c[0] for c in NOT_REJECTED])
def test_near_misses_are_approved(evidence, policy):
    decision = decide(evidence, policy)

    assert (decision.status, decision.reject_code, decision.reject_comment) == ("approved", None, None)


def test_the_first_reject_in_precedence_order_gives_the_code_and_every_finding_is_traced():
    # given: expired and under age and blacklisted
    evidence = with_fields(genuine(), expiry_date=dt.date(2020, 1, 1), birth_date=dt.date(2015, 1, 1))
    policy = PolicySettings(blacklist_countries=("UTO",))

    # when
    decision = decide(evidence, policy)

    # then
    assert decision.reject_code == "blacklistCountry"
    assert decision.deciding == "reject:blacklistCountry"
    assert [s.name for s in decision.trace if s.kind == "reject"] == [
        "blacklistCountry",
        "expired_id",
        "under_ageLimit",
    ]


@pytest.mark.parametrize(
    ("preset", "evidence", "score", "status"),
    [
        ("conservative", scored(0.0, 51.4), 70, "approved"),  # 50 + 25 × 0.8
        ("conservative", scored(0.0, 49.8), 69, "pending"),  # 50 + 25 × 0.76
        ("standard", scored(0.0, None), 50, "approved"),
        ("standard", scored(0.0, None, [("suspected_photocopy", 0.1)]), 49, "pending"),
        ("open", scored(0.0, None, [("suspected_photocopy", 1.0)]), 40, "approved"),
        ("open", scored(0.0, None, [("suspected_photocopy", 1.0), ("quality_glare", 0.8)]), 39, "pending"),  # 38.75
    ],
)
def test_a_score_meeting_the_threshold_exactly_is_approved(preset, evidence, score, status):
    # when
    decision = decide(evidence, PolicySettings(threshold_preset=preset))

    # then
    assert (decision.score, decision.status, decision.deciding) == (score, status, "threshold")


@pytest.mark.parametrize(("custom", "status"), [(86, "approved"), (87, "pending"), (0, "approved"), (100, "pending")])
def test_a_custom_threshold(custom, status):
    decision = decide(genuine(), PolicySettings(threshold_preset="custom", custom_threshold=custom))

    assert (decision.score, decision.threshold, decision.status) == (86, custom, status)


@pytest.mark.parametrize(
    ("case", "evidence", "policy", "cause"),
    [
        (
            "face below threshold",
            change(genuine(), "face", similarity=30.0, match=False),
            PolicySettings(threshold_preset="open"),
            "face_not_matched",
        ),
        (
            "selfie refused",
            change(genuine(), "face", similarity=None, match=False, refusal="several_faces"),
            PolicySettings(threshold_preset="open"),
            "face_refused",
        ),
        (
            "liveness failed",
            dataclasses.replace(genuine(), liveness=LivenessEvidence("failed", 0.2)),
            DEFAULTS,
            "liveness_failed",
        ),
        (
            "VPN (level medium)",
            dataclasses.replace(genuine(), network=NetworkEvidence(True, ("vpn",), 60.0)),
            PolicySettings(network_detection=True),
            "network_vpn",
        ),
        (
            "expired per an unverified MRZ",
            with_document(with_fields(genuine(), expiry_date=dt.date(2020, 1, 1)), mrz_valid=False),
            DEFAULTS,
            "expiry_unverified",
        ),
        (
            "under age per an edited DOB",
            with_document(with_fields(genuine(), birth_date=dt.date(2015, 1, 1)), edited_fields=("birth_date",)),
            DEFAULTS,
            "age_unverified",
        ),
        (
            "no DOB, handling pending",
            with_fields(genuine(), birth_date=None),
            PolicySettings(no_date_of_birth="pending"),
            "birth_date_missing",
        ),
    ],
)
def test_review_causes_make_it_pending_whatever_the_score(case, evidence, policy, cause):
    # when
    decision = decide(evidence, policy)

    # then
    assert (decision.status, decision.deciding, decision.reject_code) == ("pending", f"review:{cause}", None)
    assert decision.reviewer == "staff"


def test_automated_processing_only_rejects_a_review_cause_and_keeps_it_in_the_trace():
    # given
    evidence = dataclasses.replace(genuine(), liveness=LivenessEvidence("failed", 0.2))

    # when
    decision = decide(evidence, PolicySettings(automated_processing_only=True))

    # then
    assert (decision.status, decision.reject_code) == ("rejected", "automatic_verification_fail")
    assert decision.deciding == "automated_processing_only"
    assert decision.trace[-2].detail == "would be pending (review:liveness_failed): rejected"


def test_automated_processing_only_leaves_approvals_alone():
    decision = decide(genuine(), PolicySettings(automated_processing_only=True))

    assert (decision.status, decision.reject_code, decision.reviewer) == ("approved", None, "system")


def test_a_pending_decision_names_the_client_api_reviewer():
    decision = decide(scored(0.0, None), PolicySettings(reviewer="client_api"))

    assert (decision.status, decision.reviewer) == ("pending", "client_api")


def test_no_date_of_birth_accepted_notes_that_the_age_was_not_checked():
    decision = decide(with_fields(genuine(), birth_date=None), PolicySettings(no_date_of_birth="accept"))

    assert decision.status == "approved"
    assert [(s.kind, s.name) for s in decision.trace if s.kind == "note"] == [
        ("note", "birth_date_missing"),
        ("note", "age_unknown"),
    ]


def test_an_incomplete_submission_inside_its_timeout_cannot_be_decided():
    timestamps = dataclasses.replace(INCOMPLETE, evaluated_at=CREATED + dt.timedelta(hours=23, minutes=59))

    with pytest.raises(NotReady):
        decide(dataclasses.replace(genuine(), timestamps=timestamps), DEFAULTS)


def test_age_and_expiry_are_judged_on_the_submission_day_not_the_evaluation_day():
    # given: submitted the day before the 13th birthday and the expiry, re-evaluated a year later
    evidence = with_fields(genuine(), birth_date=dt.date(2012, 6, 2), expiry_date=dt.date(2025, 6, 1))
    later = dataclasses.replace(evidence.timestamps, evaluated_at=SUBMITTED + dt.timedelta(days=365))

    # when
    decision = decide(dataclasses.replace(evidence, timestamps=later), DEFAULTS)

    # then
    assert decision.reject_code == "under_ageLimit"
    assert [s.name for s in decision.trace if s.kind == "reject"] == ["under_ageLimit"]


def test_the_trace_explains_every_contribution_and_the_decision():
    decision = decide(genuine(), DEFAULTS)

    assert [(s.kind, s.name, s.contribution) for s in decision.trace] == [
        ("score", "document_read", 13.5),
        ("score", "mrz_integrity", 15.0),
        ("score", "visual_consistency", 15.0),
        ("score", "capture_authenticity", 10.0),
        ("score", "image_quality", 5.0),
        ("score", "face_match", 22.5),
        ("score", "liveness", 0.0),
        ("score", "data_entry", 5.0),
        ("decision", "threshold", None),
        ("decision", "approved", None),
    ]
    assert decision.trace[-2].detail == "score 86 >= threshold 70"


def test_a_decision_round_trips_through_json():
    decision = decide(with_fields(genuine(), birth_date=dt.date(2015, 1, 1)), DEFAULTS)

    assert Decision.from_json(decision.to_json()) == decision
