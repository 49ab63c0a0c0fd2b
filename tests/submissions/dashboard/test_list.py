"""The User Submissions list: each filter, both orders, and keyset pages (no OFFSET) with exact ids."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from submissions.selectors import SubmissionFilters, submission_search
from submissions.services import SubmissionDetails, submission_create
from submissions.views import list as list_views
from tests.submissions.dashboard.helpers import ACTOR, client_for, pending_policy, pending_submission

DAY = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)


def _create(project, at: dt.datetime, *, country: str = "EST", id_type: str = "passport") -> str:
    with time_machine.travel(at, tick=False):
        submission = submission_create(
            project=project,
            source="api",
            actor=ACTOR,
            details=SubmissionDetails(issuing_country=country, id_type=id_type),
        )
    return submission.pk


def _ids(response) -> list[str]:
    return [s.pk for s in response.context["page"].items]


def test_the_filters_select_exactly_the_matching_submissions(project, owner):
    # given: four submissions over three days, two countries, two ID types
    first = _create(project, DAY)
    second = _create(project, DAY + dt.timedelta(days=1), country="LVA")
    third = _create(project, DAY + dt.timedelta(days=1, hours=5), id_type="drivers_license")
    fourth = _create(project, DAY + dt.timedelta(days=2))
    client = client_for(owner)
    url = f"/dashboard/p/{project.pid}/submissions/"

    # when / then
    assert _ids(client.get(url)) == [fourth, third, second, first]
    assert _ids(client.get(url, {"sort": "oldest"})) == [first, second, third, fourth]
    assert _ids(client.get(url, {"created_from": "2026-11-21", "created_to": "2026-11-21"})) == [third, second]
    assert _ids(client.get(url, {"created_from": "2026-11-21"})) == [fourth, third, second]
    assert _ids(client.get(url, {"country": "lva"})) == [second]
    assert _ids(client.get(url, {"id_type": "drivers_license"})) == [third]
    assert _ids(client.get(url, {"q": f" {second.upper()} "})) == [second]
    assert _ids(client.get(url, {"status": "approved"})) == []
    assert _ids(client.get(url, {"country": "EST", "id_type": "passport", "sort": "oldest"})) == [first, fourth]


def test_an_invalid_filter_shows_its_error_and_filters_nothing(project, owner):
    # given
    only = _create(project, DAY)
    client = client_for(owner)

    # when
    response = client.get(f"/dashboard/p/{project.pid}/submissions/", {"country": "Estonia"})

    # then
    assert response.status_code == 200
    assert "Three letters, e.g. EST." in response.content.decode()
    assert _ids(response) == [only]


def test_the_status_filter_finds_a_pending_submission_of_a_real_run(project, owner):
    # given
    pending_policy(project)
    pending = pending_submission(project)
    incomplete = _create(project, DAY)
    client = client_for(owner)
    url = f"/dashboard/p/{project.pid}/submissions/"

    # when / then
    assert _ids(client.get(url, {"status": "pending"})) == [pending.pk]
    assert _ids(client.get(url, {"status": "incomplete"})) == [incomplete]


def test_keyset_pages_cover_every_row_once_in_order_ties_broken_by_id(project):
    # given: five submissions, three created in the same millisecond
    at = DAY + dt.timedelta(hours=1)
    tied = sorted((_create(project, at) for _ in range(3)), reverse=True)
    older = _create(project, DAY)
    newest = _create(project, DAY + dt.timedelta(hours=2))
    expected = [newest, *tied, older]

    # when: pages of two, each after the last row of the page before
    pages, after = [], None
    while True:
        page = submission_search(project=project, filters=SubmissionFilters(), count=2, after=after)
        pages.append([s.pk for s in page.items])
        if page.next_key is None:
            break
        after = (page.next_key.created_at, page.next_key.pk)

    # then
    assert pages == [expected[0:2], expected[2:4], expected[4:5]]


def test_the_next_page_link_keeps_the_filters_and_uses_no_offset(project, owner, monkeypatch):
    # given: three passports and a licence, two to a page
    monkeypatch.setattr(list_views, "PAGE_SIZE", 2)
    ids = [_create(project, DAY + dt.timedelta(minutes=n)) for n in range(3)]
    _create(project, DAY + dt.timedelta(minutes=10), id_type="drivers_license")
    client = client_for(owner)
    url = f"/dashboard/p/{project.pid}/submissions/"

    # when
    first = client.get(url, {"id_type": "passport"})
    with CaptureQueriesContext(connection) as queries:
        second = client.get(f"{url}?{first.context['next_query']}")

    # then
    assert _ids(first) == [ids[2], ids[1]]
    assert _ids(second) == [ids[0]]
    assert second.context["next_query"] is None
    assert "id_type=passport" in first.context["next_query"]
    listing = [q["sql"] for q in queries.captured_queries if 'FROM "submissions_submission"' in q["sql"]]
    assert len(listing) == 1
    assert "OFFSET" not in listing[0].upper()
