"""Policy settings: spec defaults, validation, and the per-country ID-type CSV allow-list."""

from __future__ import annotations

import pytest

from policy.id_types import AllowedIdTypes, AllowListError, parse_allowed_id_types
from policy.reject_codes import REJECT_COMMENTS, reject_comment
from policy.settings import PolicySettings, SettingsError

# spec §8.4, copied by hand: the contract
SPEC_REJECT_TABLE = {
    "id_image_invalidImage": "ID document not detected. Please take a clear picture of your ID document.",
    "id_image_invalidId": "Invalid ID document. Please resubmit with a valid ID document.",
    "id_image_error": "Failed to upload the ID image. Please retry the KYC process.",
    "id_image_badImage": "Unable to read the ID image. Please ensure the image is clear and resubmit.",
    "id_info_dataMismatch": "Entered information does not match the ID document.",
    "id_info_blacklist": "KYC is not accepted from country as per policy.",
    "id_info_notOfAge": "KYC is not accepted for individuals under 13 years old.",
    "duplicate_user": "A user has been duplicated as a result of identification.",
    "duplicated_user_PII_exact": "A user's personal identity information has been duplicated as a result of identification.",
    "duplicated_face": "A duplicate user has been identified through face matching.",
    "too_many_retry": "Multiple invalid KYC attempts detected.",
    "blacklistCountry": "KYC is not accepted from country as per policy.",
    "under_ageLimit": "KYC is not accepted for individuals under 13 years old.",
    "invalid_acceptedID": "Invalid ID type. Please resubmit with a valid ID document. Refer to the submission page for accepted IDs.",
    "no-date-of-birth": "There is no date of birth information on the ID.",
    "expired_id": "ID cards have already expired.",
    "automatic_verification_fail": "Verification failed - submitted data didn't meet quality requirements. Try again with clear, well-lit shots, and contact support if issues continue.",
    "address_image_invalidImage": "Invalid proof of address. It must include your full name and address. Examples: utility bill, bank statement, residency certificate.",
    "address_image_error": "Failed to upload the proof of address image. Please retry.",
    "address_image_badImage": "Unable to read the proof of address image. Please ensure the image is clear and resubmit.",
    "address_info_expiredDocument": "Proof of address is expired. It must be issued within the last 6 months.",
    "address_info_dataMismatch": "Entered information does not match the proof of address.",
    "timeout": "KYC rejected due to timeout.",
}


def test_the_reject_table_is_the_spec_table():
    assert REJECT_COMMENTS == SPEC_REJECT_TABLE


@pytest.mark.parametrize(
    ("code", "limit", "comment"),
    [
        ("under_ageLimit", 19, "KYC is not accepted for individuals under 19 years old."),
        ("id_info_notOfAge", 16, "KYC is not accepted for individuals under 16 years old."),
        ("under_ageLimit", None, "KYC is not accepted for individuals under 13 years old."),
        ("expired_id", 19, "ID cards have already expired."),
    ],
)
def test_the_age_comments_carry_the_limit(code, limit, comment):
    assert reject_comment(code, age_limit=limit) == comment


def test_other_needs_its_text():
    assert reject_comment("other", text="Reviewer note.") == "Reviewer note."
    with pytest.raises(ValueError, match="free text"):
        reject_comment("other")


def test_defaults_follow_the_spec():
    defaults = PolicySettings()

    assert (defaults.threshold, defaults.age_limit, defaults.max_attempts, defaults.incomplete_timeout_hours) == (
        70,
        13,
        3,
        24,
    )
    assert (defaults.device_duplicate_limit, defaults.device_duplicate_period_days) == (3, 30)
    assert (defaults.reject_expired_id, defaults.no_date_of_birth, defaults.automated_processing_only) == (
        True,
        "reject",
        False,
    )
    assert (defaults.network_levels.level("vpn"), defaults.network_levels.level("hosting")) == ("medium", "high")


@pytest.mark.parametrize(
    ("preset", "custom", "threshold"),
    [("conservative", None, 70), ("standard", None, 50), ("open", None, 40), ("custom", 99, 99), ("custom", 0, 0)],
)
def test_threshold_presets(preset, custom, threshold):
    settings = PolicySettings.from_json({"threshold_preset": preset, "custom_threshold": custom})

    assert settings.threshold == threshold


def test_settings_round_trip_through_json():
    settings = PolicySettings(
        threshold_preset="standard",
        blacklist_countries=("PRK",),
        allowed_id_types=parse_allowed_id_types("country,id_type\nKOR,passport\n"),
        device_duplicate_period_days=None,
    )

    assert PolicySettings.from_json(settings.to_json()) == settings


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        (
            {"threshold_preset": "strict"},
            [("threshold_preset", "must be one of conservative, standard, open, custom, got 'strict'")],
        ),
        ({"threshold_preset": "custom"}, [("custom_threshold", "must be 0 to 100 with preset custom")]),
        (
            {"threshold_preset": "custom", "custom_threshold": 101},
            [("custom_threshold", "must be 0 to 100 with preset custom")],
        ),
        ({"reviewer": "argos"}, [("reviewer", "must be one of staff, client_api, got 'argos'")]),
        ({"age_limit": 0}, [("age_limit", "must be 1 to 120, or null (off)")]),
        ({"blacklist_countries": ["KOR", "kp"]}, [("blacklist_countries[1]", "'kp' is not alpha-3")]),
        (
            {"network_levels": {"vpn": "block"}},
            [("network_levels.vpn", "must be one of high, medium, low, got 'block'")],
        ),
        (
            {"device_duplicate_period_days": 0},
            [("device_duplicate_period_days", "must be at least 1, or null (all time)")],
        ),
        (
            {"allowed_id_types": {"entries": [["KOR", "ticket"]]}},
            [("allowed_id_types.entries[0]", "KOR,ticket is not alpha-3 (or *) and an ID type")],
        ),
        ({"max_attempts": "3"}, [("max_attempts", "expected a whole number, got '3'")]),
        ({"age_limt": 18}, [("", "unknown key(s) age_limt")]),
        (
            {"no_date_of_birth": "ignore", "approve_period_days": -1},
            [
                ("no_date_of_birth", "must be one of reject, pending, accept, got 'ignore'"),
                ("approve_period_days", "must be 0 (off) to 3650"),
            ],
        ),
    ],
)
def test_settings_problems_name_the_key(data, problems):
    with pytest.raises(SettingsError) as raised:
        PolicySettings.from_json(data)

    assert raised.value.problems == problems


ALLOW_LIST = """country,id_type
# Korea: ID card and licence only
KOR,government_id
KOR, drivers_license

*,passport
"""


@pytest.mark.parametrize(
    ("country", "id_type", "allowed"),
    [
        ("KOR", "government_id", True),
        ("KOR", "drivers_license", True),
        ("KOR", "passport", False),  # listed countries accept exactly their lines
        ("USA", "passport", True),  # others take the * lines
        ("USA", "drivers_license", False),
        (None, "passport", True),
    ],
)
def test_the_allow_list_applies_per_country_then_star(country, id_type, allowed):
    assert parse_allowed_id_types(ALLOW_LIST).allows(country, id_type) is allowed


def test_without_a_star_line_unlisted_countries_accept_everything():
    allow = parse_allowed_id_types("country,id_type\nKOR,passport\n")

    assert (allow.allows("USA", "visa"), allow.allows("KOR", "visa"), allow.types_for("USA")) == (True, False, None)


def test_an_empty_allow_list_accepts_everything():
    assert parse_allowed_id_types("") == AllowedIdTypes()
    assert AllowedIdTypes().allows("KOR", "visa") is True


def test_the_allow_list_round_trips_through_csv():
    allow = parse_allowed_id_types(ALLOW_LIST)

    assert allow.to_csv() == "country,id_type\n*,passport\nKOR,drivers_license\nKOR,government_id\n"
    assert parse_allowed_id_types(allow.to_csv()) == allow


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("KOR,passport\n", ["line 1: the first line must be the header 'country,id_type'"]),
        (
            "country,id_type\nKR,passport\nKOR,ticket\nKOR\nKOR,passport,x\n",
            [
                "line 2: country 'KR' is not an ISO 3166-1 alpha-3 code or '*'",
                "line 3: id_type 'ticket' is not one of government_id, drivers_license, passport, residence_permit,"
                " vehicle_registration_certificate, visa, aadhaar, pancard",
                "line 4: expected 2 values (country,id_type), found 1",
                "line 5: expected 2 values (country,id_type), found 3",
            ],
        ),
        ("country,id_type\nKOR,passport\n\nKOR,passport\n", ["line 4: KOR,passport repeats line 2"]),
    ],
)
def test_the_allow_list_parser_reports_every_bad_line(text, problems):
    with pytest.raises(AllowListError) as raised:
        parse_allowed_id_types(text)

    assert raised.value.problems == problems
