"""Per-project limits per second and per UTC day, with both counter stores (G12)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from idcheck.ratelimit import DAY, RateDecision, rate_limit_hit
from projects.models import AuditEvent
from tests.conftest import TEST_HOST
from tests.factories import ProjectFactory

# 2023-11-14 22:13:20.25 UTC: an arbitrary instant with a fractional second
NOW = 1_700_000_000.25
NEXT_MIDNIGHT = (int(NOW // DAY) + 1) * DAY


def test_it_admits_exactly_the_per_second_limit(db, limiter_backend, rate_counters):
    # given
    project = ProjectFactory(rate_limit_per_second=3, rate_limit_per_day=1000)

    # when
    decisions = [rate_limit_hit(project, now=NOW) for _ in range(4)]

    # then
    assert decisions == [RateDecision(True)] * 3 + [RateDecision(False, retry_after=1, limit="second")]
    assert rate_counters(project, NOW) == (3, 3)


def test_it_admits_again_in_the_next_second(db, limiter_backend, rate_counters):
    # given
    project = ProjectFactory(rate_limit_per_second=3, rate_limit_per_day=1000)
    for _ in range(4):
        rate_limit_hit(project, now=NOW)

    # when
    decision = rate_limit_hit(project, now=NOW + 1)

    # then
    assert decision == RateDecision(True)
    assert rate_counters(project, NOW + 1) == (1, 4)


def test_a_refused_call_is_never_counted(db, limiter_backend, rate_counters):
    # given
    project = ProjectFactory(rate_limit_per_second=3, rate_limit_per_day=1000)
    for _ in range(3):
        rate_limit_hit(project, now=NOW)

    # when
    refused = [rate_limit_hit(project, now=NOW) for _ in range(10)]

    # then
    assert {decision.allowed for decision in refused} == {False}
    assert rate_counters(project, NOW) == (3, 3)


def test_it_admits_exactly_the_per_day_limit_and_says_when_midnight_is(db, limiter_backend, rate_counters):
    # given: one call per second, so only the day limit can refuse
    project = ProjectFactory(rate_limit_per_second=100, rate_limit_per_day=5)
    moments = [NOW + offset for offset in range(6)]

    # when
    decisions = [rate_limit_hit(project, now=moment) for moment in moments]

    # then
    retry_after = NEXT_MIDNIGHT - int(moments[5])
    assert retry_after == 6395
    assert decisions == [RateDecision(True)] * 5 + [RateDecision(False, retry_after=retry_after, limit="day")]
    assert rate_counters(project, moments[5]) == (0, 5)


def test_the_day_limit_tells_the_time_to_the_next_utc_midnight(db, limiter_backend):
    # given: the quota is used up one and a half seconds before midnight
    project = ProjectFactory(rate_limit_per_second=100, rate_limit_per_day=1)
    late = NEXT_MIDNIGHT - 1.5
    rate_limit_hit(project, now=late - 10)

    # when
    decision = rate_limit_hit(project, now=late)

    # then
    assert decision == RateDecision(False, retry_after=2, limit="day")


def test_the_day_limit_resets_at_utc_midnight(db, limiter_backend, rate_counters):
    # given
    project = ProjectFactory(rate_limit_per_second=100, rate_limit_per_day=2)
    rate_limit_hit(project, now=NEXT_MIDNIGHT - 2)
    rate_limit_hit(project, now=NEXT_MIDNIGHT - 1)

    # when
    before = rate_limit_hit(project, now=NEXT_MIDNIGHT - 0.5)
    after = rate_limit_hit(project, now=NEXT_MIDNIGHT)

    # then
    assert before == RateDecision(False, retry_after=1, limit="day")
    assert after == RateDecision(True)
    assert rate_counters(project, NEXT_MIDNIGHT) == (1, 1)


def test_projects_have_separate_counters(db, limiter_backend):
    # given
    first = ProjectFactory(rate_limit_per_second=1, rate_limit_per_day=10)
    second = ProjectFactory(rate_limit_per_second=1, rate_limit_per_day=10)
    rate_limit_hit(first, now=NOW)

    # when
    decision = rate_limit_hit(second, now=NOW)

    # then
    assert decision == RateDecision(True)


def test_installation_defaults_apply_when_the_project_sets_none(db, settings, limiter_backend):
    # given
    settings.IDCHECK_RATE_LIMIT_PER_SECOND = 2
    project = ProjectFactory(rate_limit_per_second=None, rate_limit_per_day=None)

    # when
    decisions = [rate_limit_hit(project, now=NOW).allowed for _ in range(3)]

    # then
    assert decisions == [True, True, False]


@time_machine.travel(dt.datetime.fromtimestamp(NOW, tz=dt.UTC), tick=False)
@pytest.mark.parametrize(
    ("limit_field", "retry_after"),
    [("rate_limit_per_second", "1"), ("rate_limit_per_day", str(NEXT_MIDNIGHT - int(NOW)))],
)
def test_the_api_answers_429_over_a_limit(project, issued_key, limiter_backend, limit_field, retry_after):
    # given: one call allowed, and made
    setattr(project, limit_field, 1)
    project.save()
    client = Client(HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=issued_key.plaintext)
    assert client.get("/v3/submission").status_code == 200

    # when
    response = client.get("/v3/submission")

    # then: per second, retry in a second; per day, at the next UTC midnight
    assert response.status_code == 429
    assert response.json() == {"message": "Too Many Requests"}
    assert response["Retry-After"] == retry_after


def test_the_api_fails_closed_with_503_when_redis_is_unreachable(settings, issued_key):
    # given
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    events_before = AuditEvent.objects.count()
    client = Client(HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=issued_key.plaintext)

    # when
    response = client.get("/v3/submission")

    # then
    assert response.status_code == 503
    assert response.json() == {"message": "Service Unavailable"}
    assert response["Retry-After"] == "1"
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("now", [0.0, DAY - 0.001, DAY * 19_675 + 0.999])
def test_retry_after_is_never_zero(db, limiter_backend, now):
    # given
    project = ProjectFactory(rate_limit_per_second=100, rate_limit_per_day=1)
    rate_limit_hit(project, now=now)

    # when
    decision = rate_limit_hit(project, now=now)

    # then
    assert decision.retry_after == (int(now // DAY) + 1) * DAY - int(now)
    assert decision.retry_after >= 1
