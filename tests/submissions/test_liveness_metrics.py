"""G25: the liveness evaluation's ISO/IEC 30107-3 figures against hand-computed confusion
matrices (APCER per kind, the worst kind, BPCER, BPCER at a fixed APCER), and the command end to
end on a small generated labelled set."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from submissions.evaluation.liveness import Scored, bpcer_at_apcer, error_rates, worst_apcer
from submissions.pipeline.liveness.types import LivenessResult


def _scored(kind: str, scores: list[float], *, passed_above: float = 0.5) -> list[Scored]:
    return [
        Scored(f"{kind}-{n}", kind, LivenessResult(True, "passed" if score >= passed_above else "failed", score), 10)
        for n, score in enumerate(scores)
    ]


def test_error_rates_match_a_hand_computed_matrix():
    # given: bona fide 10 (2 refused), print 5 (1 accepted), screen 4 (2 accepted), replay 2 (none)
    scored = [
        *_scored("bona_fide", [0.9] * 8 + [0.1] * 2),
        *_scored("print", [0.9] + [0.1] * 4),
        *_scored("screen", [0.9] * 2 + [0.1] * 2),
        *_scored("replay", [0.1] * 2),
    ]

    # when
    table = error_rates(scored)

    # then
    assert [(row["kind"], row["metric"], row["n"], row["errors"], row["rate_pct"]) for row in table] == [
        ("bona_fide", "BPCER", 10, 2, 20.0),
        ("print", "APCER", 5, 1, 20.0),
        ("screen", "APCER", 4, 2, 50.0),
        ("replay", "APCER", 2, 0, 0.0),
    ]
    assert worst_apcer(table)["kind"] == "screen"


def test_the_worst_kind_is_none_without_attacks():
    assert worst_apcer(error_rates(_scored("bona_fide", [0.9, 0.2]))) is None


@pytest.mark.parametrize(
    ("apcer", "threshold", "bpcer"),
    [
        (0.25, 0.7, 0.4),  # screen must fall to 0 of 2: the bar passes 0.65; print's 0.75 is 1 of 4
        (0.0, 0.8, 0.6),  # no attack at all: the bar passes print's 0.75
        (0.5, 0.2, 0.0),  # half of each kind: the bar may sit at print's 0.2 (print 2/4, screen 1/2)
        (1.0, 0.05, 0.0),  # anything goes: the lowest score
    ],
)
def test_bpcer_at_a_fixed_apcer_matches_the_hand_computed_operating_point(apcer, threshold, bpcer):
    # given
    scored = [
        *_scored("bona_fide", [0.9, 0.8, 0.7, 0.6, 0.3]),
        *_scored("print", [0.75, 0.2, 0.1, 0.05]),
        *_scored("screen", [0.65, 0.1]),
    ]

    # when / then
    assert bpcer_at_apcer(scored, apcer=apcer) == pytest.approx((threshold, bpcer))


def test_a_target_no_score_meets_puts_the_bar_above_every_score():
    scored = [*_scored("bona_fide", [0.5]), *_scored("print", [0.9])]
    assert bpcer_at_apcer(scored, apcer=0.0) == (float("inf"), 1.0)


def test_bpcer_at_apcer_needs_both_sides():
    assert bpcer_at_apcer(_scored("print", [0.9]), apcer=0.05) is None
    assert bpcer_at_apcer(_scored("bona_fide", [0.9]), apcer=0.05) is None


@pytest.mark.slow
def test_the_command_reports_the_figures_on_a_generated_labelled_set(tmp_path):
    # given: 3 sessions of each kind
    call_command("make_liveness_set", str(tmp_path), "--count", "3", stdout=StringIO())
    out = StringIO()

    # when
    call_command("evaluate_liveness", str(tmp_path), "--json", "--apcer", "10", stdout=out)

    # then
    report = json.loads(out.getvalue())
    assert [(row["kind"], row["n"]) for row in report["rates"]] == [
        ("bona_fide", 3), ("print", 3), ("screen", 3), ("replay", 3)
    ]  # fmt: skip
    attacks = [row for row in report["rates"] if row["metric"] == "APCER"]
    assert report["worst_apcer"]["rate_pct"] == max(row["rate_pct"] for row in attacks)
    assert report["bpcer_at_apcer"]["apcer_pct"] == 10
    assert 0 <= report["bpcer_at_apcer"]["bpcer_pct"] <= 100


def test_the_command_refuses_an_apcer_outside_0_to_100(tmp_path):
    (tmp_path / "labels.jsonl").write_text("")
    with pytest.raises(CommandError, match="--apcer is a percentage"):
        call_command("evaluate_liveness", str(tmp_path), "--apcer", "150")
