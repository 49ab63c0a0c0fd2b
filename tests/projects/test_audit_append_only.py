"""The Event Log refuses UPDATE and DELETE in the database itself (G23)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from projects.actors import Actor
from projects.models import AuditEvent
from projects.services import audit_record


def test_an_event_cannot_be_edited(project):
    # given
    event = audit_record(actor=Actor.system(), action="project.created", project=project)
    # when
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="something.else")
    # then
    assert AuditEvent.objects.get(pk=event.pk).action == "project.created"


def test_an_event_cannot_be_deleted(project):
    event = audit_record(actor=Actor.system(), action="project.created", project=project)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).count() == 1
