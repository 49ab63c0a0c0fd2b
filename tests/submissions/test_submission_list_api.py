"""``GET /v3/submission``: shape, order, keyset pagination, date filters, refusals (spec §2, §3.1)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.factories import SubmissionFactory

URL = "/v3/submission"
INVALID_QUERY = {"message": "Invalid Query String parameters"}
COMPACT = re.compile(r"^\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}$")


def _at(day: int, hour: int = 12, millis: int = 0) -> dt.datetime:
    return dt.datetime(2024, 1, day, hour, 0, 0, millis * 1000, tzinfo=dt.UTC)


@pytest.fixture
def five(project):
    """Five submissions on 1–5 January 2024, the newest first."""
    return [SubmissionFactory(project=project, created_at=_at(day)) for day in (5, 4, 3, 2, 1)]


def _ids(response) -> list[str]:
    return [item["submission_id"] for item in response.json()["Items"]]


def test_an_empty_project_lists_nothing(api_client):
    # when
    response = api_client.get(URL)

    # then
    assert response.status_code == 200
    assert response.json() == {"Items": []}


def test_an_item_has_the_spec_fields(api_client, project):
    # given
    submission = SubmissionFactory(project=project, created_at=_at(2, hour=3, millis=7))

    # when
    response = api_client.get(URL)

    # then
    [item] = response.json()["Items"]
    assert set(item) == {"submission_id", "created_at", "updated_at", "kyc", "idcheck"}
    assert item["submission_id"] == submission.id
    assert item["created_at"] == "2024-01-02-03-00-00-007"
    assert COMPACT.match(item["updated_at"])
    assert item["kyc"] == {"result": "incomplete", "comment": [], "commentCode": []}
    assert item["idcheck"] == {"processing": {"state": "waiting", "attempts": 0}}


def test_items_come_newest_first(api_client, five):
    response = api_client.get(URL)

    assert _ids(response) == [submission.id for submission in five]
    assert "nextpageKey" not in response.json()


def test_one_submission_by_id(api_client, five):
    # when
    response = api_client.get(URL, {"submission_id": five[2].id})

    # then
    assert _ids(response) == [five[2].id]
    assert "nextpageKey" not in response.json()


def test_an_unknown_submission_id_lists_nothing(api_client, five):
    response = api_client.get(URL, {"submission_id": "nosuchsubmission_xx"})

    assert response.json() == {"Items": []}


def test_pages_walk_every_submission_exactly_once(api_client, five):
    # given
    seen: list[str] = []
    params: dict[str, str] = {"count": "2"}
    pages = 0

    # when
    while True:
        body = api_client.get(URL, params).json()
        pages += 1
        seen += [item["submission_id"] for item in body["Items"]]
        if "nextpageKey" not in body:
            break
        key = body["nextpageKey"]
        assert set(key) == {"id", "created_at"}
        assert key["id"] == seen[-1]
        params = {"count": "2", "nextpage_id": key["id"], "nextpage_date": key["created_at"]}

    # then
    assert pages == 3
    assert seen == [submission.id for submission in five]


def test_pages_keep_submissions_created_in_the_same_millisecond(api_client, project):
    # given: four submissions share one creation time; the id breaks the tie
    same = _at(3)
    rows = [SubmissionFactory(project=project, created_at=same) for _ in range(4)] + [
        SubmissionFactory(project=project, created_at=_at(1))
    ]
    expected = sorted((row.id for row in rows[:4]), reverse=True) + [rows[4].id]

    # when
    first = api_client.get(URL, {"count": "3"}).json()
    key = first["nextpageKey"]
    second = api_client.get(URL, {"count": "3", "nextpage_id": key["id"], "nextpage_date": key["created_at"]}).json()

    # then
    assert key == {"id": expected[2], "created_at": "2024-01-03-12-00-00-000"}
    assert [item["submission_id"] for item in first["Items"] + second["Items"]] == expected
    assert "nextpageKey" not in second


def test_a_page_exactly_as_long_as_the_rest_has_no_next_key(api_client, five):
    response = api_client.get(URL, {"count": "5"})

    assert len(response.json()["Items"]) == 5
    assert "nextpageKey" not in response.json()


def test_the_default_page_has_50_items(api_client, project):
    # given
    SubmissionFactory.create_batch(51, project=project)

    # when
    body = api_client.get(URL).json()

    # then
    assert len(body["Items"]) == 50
    assert "nextpageKey" in body


@pytest.mark.parametrize(
    "params",
    [
        {"count": "0"},
        {"count": "2001"},
        {"count": "-1"},
        {"count": "abc"},
        {"count": ""},
        {"unknown": "1"},
        {"api-version": "3"},
        {"nextpage_id": "abc"},
        {"nextpage_date": "2024-01-01-00-00-00-000"},
        {"nextpage_id": "abc", "nextpage_date": "2024-01-01"},
        {"nextpage_id": "abc", "nextpage_date": "2024-02-30-00-00-00-000"},
        {"start_date": "2024-13-01"},
        {"start_date": "2024-02-30"},
        {"start_date": "yesterday"},
        {"end_date": "2024/01/02"},
        {"end_date": "20240132"},
        {"start_date": "2024-01-01T00:00"},
        {"submission_id": "x" * 65},
    ],
)
def test_a_bad_query_string_is_refused(api_client, five, params):
    # when
    response = api_client.get(URL, params)

    # then
    assert response.status_code == 400
    assert response.json() == INVALID_QUERY


@pytest.mark.parametrize("count", ["1", "2000"])
def test_the_page_size_limits_are_inclusive(api_client, five, count):
    response = api_client.get(URL, {"count": count})

    assert response.status_code == 200
    assert len(response.json()["Items"]) == min(int(count), 5)


@pytest.mark.parametrize(
    ("params", "days"),
    [
        ({"start_date": "2024-01-02", "end_date": "2024-01-04"}, [4, 3, 2]),
        ({"start_date": "20240102", "end_date": "20240104"}, [4, 3, 2]),
        ({"start_date": "2024-01-04"}, [5, 4]),
        ({"end_date": "20240101"}, [1]),
        ({"start_date": "2024-01-03", "end_date": "2024-01-03"}, [3]),
        ({"start_date": "2024-01-06"}, []),
        ({"start_date": "2024-01-04", "end_date": "2024-01-02"}, []),
    ],
)
def test_dates_filter_by_utc_day_inclusively(api_client, five, params, days):
    # when
    response = api_client.get(URL, params)

    # then
    by_day = {submission.created_at.day: submission.id for submission in five}
    assert _ids(response) == [by_day[day] for day in days]


def test_the_day_boundaries_are_utc(api_client, project):
    # given
    last_moment = SubmissionFactory(
        project=project, created_at=dt.datetime(2024, 1, 2, 23, 59, 59, 999000, tzinfo=dt.UTC)
    )
    SubmissionFactory(project=project, created_at=dt.datetime(2024, 1, 3, 0, 0, 0, tzinfo=dt.UTC))
    SubmissionFactory(project=project, created_at=dt.datetime(2024, 1, 1, 23, 59, 59, 999000, tzinfo=dt.UTC))
    first_moment = SubmissionFactory(project=project, created_at=dt.datetime(2024, 1, 2, tzinfo=dt.UTC))

    # when
    response = api_client.get(URL, {"start_date": "2024-01-02", "end_date": "2024-01-02"})

    # then
    assert _ids(response) == [last_moment.id, first_moment.id]


def test_pagination_and_dates_combine(api_client, five):
    # given
    params = {"start_date": "2024-01-02", "end_date": "2024-01-04", "count": "2"}
    first = api_client.get(URL, params).json()
    key = first["nextpageKey"]

    # when
    second = api_client.get(URL, {**params, "nextpage_id": key["id"], "nextpage_date": key["created_at"]}).json()

    # then
    assert [item["submission_id"] for item in first["Items"] + second["Items"]] == [five[1].id, five[2].id, five[3].id]
    assert "nextpageKey" not in second
