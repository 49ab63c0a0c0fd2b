"""The Event Log's CSV export: exact content, formula-safe cells, bounded, and itself recorded."""

from __future__ import annotations

import datetime as dt

import time_machine

from projects.actors import Actor
from projects.models import AuditEvent
from projects.services import audit_record
from tests.conftest import sign_in
from tests.factories import ProjectFactory

DAY = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
HEADER = "time_utc,action,what,by,target_type,target_id,ip_address,details\r\n"


def _record(project, action: str, at: dt.datetime, actor: Actor, **fields) -> AuditEvent:
    with time_machine.travel(at, tick=False):
        return audit_record(actor=actor, action=action, project=project, **fields)


def _csv(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_the_export_holds_exactly_the_filtered_events_and_records_itself(project, owner, client):
    # given: two deletions by the owner, one other event, and another project's deletion
    by_owner = Actor(user=owner, label=f"user:{owner.pk}", ip_address="203.0.113.7")
    _record(project, "submission.deleted", DAY, by_owner, target_type="submission", target_id="sub1",
            details={"fields": ["images", "memo"]})  # fmt: skip
    _record(project, "submission.deleted", DAY + dt.timedelta(hours=1), by_owner, target_type="submission",
            target_id="=HYPERLINK(1)")  # fmt: skip
    _record(project, "submission.created", DAY, Actor.system())
    _record(ProjectFactory(), "submission.deleted", DAY, by_owner, target_type="submission", target_id="other")
    client = sign_in(client, owner)
    before = AuditEvent.objects.filter(project=project).count()

    # when
    with time_machine.travel(DAY + dt.timedelta(days=1), tick=False):
        response = client.post(
            f"/dashboard/p/{project.pid}/events/",
            {"actor": f"user:{owner.pk}", "action": "submission.deleted", "day_from": "2026-11-20"},
        )

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="event-log-{project.pid}-20261121-100000.csv"'
    assert _csv(response) == (
        HEADER + f"2026-11-20T11:00:00+00:00,submission.deleted,Submission deleted,{owner.email},submission,"
        "'=HYPERLINK(1),203.0.113.7,\r\n"
        + f"2026-11-20T10:00:00+00:00,submission.deleted,Submission deleted,{owner.email},submission,sub1,"
        '203.0.113.7,"fields: images, memo"\r\n'
    )
    assert AuditEvent.objects.filter(project=project).count() == before + 1
    export = AuditEvent.objects.get(project=project, action="event_log.exported")
    assert (export.actor_user_id, export.target_type) == (owner.pk, "event_log")
    assert export.details == {
        "filters": {"actor": f"user:{owner.pk}", "action": "submission.deleted", "from": "2026-11-20"},
        "rows": 2,
    }


def test_an_export_with_nothing_matching_is_a_header_and_still_recorded(project, owner, client):
    # given
    client = sign_in(client, owner)

    # when
    response = client.post(f"/dashboard/p/{project.pid}/events/", {"action": "submission.deleted"})

    # then
    assert _csv(response) == HEADER
    assert AuditEvent.objects.get(project=project, action="event_log.exported").details == {
        "filters": {"action": "submission.deleted"},
        "rows": 0,
    }


def test_an_export_over_the_bound_is_refused_and_nothing_is_recorded(project, owner, client, monkeypatch):
    # given: a bound of two and three matching events
    monkeypatch.setattr("projects.services.audit.EXPORT_MAX_ROWS", 2)
    for _ in range(3):
        _record(project, "submission.created", DAY, Actor.system())
    client = sign_in(client, owner)
    before = list(AuditEvent.objects.filter(project=project).values_list("pk", flat=True))

    # when
    response = client.post(f"/dashboard/p/{project.pid}/events/", {"prefix": "submission"}, follow=True)

    # then
    assert response.redirect_chain == [(f"/dashboard/p/{project.pid}/events/?prefix=submission", 302)]
    assert "An export holds at most 2 events; narrow the filters" in response.content.decode()
    assert list(AuditEvent.objects.filter(project=project).values_list("pk", flat=True)) == before


def test_invalid_filters_export_nothing(project, owner, client):
    # given
    client = sign_in(client, owner)

    # when
    response = client.post(f"/dashboard/p/{project.pid}/events/", {"day_from": "yesterday"}, follow=True)

    # then
    assert "Fix the filters before exporting." in response.content.decode()
    assert not AuditEvent.objects.filter(project=project, action="event_log.exported").exists()


def test_an_outsider_cannot_export_another_projects_log(project, outsider, client):
    # given
    client = sign_in(client, outsider)

    # when
    response = client.post(f"/dashboard/p/{project.pid}/events/", {})

    # then
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(project=project, action="event_log.exported").exists()


def test_a_get_never_exports(project, owner, client):
    # given
    client = sign_in(client, owner)

    # when
    response = client.get(f"/dashboard/p/{project.pid}/events/", {"action": "submission.deleted"})

    # then: the page, not a file
    assert (response.status_code, response["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert not AuditEvent.objects.filter(project=project, action="event_log.exported").exists()
