"""The Event Log's one-line rendering of an entry's details."""

from __future__ import annotations

from projects.templatetags.dashboard import event_details


def test_plain_details_read_key_by_key():
    assert event_details({"changed": ["a", "b"], "delta": 5}) == "changed: a, b · delta: 5"
    assert event_details({}) == ""
    assert event_details(None) == ""


def test_a_settings_change_reads_old_to_new_per_key():
    details = {
        "changed": ["policy_threshold", "api_ip_allowlist", "emergency_stop"],
        "before": {"policy_threshold": 70, "api_ip_allowlist": [], "emergency_stop": False},
        "after": {"policy_threshold": 80, "api_ip_allowlist": ["10.0.0.0/8", "192.0.2.0/24"], "emergency_stop": True},
    }

    assert event_details(details) == (
        "policy_threshold: 70 → 80 · api_ip_allowlist: (empty) → 10.0.0.0/8, 192.0.2.0/24 · emergency_stop: false → true"
    )


def test_nested_values_and_missing_ones_are_spelt_out():
    details = {"before": {"age_limit": None}, "after": {"age_limit": 18}, "filters": {"action": "submission."}}

    assert event_details(details) == "age_limit: (none) → 18 · filters: action=submission."
