"""``manage.py soak`` (make soak, issue 11): a short run keeps the harness working end to end;
the verdict's rules are checked on their own."""

from __future__ import annotations

import io

import psutil
import pytest
from django.core.management import CommandError, call_command

from projects.models import Project
from submissions.models import RunState, Submission
from submissions.soak import KINDS
from submissions.soak.report import KindStats, SoakResult
from submissions.soak.sampler import Growth, Series

ROLES = {"gunicorn", "gunicorn child 1", "gunicorn child 2", "pipeline worker", "pipeline worker child 1",
         "webhooks worker", "receiver"}  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_short_soak_measures_every_process_and_reconciles_clean(settings, tmp_path):
    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("needs Redis (make test provides it)")
    out, folder = io.StringIO(), tmp_path / "soak"

    # when: 15 s of load from one user, memory sampled every second; the growth limit is lifted
    # because 15 s are all warm-up (the real limit is checked below, on its own)
    call_command("soak", "--seconds", "15", "--users", "1", "--pace", "1.5", "--sample-seconds", "1",
                 "--max-growth", "1000", "--out", str(folder), "--docs", str(tmp_path / "docs" / "soak.md"),
                 stdout=out)  # fmt: skip

    # then: every request kind has a row without a 5xx, and everything created was decided and delivered
    text = out.getvalue()
    rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ") for line in text.splitlines() if line.startswith("| ")}
    assert [rows[kind][2:4] for kind in KINDS] == [["0", "0"]] * 3
    [project] = Project.objects.filter(name="soak")
    submissions = Submission.objects.filter(project=project)
    created = int(rows["POST /v3/submission"][1])
    assert created >= 1  # 3 in 10 of about 22 requests
    assert submissions.count() == created + 1  # the priming submission
    assert f"({created + 1} submissions: {created} accepted + 1 priming) |" in text
    assert submissions.exclude(run_state=RunState.DECIDED).count() == 0
    assert f"| webhooks delivered (verified, distinct) | {2 * (created + 1)} of {2 * (created + 1)}; 0 forged |" in text
    assert "| `manage.py reconcile` | clean (5 checks, 0 offenders) |" in text
    assert "soak passed" in text
    # every process was sampled, then stopped
    samples = [line.split("\t") for line in (folder / "rss.tsv").read_text().splitlines()]
    assert ROLES <= {name for name, *_ in samples}
    assert not [pid for pid in {int(pid) for _, pid, *_ in samples} if psutil.pid_exists(pid)]
    for plot in ("soak_latency.png", "soak_rss.png"):
        assert (folder / plot).stat().st_size > 5000
        assert (tmp_path / "docs" / "soak" / plot).exists()
    assert "passed." in (tmp_path / "docs" / "soak.md").read_text()


def _result(**changes) -> SoakResult:
    fields = {
        "seconds": 600, "users": 4, "pace": 1.0, "warm_up": 120.0,
        "kinds": [KindStats(kind, 100, 0, 0, 10.0, 20.0, 30.0) for kind in KINDS], "latencies": {},
        "decisions": {"approved": 30}, "failed_runs": 0, "drain_seconds": 3.0, "drained": True,
        "webhooks_expected": 60, "webhooks_delivered": 60, "submissions": 101, "webhooks_forged": 0, "reconcile_ok": True,
        "reconcile_summary": "clean", "growth": [Growth("pipeline worker child 1", 7, 1000, 1149)],
    }  # fmt: skip
    return SoakResult(**{**fields, **changes})


def test_it_passes_at_just_under_15_percent_growth():
    assert _result().failures() == []


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"growth": [Growth("gunicorn child 1", 7, 1000, 1150)]}, "gunicorn child 1 grew 15.0% (limit 15%)"),
        ({"kinds": [KindStats(kind, 100, int(kind == KINDS[0]), 0, 1.0, 2.0, 3.0) for kind in KINDS]}, "1 responses were 5xx"),
        ({"reconcile_ok": False, "reconcile_summary": "2 offenders (runs 2)"},
         "reconcile is not clean: 2 offenders (runs 2)"),
        ({"growth": []}, "no process had samples in both windows: memory was not measured"),
        ({"webhooks_delivered": 59}, "59 of 60 webhooks verified, 0 forged"),
        ({"submissions": 102}, "102 submissions for 100 accepted creations + 1 priming"),
        ({"ended": ["pipeline worker"]}, "pipeline worker exited during the soak"),
    ],
)  # fmt: skip
def test_it_fails_on_each_broken_promise(changes, reason):
    assert _result(**changes).failures() == [reason]


def test_growth_compares_the_medians_of_the_two_windows():
    series = Series("receiver", 9, [(0.0, 900), (10.0, 100), (11.0, 120), (12.0, 500), (50.0, 110), (51.0, 115)])

    assert series.level(10.0, 12.0) == 120
    assert series.level(49.0, 51.0) == 112
    assert series.level(20.0, 30.0) is None


def test_it_refuses_to_run_without_workers(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with pytest.raises(CommandError, match="needs workers"):
        call_command("soak")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [(["--seconds", "5"], "--seconds must be at least 10"), (["--users", "17"], "--users is at most 16"),
     (["--max-growth", "0"], "--max-growth must be above 0")],
)  # fmt: skip
def test_it_refuses_unbounded_or_meaningless_runs(settings, arguments, message):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with pytest.raises(CommandError, match=message):
        call_command("soak", *arguments)
