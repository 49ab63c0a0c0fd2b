"""The project settings ``aml_screening`` and ``aml_threshold`` (spec §8.12): defaults, changes
through the settings registry with their Event Log entry, and refusals that change nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from policy.aml.models import ProjectAmlSettings
from policy.aml.selectors import AmlSettings, aml_settings_get
from projects.actors import Actor
from projects.models import AuditEvent
from projects.services import InvalidSettings, project_settings_update

ACTOR = Actor.system("test")


def show(pid: str) -> str:
    out = io.StringIO()
    call_command("configure_project", pid, "--show", stdout=out)
    return out.getvalue()


def test_a_project_nobody_configured_does_not_screen_and_has_threshold_90(project):
    assert aml_settings_get(project) == AmlSettings(screening=False, threshold=90)
    assert "aml_screening = false" in show(project.pid)
    assert "aml_threshold = 90" in show(project.pid)
    assert not ProjectAmlSettings.objects.exists()


def test_an_admin_turns_screening_on_and_lowers_the_threshold(project):
    changed = project_settings_update(project=project, changes={"aml_screening": True, "aml_threshold": 85},
                                      actor=ACTOR)  # fmt: skip

    assert sorted(changed) == ["aml_screening", "aml_threshold"]
    assert aml_settings_get(project) == AmlSettings(screening=True, threshold=85)
    assert AuditEvent.objects.filter(project=project, action="project.settings_changed").count() == 1


@pytest.mark.parametrize("value", [101, -1, "90", True, None])
def test_a_threshold_outside_0_to_100_is_refused(project, value):
    with pytest.raises(InvalidSettings) as refused:
        project_settings_update(project=project, changes={"aml_threshold": value}, actor=ACTOR)

    assert refused.value.errors == {"aml_threshold": "Expected a whole number from 0 to 100."}
    assert aml_settings_get(project) == AmlSettings()
    assert not AuditEvent.objects.filter(project=project, action="project.settings_changed").exists()
