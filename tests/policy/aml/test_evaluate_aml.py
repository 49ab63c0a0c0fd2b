"""``manage.py evaluate_aml``: precision, recall and alerts per 1,000 screened on labelled pairs."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from policy.aml.services import aml_settings_store
from tests.factories import ProjectFactory

PAIRS = Path(__file__).resolve().parents[3] / "policy" / "aml" / "samples" / "pairs.csv"
HEADER = "name,birth_date,nationality,listed_name,listed_aliases,listed_birth_date,listed_nationality,match\n"


def run(*args: str) -> str:
    out = StringIO()
    call_command("evaluate_aml", *args, stdout=out)
    return out.getvalue()


def test_it_reports_the_shipped_synthetic_pairs_and_writes_the_histogram(db, tmp_path):
    png = tmp_path / "scores.png"

    output = run(str(PAIRS), "--png", str(png))

    assert output.splitlines() == [
        "  pairs                      300 (150 same person, 150 different)",
        "  threshold                  90",
        "  precision                  1.000",
        "  recall                     0.953",
        "  true / false positives     143 / 0",
        "  false / true negatives     7 / 150",
        "  alerts per 1,000 screened  478.3 (299 people)",
        f"Score histogram written to {png}.",
    ]
    assert png.read_bytes().startswith(b"\x89PNG")


def test_it_takes_the_project_threshold(db, tmp_path):
    # given a project whose AML threshold is 80, and three labelled pairs
    project = ProjectFactory()
    aml_settings_store(project=project, threshold=80)
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        HEADER + "Anna Berg,,,Anna Berg,,,,1\nAnna Borg,1980,,Anna Berg,,1980,,1\nJon Smith,,,Anna Berg,,,,0\n"
    )

    output = run(str(pairs), "--project", project.pid, "--png", str(tmp_path / "h.png"))

    # then 91 and 87 are alerts at 80, and the stranger is not
    assert "  threshold                  80" in output
    assert "  true / false positives     2 / 0" in output
    assert "  alerts per 1,000 screened  666.7 (3 people)" in output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a,b\n", "pairs.csv: the header must be " + HEADER.strip()),
        (HEADER + "A B,,,A B,,,,yes\n", "pairs.csv line 2: match must be 1 or 0, not 'yes'"),
        (HEADER, "pairs.csv has no pairs."),
    ],
)
def test_a_bad_pairs_file_is_refused(db, tmp_path, content, message):
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(content)

    with pytest.raises(CommandError) as refused:
        run(str(pairs), "--png", str(tmp_path / "h.png"))

    assert str(refused.value) == message
