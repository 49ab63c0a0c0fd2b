"""``bench_report``'s table: one Markdown row per figure, failures as rows, the machine beside it."""

from __future__ import annotations

import datetime as dt

from submissions.management.commands.bench_report import Figure, document, failed, markdown_table, ratio


def test_it_writes_the_exact_markdown_for_given_figures():
    # given two figures, one with a baseline and a target, one failed
    figures = [
        Figure("GET one submission by id, req/s vs bare Django", "183.0", "1542.7", ratio(183.0, 1542.7)),
        Figure("1:N face search, 1,000,000 templates (exact), p50 / p95 ms", "41.2 / 55.0", target="p95 < 100 ms",
               met="yes"),
        failed("webhook deliveries", RuntimeError("the webhooks worker delivered nothing\n within 90 s | is Redis up?")),
    ]  # fmt: skip

    # when the table is written
    table = markdown_table(figures)

    # then it is exactly this, the failure on a row of its own with its | escaped
    assert table == (
        "| figure | value | baseline | ratio | target | met |\n"
        "|---|---|---|---|---|---|\n"
        "| GET one submission by id, req/s vs bare Django | 183.0 | 1542.7 | 0.12 | – | – |\n"
        "| 1:N face search, 1,000,000 templates (exact), p50 / p95 ms | 41.2 / 55.0 | – | – | p95 < 100 ms | yes |\n"
        "| webhook deliveries | failed: the webhooks worker delivered nothing within 90 s \\| is Redis up? | – | – | – "
        "| failed |"
    )


def test_a_ratio_without_a_baseline_is_a_dash():
    assert [ratio(10.0, 4.0), ratio(10.0, 0.0)] == ["2.50", "–"]


def test_the_page_names_the_machine_the_date_and_holds_the_table():
    figures = [Figure("submission create, req/s (one client, in-process)", "16.2")]
    about = [("CPU", "Example CPU @ 2.0GHz"), ("cores", "2"), ("note", "two other test runs at the same time")]

    page = document(figures, about, when=dt.datetime(2026, 11, 26, 8, 30, tzinfo=dt.UTC), seconds=600)

    assert page.startswith("# Benchmarks\n")
    assert "Run on 2026-11-26 08:30 UTC in 10.0 minutes.\n\n- CPU: Example CPU @ 2.0GHz\n- cores: 2\n" in page
    assert "- note: two other test runs at the same time\n\n" + markdown_table(figures) + "\n" in page
