"""What the Event Log keeps of a settings change: the keys, and their values before and after."""

from __future__ import annotations

from projects.actors import Actor
from projects.models import AuditEvent
from projects.services import project_settings_update

ACTOR = Actor.system("test")


def test_it_records_the_value_before_and_after_each_changed_key(project):
    # given
    project_settings_update(project=project, changes={"policy_age_limit": 18}, actor=ACTOR)

    # when
    project_settings_update(project=project, changes={"policy_age_limit": 21, "emergency_stop": False}, actor=ACTOR)

    # then: the unchanged key is not listed
    event = AuditEvent.objects.filter(project=project).order_by("-sequence").first()
    assert event.details == {
        "changed": ["policy_age_limit"],
        "before": {"policy_age_limit": 18},
        "after": {"policy_age_limit": 21},
    }


def test_a_url_keeps_neither_its_query_nor_its_user_info(project):
    # when
    project_settings_update(
        project=project,
        changes={"liveform_return_url": "https://user:pw@shop.example.com:8443/kyc/done?token=s3cret#x"},
        actor=ACTOR,
    )

    # then
    event = AuditEvent.objects.get(project=project)
    assert event.details["after"] == {"liveform_return_url": "https://shop.example.com:8443/kyc/done?…"}
    assert "s3cret" not in str(event.details)
    assert "pw" not in str(event.details["after"])
