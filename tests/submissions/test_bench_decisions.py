"""``bench_decisions`` measures upload to decision and leaves the database and storage as they were."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from projects.models import AuditEvent, Project
from submissions.models import Submission
from tests.submissions.api.helpers import stored_files


@pytest.mark.django_db(transaction=True)
def test_it_reports_the_latency_and_keeps_nothing(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    out = io.StringIO()

    call_command("bench_decisions", "--runs", "2", stdout=out)

    text = out.getvalue()
    assert "  1/2  create" in text
    assert "approved 90" in text
    assert "upload to decision" in text
    assert "1 warm runs; nothing kept." in text
    assert (Submission.objects.count(), Project.objects.count(), AuditEvent.objects.count()) == (0, 0, 0)
    assert stored_files(tmp_path / "media") == []


def test_it_needs_a_cold_and_a_warm_run():
    with pytest.raises(CommandError, match="--runs must be at least 2"):
        call_command("bench_decisions", "--runs", "1")
