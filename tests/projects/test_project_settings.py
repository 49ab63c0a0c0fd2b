"""Changing project settings: one validator per setting, all-or-nothing, audited by key (G22, G23)."""

from __future__ import annotations

import pytest

from projects.actors import Actor
from projects.models import AuditEvent, Project
from projects.services import InvalidSettings, project_settings_update
from projects.settings_registry import get_setting
from tests.factories import ProjectFactory

ACTOR = Actor.system("test")


def _snapshot(project: Project) -> dict:
    return Project.objects.filter(pk=project.pk).values().get()


def test_a_valid_change_is_saved_canonically_and_audited_by_key_only(project):
    # when
    changed = project_settings_update(
        project=project,
        changes={"api_ip_allowlist": ["10.0.0.0/8", "2001:0db8::/32", "::ffff:10.0.0.0/104"]},
        actor=ACTOR,
    )

    # then
    assert changed == ["api_ip_allowlist"]
    project.refresh_from_db()
    assert project.api_ip_allowlist == ["10.0.0.0/8", "2001:db8::/32"]
    event = AuditEvent.objects.get(project=project)
    assert event.action == "project.settings_changed"
    assert (event.target_type, event.target_id) == ("project", project.pid)
    assert event.details == {
        "changed": ["api_ip_allowlist"],
        "before": {"api_ip_allowlist": []},
        "after": {"api_ip_allowlist": ["10.0.0.0/8", "2001:db8::/32"]},
    }


def test_the_callers_project_object_is_updated(project):
    project_settings_update(project=project, changes={"rate_limit_per_second": 7}, actor=ACTOR)

    assert project.rate_limit_per_second == 7


def test_status_is_normalised_to_upper_case(project):
    # when
    changed = project_settings_update(project=project, changes={"status": " open "}, actor=ACTOR)

    # then
    assert changed == ["status"]
    project.refresh_from_db()
    assert project.status == "OPEN"


def test_an_unchanged_value_changes_nothing_and_writes_no_event(project):
    # given
    before = _snapshot(project)

    # when
    changed = project_settings_update(
        project=project, changes={"name": project.name, "api_ip_allowlist": []}, actor=ACTOR
    )

    # then
    assert changed == []
    assert _snapshot(project) == before
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("changes", "bad_keys"),
    [
        ({"api_ip_allowlist": ["10.0.0.1/8"]}, {"api_ip_allowlist"}),
        ({"api_ip_allowlist": ["10.0.0.0/8", "not-a-network"]}, {"api_ip_allowlist"}),
        ({"api_ip_allowlist": "10.0.0.0/8"}, {"api_ip_allowlist"}),
        ({"dashboard_ip_allowlist": ["2001:db8::1/32"]}, {"dashboard_ip_allowlist"}),
        ({"status": "ARCHIVED"}, {"status"}),
        ({"name": "   "}, {"name"}),
        ({"name": "x" * 121}, {"name"}),
        ({"emergency_stop": "yes"}, {"emergency_stop"}),
        ({"rate_limit_per_second": 0}, {"rate_limit_per_second"}),
        ({"rate_limit_per_second": True}, {"rate_limit_per_second"}),
        ({"rate_limit_per_day": 100_000_001}, {"rate_limit_per_day"}),
        ({"bogus": 1}, {"bogus"}),
        # a valid change next to an invalid one is not applied either
        ({"name": "Renamed", "api_ip_allowlist": ["10.0.0.1/8"], "status": "nope"}, {"api_ip_allowlist", "status"}),
    ],
)
def test_an_invalid_change_is_refused_with_per_key_errors_and_nothing_changes(project, changes, bad_keys):
    # given
    before = _snapshot(project)

    # when
    with pytest.raises(InvalidSettings) as refused:
        project_settings_update(project=project, changes=changes, actor=ACTOR)

    # then
    assert set(refused.value.errors) == bad_keys
    assert refused.value.code == "invalid_settings"
    assert all(refused.value.errors.values())
    assert refused.value.extra == {"errors": refused.value.errors}
    assert _snapshot(project) == before
    assert not AuditEvent.objects.exists()


def test_the_host_bits_error_names_the_entry(project):
    with pytest.raises(InvalidSettings) as refused:
        project_settings_update(project=project, changes={"api_ip_allowlist": ["10.0.0.1/8"]}, actor=ACTOR)

    assert "10.0.0.1/8" in refused.value.errors["api_ip_allowlist"]


def test_an_allowlist_longer_than_200_entries_is_refused(project):
    networks = [f"10.0.{index // 256}.{index % 256}/32" for index in range(201)]

    with pytest.raises(InvalidSettings):
        project_settings_update(project=project, changes={"api_ip_allowlist": networks}, actor=ACTOR)

    project.refresh_from_db()
    assert project.api_ip_allowlist == []


def test_rate_limits_go_back_to_the_default(project):
    # given
    project_settings_update(project=project, changes={"rate_limit_per_day": 10}, actor=ACTOR)

    # when
    project_settings_update(project=project, changes={"rate_limit_per_day": None}, actor=ACTOR)

    # then
    project.refresh_from_db()
    assert project.rate_limit_per_day is None


def test_a_change_touches_only_its_project(project):
    # given
    other = ProjectFactory()
    before = _snapshot(other)

    # when
    project_settings_update(project=project, changes={"emergency_stop": True}, actor=ACTOR)

    # then
    assert _snapshot(other) == before


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        (
            "api_ip_allowlist",
            "10.0.0.0/8, 2001:db8::/32\n192.168.0.0/16",
            ["10.0.0.0/8", "2001:db8::/32", "192.168.0.0/16"],
        ),
        ("api_ip_allowlist", "", []),
        ("emergency_stop", "on", True),
        ("emergency_stop", "False", False),
        ("rate_limit_per_second", "default", None),
        ("rate_limit_per_second", "12", 12),
    ],
)
def test_setting_text_parses_as_the_cli_and_forms_send_it(key, text, value):
    assert get_setting(key).parse(text) == value


def test_a_setting_registered_again_replaces_itself_and_a_clash_is_refused():
    from projects.settings_registry import _REGISTRY, ProjectSetting, get_setting, register

    def setting(label: str) -> ProjectSetting:
        return ProjectSetting("test_only_key", label, "", str, str, lambda p: "", lambda p, v: None)

    try:
        register(setting("Test key"))
        register(setting("Test key"))  # an app's ready() run again
        assert get_setting("test_only_key").label == "Test key"
        with pytest.raises(ValueError, match="registered twice"):
            register(setting("Another setting"))
        assert get_setting("test_only_key").label == "Test key"
    finally:
        _REGISTRY.pop("test_only_key", None)
