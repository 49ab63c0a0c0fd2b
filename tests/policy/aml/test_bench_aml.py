"""The speed of one AML screening against a million synthetic profiles (``make bench`` runs it;
docs/aml.md keeps the figures). A measurement, not a timed assertion."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.bench
def test_bench_one_screening_against_a_million_profiles():
    out = StringIO()

    call_command("bench_aml", "--entries", "1000000", "--queries", "200", stdout=out)

    print(out.getvalue())  # noqa: T201 (the figures are the result)
    assert "1,000,000 profiles generated" in out.getvalue()
    assert "200 screenings: p50" in out.getvalue()
