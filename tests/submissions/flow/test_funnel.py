"""The Liveform funnel: each flow counts once per step and UTC day, per project, in Redis only."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import time_machine

from idcheck.redis import redis_client
from submissions.flow.funnel import FUNNEL_STEPS, FUNNEL_TTL, funnel_reached
from tests.factories import ProjectFactory
from tests.submissions.flow.helpers import flow_client, open_link, post, walk_to_capture

pytestmark = pytest.mark.redis

DAY = dt.datetime(2026, 11, 20, 23, 0, tzinfo=dt.UTC)
ZERO = {step.step: 0 for step in FUNNEL_STEPS}


@pytest.fixture(autouse=True)
def _redis(settings) -> None:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("REDIS_URL is not set: the funnel is counted in Redis")
    settings.REDIS_URL = url


def test_a_flow_counts_once_per_step_however_often_a_page_is_reloaded(project):
    # given: one flow that reloads consent three times and the country page twice
    client = flow_client()
    with time_machine.travel(DAY, tick=False):
        open_link(client, project.pid)
        for _ in range(3):
            assert client.get("/form/consent").status_code == 200
        post(client, "/form/consent", {"agree": "on"})
        post(client, "/form/email", {"email": "person@example.com"})
        client.get("/form/country")
        client.get("/form/country")

    # when
    reached = funnel_reached(project.pk, [DAY.date()])

    # then
    assert reached == {**ZERO, "start": 1, "consent": 1, "email": 1, "country": 1}


def test_each_flow_counts_and_another_projects_flows_never_mix_in(project):
    # given: two flows to the photos here (the link gives the e-mail), one flow opened elsewhere
    other = ProjectFactory()
    with time_machine.travel(DAY, tick=False):
        for _ in range(2):
            client = flow_client()
            walk_to_capture(client, project.pid, email="person@example.com")
            assert client.get("/form/front").status_code == 200
        open_link(flow_client(), other.pid)

    # when / then
    assert funnel_reached(project.pk, [DAY.date()]) == {
        **ZERO, "start": 2, "consent": 2, "country": 2, "id-type": 2, "front": 2,
    }  # fmt: skip
    assert funnel_reached(other.pk, [DAY.date()]) == {**ZERO, "start": 1}


def test_a_flow_crossing_midnight_counts_on_each_day_and_once_over_both(project):
    # given: a flow opened at 23:00 UTC whose consent page is reloaded after midnight
    client = flow_client()
    with time_machine.travel(DAY, tick=False):
        open_link(client, project.pid)
        client.get("/form/consent")
    with time_machine.travel(DAY + dt.timedelta(hours=2), tick=False):
        client.get("/form/consent")

    # when
    first, second = DAY.date(), DAY.date() + dt.timedelta(days=1)

    # then
    assert funnel_reached(project.pk, [first])["consent"] == 1
    assert funnel_reached(project.pk, [second])["consent"] == 1
    assert funnel_reached(project.pk, [first, second]) == {**ZERO, "start": 1, "consent": 1}


def test_the_counters_expire_after_90_days_and_hold_no_personal_data(project):
    # given
    client = flow_client()
    open_link(client, project.pid, email="person@example.com")

    # when
    keys = sorted(key.decode() for key in redis_client().scan_iter(match="idcheck:funnel:*"))

    # then
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert keys == [f"idcheck:funnel:{project.pk}:{today}:start"]
    assert 0 < redis_client().ttl(keys[0]) <= FUNNEL_TTL.total_seconds()
    assert b"person@example.com" not in redis_client().dump(keys[0])


def test_without_redis_the_flow_goes_on_and_nothing_is_counted(project, settings):
    # given
    settings.REDIS_URL = ""
    client = flow_client()

    # when
    response = open_link(client, project.pid)

    # then
    assert (response.status_code, response["Location"]) == (302, "/form/consent")
    assert client.get("/form/consent").status_code == 200
    assert funnel_reached(project.pk, [dt.datetime.now(dt.UTC).date()]) is None
