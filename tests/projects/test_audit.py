"""The Event Log: per-project hash chains, ``verify_audit_chain``, concurrent writers (G23)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from projects.actors import Actor
from projects.models import AuditChainHead, AuditEvent
from projects.services import audit_record
from projects.services.audit import GLOBAL_CHAIN, audit_row_hash
from tests.factories import ProjectFactory

ACTOR = Actor.system("test")
GENESIS = "0" * 64


@contextmanager
def _triggers_off() -> Iterator[None]:
    """Act as a database superuser who bypasses the append-only trigger (test transaction only)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")


def _verify() -> str:
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    return out.getvalue()


def _three_events(project) -> list[AuditEvent]:
    return [audit_record(actor=ACTOR, action=f"test.step{index}", project=project) for index in (1, 2, 3)]


def test_events_form_a_chain_per_project(project):
    # when
    events = _three_events(project)

    # then
    stored = list(AuditEvent.objects.filter(project=project).order_by("sequence"))
    assert [event.sequence for event in stored] == [1, 2, 3]
    assert {event.chain for event in stored} == {project.pid}
    assert [event.previous_hash for event in stored] == [GENESIS, stored[0].row_hash, stored[1].row_hash]
    assert [event.row_hash for event in stored] == [event.row_hash for event in events]
    assert all(audit_row_hash(event) == event.row_hash for event in stored)
    head = AuditChainHead.objects.get(chain=project.pid)
    assert (head.sequence, head.last_hash) == (3, stored[2].row_hash)


def test_chains_are_independent(project):
    # given
    other = ProjectFactory()
    audit_record(actor=ACTOR, action="test.a", project=project)
    audit_record(actor=ACTOR, action="test.b", project=project)

    # when
    theirs = audit_record(actor=ACTOR, action="test.c", project=other)
    global_event = audit_record(actor=ACTOR, action="test.d")

    # then
    assert (theirs.chain, theirs.sequence, theirs.previous_hash) == (other.pid, 1, GENESIS)
    assert (global_event.chain, global_event.sequence, global_event.project) == (GLOBAL_CHAIN, 1, None)


def test_an_event_records_who_and_from_where(project):
    # given
    actor = Actor(label="user:42", ip_address="2001:db8::1", request_id="req-abc")

    # when
    event = audit_record(
        actor=actor, action="test.x", project=project, target_type="thing", target_id=7, details={"count": 2}
    )

    # then
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_label, stored.ip_address, stored.request_id) == ("user:42", "2001:db8::1", "req-abc")
    assert (stored.target_type, stored.target_id, stored.details) == ("thing", "7", {"count": 2})
    assert audit_row_hash(stored) == stored.row_hash


def test_verify_passes_on_an_intact_log(project):
    # given
    _three_events(project)
    audit_record(actor=ACTOR, action="test.global")

    # when
    output = _verify()

    # then
    assert output.strip() == "Event Log intact: 4 rows in 2 chains."


def test_verify_names_an_edited_row(project):
    # given
    _, middle, _ = _three_events(project)
    with _triggers_off():
        AuditEvent.objects.filter(pk=middle.pk).update(details={"edited": True})

    # when / then
    with pytest.raises(CommandError, match=rf"row {middle.pk}: content does not match its hash"):
        _verify()


def test_verify_names_the_row_after_a_removed_one(project):
    # given
    _, middle, last = _three_events(project)
    with _triggers_off():
        AuditEvent.objects.filter(pk=middle.pk).delete()

    # when / then
    with pytest.raises(CommandError, match=rf"row {last.pk}: chain {project.pid} jumps from 1 to 3"):
        _verify()


def test_verify_notices_a_rehashed_row_through_the_next_link(project):
    # given: the edit is re-hashed, but the following row still names the old hash
    first, _, _ = _three_events(project)
    edited = AuditEvent.objects.get(pk=first.pk)
    edited.action = "test.rewritten"
    with _triggers_off():
        AuditEvent.objects.filter(pk=first.pk).update(action=edited.action, row_hash=audit_row_hash(edited))

    # when / then
    with pytest.raises(CommandError, match="previous_hash does not match"):
        _verify()


def test_verify_notices_that_the_newest_row_was_removed(project):
    # given
    *_, last = _three_events(project)
    with _triggers_off():
        AuditEvent.objects.filter(pk=last.pk).delete()

    # when / then
    with pytest.raises(CommandError, match=project.pid):
        _verify()
