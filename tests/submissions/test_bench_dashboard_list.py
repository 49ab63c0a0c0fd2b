"""``bench_dashboard_list`` times the list page through the whole stack and keeps nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from projects.models import Membership, Project, User
from submissions.models import Submission


@pytest.mark.django_db(transaction=True)
def test_it_times_every_page_kind_and_keeps_nothing():
    out = io.StringIO()

    call_command("bench_dashboard_list", "--rows", "120", "--requests", "2", stdout=out)

    rows = [line.split() for line in out.getvalue().splitlines() if line.endswith((" met", " MET"))]
    assert [" ".join(row[:-3]) for row in rows] == [
        "newest first, no filter", "status pending", "issuing country KOR", "nationality BRA", "last 7 days",
        "e-mail search", "oldest first", "second page (keyset)",
    ]  # fmt: skip
    counts = [model.objects.count() for model in (Project, Submission, Membership, User)]
    assert counts == [0, 0, 0, 0]


def test_it_needs_enough_rows_to_page():
    with pytest.raises(CommandError, match="--rows must be at least 100"):
        call_command("bench_dashboard_list", "--rows", "10")
