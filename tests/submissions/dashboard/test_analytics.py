"""The Analytics page: exact numbers in the tables under the charts for a seeded set of
submissions at fixed dates, the funnel, and no other project's numbers."""

from __future__ import annotations

import datetime as dt
import os
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
import time_machine

from submissions.flow.funnel import funnel_count
from submissions.models import SubmissionStatus
from tests.factories import ProjectFactory, SubmissionFactory
from tests.submissions.dashboard.helpers import client_for

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
APPROVED, REJECTED, PENDING, INCOMPLETE = (SubmissionStatus.APPROVED, SubmissionStatus.REJECTED,
                                           SubmissionStatus.PENDING, SubmissionStatus.INCOMPLETE)  # fmt: skip


class _Tables(HTMLParser):
    """The text of each cell of each table with an id: {id: [[cell, …], …]}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id"):
            self.current = dict(attrs)["id"]
            self.tables[self.current] = []
        elif self.current and tag == "tr":
            self.tables[self.current].append([])
        elif self.current and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif self.current and tag in ("td", "th") and self.cell is not None:
            self.tables[self.current][-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def _tables(response) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser.tables


def _stat(response, name: str) -> str:
    html = response.content.decode()
    start = html.index(f'data-stat="{name}">') + len(f'data-stat="{name}">')
    return html[start : html.index("<", start)]


def _submission(project, status, created: str, *, took_minutes: int | None = None, codes=()):
    created_at = dt.datetime.fromisoformat(created).replace(tzinfo=dt.UTC)
    fields = {}
    if took_minutes is not None:
        fields = {"submitted_at": created_at, "decided_at": created_at + dt.timedelta(minutes=took_minutes)}
    return SubmissionFactory(project=project, status=status, created_at=created_at, kyc_comment_code=list(codes),
                             **fields)  # fmt: skip


def _seed(project) -> None:
    _submission(project, APPROVED, "2026-11-18T10:00", took_minutes=2)
    _submission(project, REJECTED, "2026-11-18T11:00", took_minutes=10, codes=["expired_id"])
    _submission(project, INCOMPLETE, "2026-11-18T23:59:59")
    _submission(project, REJECTED, "2026-11-19T00:00", took_minutes=60, codes=["expired_id", "id_info_dataMismatch"])
    _submission(project, APPROVED, "2026-11-19T08:00", took_minutes=4)
    _submission(project, PENDING, "2026-11-20T06:00")
    _submission(project, PENDING, "2026-10-01T00:00")  # before the window: in the queue only
    _submission(project, REJECTED, "2026-10-21T23:59", took_minutes=1, codes=["too_many_retry"])  # before it


@pytest.fixture
def seeded(project, owner):
    _seed(project)
    other = ProjectFactory()  # the same days, other numbers: none may show
    _submission(other, APPROVED, "2026-11-18T10:00", took_minutes=500)
    _submission(other, REJECTED, "2026-11-19T10:00", took_minutes=1, codes=["duplicated_face"])
    _submission(other, PENDING, "2026-09-01T00:00")
    return client_for(owner)


def test_the_tables_under_the_charts_hold_the_exact_numbers(project, seeded):
    # when
    with time_machine.travel(NOW, tick=False):
        response = seeded.get(f"/dashboard/p/{project.pid}/submissions/analytics/")

    # then
    assert response.status_code == 200
    tables = _tables(response)
    per_day = tables["per-day-table"]
    assert per_day[0] == ["Day (UTC)", "Approved", "Rejected", "Pending review", "Incomplete", "Total"]
    assert len(per_day) == 31
    assert per_day[1] == ["2026-10-22", "0", "0", "0", "0", "0"]
    assert per_day[-3:] == [
        ["2026-11-18", "1", "1", "0", "1", "3"],
        ["2026-11-19", "1", "1", "0", "0", "2"],
        ["2026-11-20", "0", "0", "1", "0", "1"],
    ]
    assert tables["reject-codes-table"][1:] == [
        ["expired_id", "2", "ID cards have already expired."],
        ["id_info_dataMismatch", "1", "Entered information does not match the ID document."],
    ]
    assert [_stat(response, name) for name in
            ("created", "approval-rate", "decision-median", "pending", "queue-oldest", "queue-median")] == [
        "6", "50.0 %", "7 min 0 s", "2", "50 d 12 h", "25 d 9 h",
    ]  # fmt: skip


def test_the_charts_are_inline_svg_with_their_titles(project, seeded):
    # when
    with time_machine.travel(NOW, tick=False):
        html = seeded.get(f"/dashboard/p/{project.pid}/submissions/analytics/").content.decode()

    # then
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 3
    assert "<title>Nov 18: Approved 1</title>" in html
    assert "<desc>expired_id: 2; id_info_dataMismatch: 1</desc>" in html
    assert "<script" not in html.split("<main", 1)[1]


def test_the_funnel_table_shows_reached_share_and_drops(project, seeded, settings):
    # given: three flows opened, two consented, one of them typed an e-mail, both chose a country;
    # another project's flow reached every step
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("REDIS_URL is not set: the funnel is counted in Redis")
    settings.REDIS_URL = url
    other = ProjectFactory()
    with time_machine.travel(NOW - dt.timedelta(days=3), tick=False):
        for flow, steps in {"a": ["start", "consent", "email", "country"], "b": ["start", "consent", "country"],
                            "c": ["start"]}.items():  # fmt: skip
            for step in steps:
                funnel_count(SimpleNamespace(project_id=project.pk, flow=flow), step)
                funnel_count(SimpleNamespace(project_id=project.pk, flow=flow), step)  # a reload
        for step in ("start", "consent", "country", "id-type", "front", "selfie"):
            funnel_count(SimpleNamespace(project_id=other.pk, flow="z"), step)

    # when
    with time_machine.travel(NOW, tick=False):
        response = seeded.get(f"/dashboard/p/{project.pid}/submissions/analytics/")

    # then
    assert _tables(response)["funnel-table"] == [
        ["Step", "Reached", "Of those who opened the link", "Dropped before this step"],
        ["Opened the link", "3", "100.0 %", "—"],
        ["Consent", "2", "66.7 %", "1"],
        ["E-mail (when the link gave none)", "1", "33.3 %", "—"],
        ["Phone number (links with auxidField)", "0", "0.0 %", "—"],
        ["Typed identity (Knowledge-Based)", "0", "0.0 %", "—"],
        ["Issuing country", "2", "66.7 %", "0"],
        ["ID type", "0", "0.0 %", "2"],
        ["Document front", "0", "0.0 %", "0"],
        ["Document back (two-sided types)", "0", "0.0 %", "—"],
        ["Confirm the details", "0", "0.0 %", "0"],
        ["Project's questions", "0", "0.0 %", "—"],
        ["Proof of address", "0", "0.0 %", "—"],
        ["Selfie", "0", "0.0 %", "0"],
        ["Photos sent", "0", "0.0 %", "0"],
        ["Saw the result", "0", "0.0 %", "0"],
    ]


def test_without_redis_the_page_says_the_funnel_is_not_counted(project, seeded, settings):
    # given
    settings.REDIS_URL = ""

    # when
    with time_machine.travel(NOW, tick=False):
        response = seeded.get(f"/dashboard/p/{project.pid}/submissions/analytics/")

    # then
    assert response.status_code == 200
    assert "funnel-table" not in _tables(response)
    assert "The funnel is counted in Redis, which this installation does not use" in response.content.decode()


def test_an_empty_project_shows_dashes_not_errors(project, owner):
    # when
    with time_machine.travel(NOW, tick=False):
        response = client_for(owner).get(f"/dashboard/p/{project.pid}/submissions/analytics/")

    # then
    assert response.status_code == 200
    assert [_stat(response, name) for name in ("created", "approval-rate", "decision-median", "queue-oldest")] == [
        "0", "—", "—", "—",
    ]  # fmt: skip
    assert "No rejection in these 30 days." in response.content.decode()


def test_an_outsider_gets_404(project, outsider):
    # when
    response = client_for(outsider).get(f"/dashboard/p/{project.pid}/submissions/analytics/")

    # then
    assert response.status_code == 404
    assert project.name.encode() not in response.content
