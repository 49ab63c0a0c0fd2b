"""Every policy key (``policy_…``) the project settings registry offers, in the Policy page's
order, each with its label, help and the ``PolicySettings`` field(s) it maps to.

The threshold is ONE key, ``policy_threshold``: ``conservative`` (70), ``standard`` (50),
``open`` (40) or a whole number 0–100 (a custom threshold). Two keys (preset + number) would make
"custom and 65" depend on the order the two writes happen in.

``policy_allowed_id_types`` is the per-country CSV allow-list (``policy.id_types``), one
``COUNTRY,id_type`` pair per line. An empty list accepts every ID type.
"""

from __future__ import annotations

from policy.project_settings.keys import (
    PolicyKey,
    bool_key,
    choice_key,
    countries_fields,
    field_reader,
    id_types_fields,
    int_key,
    optional_int_parser,
    optional_renderer,
    parse_countries,
    parse_id_types,
    parse_threshold,
    render_lines,
    single_field,
    threshold_fields,
    threshold_of,
)
from policy.settings import DEVICE_DUPLICATE_POLICIES, NETWORK_LEVELS, NO_DOB_HANDLING, PIPELINES, REVIEWERS

POLICY_KEYS: list[PolicyKey] = [
    PolicyKey(
        "policy_threshold",
        "ARGOS score threshold",
        "conservative (70), standard (50), open (40), or a whole number 0–100 for a custom threshold. "
        "A score at or above it is approved automatically; below it, pending.",
        parse_threshold,
        threshold_fields,
        threshold_of,
    ),
    bool_key(
        "policy_automated_processing_only",
        "automated_processing_only",
        "Automated processing only",
        "true: no manual review; what would be pending is rejected (automatic_verification_fail).",
    ),
    choice_key(
        "policy_reviewer",
        "reviewer",
        "Reviewer of pending submissions",
        "staff (our reviewers) or client_api (you review through the dashboard or the review API).",
        REVIEWERS,
    ),
    PolicyKey(
        "policy_age_limit",
        "Age limit",
        "Minimum age in years from the document's date of birth (under_ageLimit); 'off' for none.",
        optional_int_parser("off", "no", "false"),
        single_field("age_limit"),
        field_reader("age_limit"),
        optional_renderer("off"),
    ),
    bool_key("policy_reject_expired_id", "reject_expired_id", "Reject expired IDs", "true: expired_id."),
    PolicyKey(
        "policy_blacklist_countries",
        "Blacklisted issuing countries",
        "ISO 3166-1 alpha-3 codes, comma or line separated (blacklistCountry); empty for none.",
        parse_countries,
        countries_fields,
        lambda s: list(s.blacklist_countries),
        ", ".join,
    ),
    PolicyKey(
        "policy_allowed_id_types",
        "Allowed ID types (CSV)",
        "One COUNTRY,id_type per line (country alpha-3 or * for every other country; a 'country,id_type' "
        "header is skipped). A listed country accepts only its types (invalid_acceptedID); empty accepts all.",
        parse_id_types,
        id_types_fields,
        lambda s: [f"{country},{id_type}" for country, id_type in s.allowed_id_types.entries],
        render_lines,
    ),
    choice_key(
        "policy_no_date_of_birth",
        "no_date_of_birth",
        "ID without a date of birth",
        "reject (no-date-of-birth), pending (manual review) or accept.",
        NO_DOB_HANDLING,
    ),
    bool_key(
        "policy_reject_duplicate_user",
        "reject_duplicate_user",
        "Duplicate user prevention",
        "true: reject a submission whose identity matches an earlier one (duplicate_user).",
    ),
    bool_key(
        "policy_reject_duplicate_face",
        "reject_duplicate_face",
        "Face duplication check",
        "true: reject a selfie matching another person's in this project (duplicated_face).",
    ),
    int_key(
        "policy_approve_period_days",
        "approve_period_days",
        "Approved re-submission block (days)",
        "Block new submissions of an already approved person for N days; 0 is off.",
    ),
    int_key(
        "policy_reject_period_days",
        "reject_period_days",
        "Rejected re-submission block (days)",
        "Block new submissions of a rejected person for N days; 0 is off.",
    ),
    bool_key(
        "policy_network_detection",
        "network_detection",
        "Proxy & VPN detection",
        "true: judge the submitter's IP against the imported VPN/proxy/TOR/hosting ranges.",
    ),
    *[
        choice_key(
            f"policy_network_level_{kind}",
            f"network_levels.{kind}",
            f"{label} connections",
            "high: reject; medium: manual review; low: noted only.",
            NETWORK_LEVELS,
        )
        for kind, label in (("proxy", "Proxy"), ("vpn", "VPN"), ("tor", "TOR"), ("hosting", "Hosting provider"))
    ],
    bool_key(
        "policy_device_verification",
        "device_verification",
        "Device verification",
        "true: refuse non-mobile environments and tampered devices (DE-20000, DE-30000).",
    ),
    int_key(
        "policy_device_duplicate_limit",
        "device_duplicate_limit",
        "Approvals allowed per device",
        "Device duplicate check: approvals allowed per device in the period (1–1000).",
    ),
    PolicyKey(
        "policy_device_duplicate_period_days",
        "Device duplicate period (days)",
        "Days the device duplicate check looks back; 'all' for all time.",
        optional_int_parser("all", "all time"),
        single_field("device_duplicate_period_days"),
        field_reader("device_duplicate_period_days"),
        optional_renderer("all"),
    ),
    choice_key(
        "policy_device_duplicate_policy",
        "device_duplicate_policy",
        "Over the device limit",
        "fail (DE-40000) or register_and_pass.",
        DEVICE_DUPLICATE_POLICIES,
    ),
    int_key(
        "policy_max_attempts",
        "max_attempts",
        "Attempts per flow",
        "Failed face or document attempts before too_many_retry (1–10).",
    ),
    bool_key(
        "policy_proof_of_address",
        "proof_of_address",
        "Proof of address",
        "true: every submission needs a bill or statement (addressImage) naming the document's holder, issued "
        "within 6 months; its address fills address_*. Refusals: address_image_invalidImage (missing or not an "
        "image), address_image_badImage, address_info_dataMismatch, address_info_expiredDocument.",
    ),
    PolicyKey(
        "policy_pipeline",
        "Verification pipeline",
        "id_document: the Liveform photographs an ID document and takes a selfie. knowledge_based: the person "
        "types their name, date of birth, gender and nationality and takes a selfie, with no document "
        "(docs/liveform.md). API submissions are always ID documents.",
        lambda text: text.strip().lower(),
        single_field("pipeline"),
        field_reader("pipeline"),
        str,
        tuple(zip(PIPELINES, ("ID document", "Knowledge-Based"), strict=True)),
    ),
    int_key(
        "policy_incomplete_timeout_hours",
        "incomplete_timeout_hours",
        "Incomplete timeout (hours)",
        "An unfinished submission is rejected with timeout after this many hours (1–720).",
    ),
]
KEYS = [item.key for item in POLICY_KEYS]
