"""The SVG chart helper: axis ticks, exact bar geometry, escaping and the accessible name."""

from __future__ import annotations

import re

import pytest

from idcheck.lib.svgchart import Series, horizontal_bars, nice_ceiling, stacked_columns


@pytest.mark.parametrize(
    ("largest", "expected"),
    [
        (0, (1.0, 1.0)),
        (3, (3.0, 1.0)),
        (7, (8.0, 2.0)),
        (10, (10.0, 5.0)),
        (96, (100.0, 50.0)),
        (1234, (1500.0, 500.0)),
    ],
)
def test_the_axis_top_is_a_round_number_of_round_steps(largest, expected):
    assert nice_ceiling(largest) == expected


def test_columns_stack_the_series_to_scale_under_a_titled_chart():
    # given: two days, two series; the larger total (4) gets an axis of 0..4 in steps of 1
    svg = stacked_columns(
        ["Nov 20", "Nov 21"],
        [Series("Approved", [1, 3], "#0a0"), Series("Rejected", [2, 1], "#a00")],
        title="Per day",
        width=244,
        height=164,
    )

    # then: plot 192 × 100 from (44, 24); slots of 96, bars of 67.2 (70 %)
    rects = re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="(#\w+)"', svg)
    assert rects[:3] == [
        ("58.4", "99.0", "67.2", "25.0", "#0a0"),
        ("58.4", "49.0", "67.2", "50.0", "#a00"),
        ("154.4", "49.0", "67.2", "75.0", "#0a0"),
    ]
    assert re.findall(r'text-anchor="end" fill="#5d6878">(\d+)</text>', svg) == ["0", "1", "2", "3", "4"]
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 244 164" width="100%" role="img"')
    assert "<title>Per day</title>" in svg
    assert "<title>Nov 20: Rejected 2</title>" in svg


def test_bars_are_scaled_to_the_largest_and_every_text_is_escaped():
    # when
    svg = horizontal_bars([("<b>code</b>", 4), ("other", 1)], title='A "chart" & more', width=450)

    # then: labels of up to 11 characters take 83.5 px, the largest value the rest but 60 px
    assert re.findall(r'<rect x="83.5" y="[\d.]+" width="([\d.]+)"', svg) == ["306.5", "76.6"]
    assert "<b>" not in svg
    assert "&lt;b&gt;code&lt;/b&gt;" in svg
    assert 'aria-label="A &quot;chart&quot; &amp; more"' in svg
    assert "<desc>&lt;b&gt;code&lt;/b&gt;: 4; other: 1</desc>" in svg


def test_an_empty_chart_still_renders_its_frame():
    assert "<desc>No data.</desc>" in horizontal_bars([], title="Nothing")
    assert "<title>Empty</title>" in stacked_columns([], [], title="Empty")
