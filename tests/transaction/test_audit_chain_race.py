"""Concurrent Event Log writers of one project form one gap-free chain (G23)."""

from __future__ import annotations

import pytest

from projects.actors import Actor
from projects.models import AuditEvent
from projects.services import audit_record
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_writers_get_consecutive_sequence_numbers(run_in_threads):
    # given
    project = ProjectFactory()
    writers = 20

    # when
    results = run_in_threads(
        lambda index: audit_record(actor=Actor.system("test"), action=f"test.writer{index}", project=project), writers
    )

    # then
    assert [r for r in results if isinstance(r, BaseException)] == []
    stored = list(AuditEvent.objects.filter(project=project).order_by("sequence"))
    assert [event.sequence for event in stored] == list(range(1, writers + 1))
    assert len({event.action for event in stored}) == writers
    assert all(later.previous_hash == earlier.row_hash for earlier, later in zip(stored, stored[1:], strict=False))
