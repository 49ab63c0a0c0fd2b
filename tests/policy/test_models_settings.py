"""The policy settings as project settings: registry, configure_project, the stored JSON, the dashboard."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from policy.models import ProjectPolicy
from policy.project_settings import KEYS
from policy.selectors import policy_settings_get
from policy.services import policy_settings_update
from policy.settings import PolicySettings
from projects.actors import Actor
from projects.models import AuditEvent
from projects.services import InvalidSettings
from projects.settings_registry import all_settings

ACTOR = Actor.system("test")
CSV = "country,id_type\nKOR,government_id\nKOR,drivers_license\n*,passport\n"


def _show(pid: str) -> str:
    out = io.StringIO()
    call_command("configure_project", pid, "--show", stdout=out)
    return out.getvalue()


def test_every_policy_setting_is_registered_with_the_project_settings():
    registered = [setting.key for setting in all_settings()]

    assert set(KEYS) <= set(registered)
    assert len(KEYS) == 25


def test_a_project_nobody_configured_has_the_engines_defaults(project):
    # then
    assert policy_settings_get(project) == PolicySettings()
    shown = _show(project.pid)
    assert "policy_threshold = conservative" in shown
    assert "policy_age_limit = 13" in shown
    assert "policy_device_duplicate_period_days = 30" in shown
    assert not ProjectPolicy.objects.exists()


def test_settings_round_trip_through_configure_project(project):
    # when
    call_command(
        "configure_project",
        project.pid,
        "policy_threshold=custom 65",
        "policy_reviewer=client_api",
        "policy_age_limit=off",
        "policy_blacklist_countries=prk, irn",
        f"policy_allowed_id_types={CSV}",
        "policy_network_level_vpn=high",
        "policy_device_duplicate_period_days=all",
        "policy_automated_processing_only=yes",
    )

    # then: the engine reads them
    settings = policy_settings_get(project)
    assert settings.threshold_preset == "custom"
    assert settings.threshold == 65
    assert settings.reviewer == "client_api"
    assert settings.age_limit is None
    assert settings.blacklist_countries == ("PRK", "IRN")
    assert settings.allowed_id_types.entries == (
        ("*", "passport"),
        ("KOR", "drivers_license"),
        ("KOR", "government_id"),
    )
    assert settings.allowed_id_types.allows("KOR", "passport") is False
    assert settings.network_levels.vpn == "high"
    assert settings.network_levels.proxy == "medium"
    assert settings.device_duplicate_period_days is None
    assert settings.automated_processing_only is True
    # and --show prints what can be typed back
    shown = _show(project.pid)
    assert "policy_threshold = 65" in shown
    assert "policy_age_limit = off" in shown
    assert "policy_blacklist_countries = PRK, IRN" in shown
    assert "policy_allowed_id_types = *,passport\nKOR,drivers_license\nKOR,government_id" in shown
    assert "policy_device_duplicate_period_days = all" in shown
    out = io.StringIO()
    call_command("configure_project", project.pid, "--show", "--json", stdout=out)
    values = json.loads(out.getvalue())
    assert values["policy_threshold"] == 65
    assert values["policy_blacklist_countries"] == ["PRK", "IRN"]
    # and the change is in the Event Log by key, with the values before and after
    event = AuditEvent.objects.get(project=project, action="project.settings_changed")
    assert "policy_threshold" in event.details["changed"]
    countries = [event.details[when]["policy_blacklist_countries"] for when in ("before", "after")]
    assert countries == [[], ["PRK", "IRN"]]


def test_the_stored_json_is_sparse_and_nested_records_change_key_by_key(project):
    # when
    policy_settings_update(project=project, changes={"policy_network_level_vpn": "high"}, actor=ACTOR)
    policy_settings_update(project=project, changes={"policy_network_level_proxy": "low"}, actor=ACTOR)
    policy_settings_update(project=project, changes={"policy_threshold": "open"}, actor=ACTOR)

    # then
    stored = ProjectPolicy.objects.get(project=project).settings
    assert stored == {
        "network_levels": {"vpn": "high", "proxy": "low"},
        "threshold_preset": "open",
        "custom_threshold": None,
    }
    assert policy_settings_get(project).threshold == 40


def test_a_semicolon_separated_allow_list_works_on_one_command_line(project):
    call_command("configure_project", project.pid, "policy_allowed_id_types=KOR,passport;*,visa")

    assert policy_settings_get(project).allowed_id_types.entries == (("*", "visa"), ("KOR", "passport"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"policy_threshold": 101}, "custom_threshold: must be 0 to 100 with preset custom"),
        ({"policy_threshold": "custom"}, "Expected conservative (70), standard (50), open (40)"),
        ({"policy_age_limit": 0}, "age_limit: must be 1 to 120"),
        ({"policy_blacklist_countries": ["KOR", "XX1"]}, "blacklist_countries[1]: 'XX1' is not alpha-3"),
        ({"policy_allowed_id_types": ["KOR,passport", "KR,visa"]}, "'KR,visa': country 'KR' is not an ISO"),
        ({"policy_allowed_id_types": ["KOR,passport", "KOR,passport"]}, "'KOR,passport': listed twice"),
        ({"policy_network_level_tor": "severe"}, "network_levels.tor: must be one of high, medium, low"),
        ({"policy_max_attempts": True}, "max_attempts: expected a whole number"),
        ({"policy_reject_expired_id": "yes"}, "reject_expired_id: expected true or false"),
        ({"policy_device_duplicate_policy": "ignore"}, "must be one of fail, register_and_pass"),
    ],
)
def test_invalid_values_are_refused_with_the_reason_and_nothing_changes(project, changes, message):
    # given: one valid change goes with the bad one
    key = next(iter(changes))

    # when
    with pytest.raises(InvalidSettings) as raised:
        policy_settings_update(project=project, changes={"policy_reviewer": "client_api", **changes}, actor=ACTOR)

    # then
    assert list(raised.value.errors) == [key]
    assert message in raised.value.errors[key]
    assert not ProjectPolicy.objects.exists()
    assert not AuditEvent.objects.exists()
    assert policy_settings_get(project) == PolicySettings()


def test_configure_project_refuses_a_bad_value_and_changes_nothing(project):
    with pytest.raises(CommandError, match="policy_age_limit"):
        call_command("configure_project", project.pid, "policy_threshold=open", "policy_age_limit=200")

    assert policy_settings_get(project) == PolicySettings()
    assert not AuditEvent.objects.exists()


def test_an_unchanged_value_writes_nothing(project):
    changed = policy_settings_update(project=project, changes={"policy_threshold": "conservative"}, actor=ACTOR)

    assert changed == []
    assert not ProjectPolicy.objects.exists()
    assert not AuditEvent.objects.exists()
