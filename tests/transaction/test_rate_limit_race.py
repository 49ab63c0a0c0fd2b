"""The per-day quota is exact under 64 concurrent clients, with both counter stores (G12)."""

from __future__ import annotations

import pytest

from idcheck.ratelimit import DAY, RateDecision, rate_limit_hit
from projects.models import RateCounter
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 64
CALLS = 1500
QUOTA = 1000
NOW = 1_700_000_000.5


def test_exactly_the_daily_quota_is_admitted_under_concurrency(run_in_threads, limiter_backend):
    # given
    project = ProjectFactory(rate_limit_per_second=100_000, rate_limit_per_day=QUOTA)

    def client(index: int) -> list[RateDecision]:
        return [rate_limit_hit(project, now=NOW) for _ in range(index, CALLS, CLIENTS)]

    # when
    results = run_in_threads(client, CLIENTS)

    # then
    errors = [result for result in results if not isinstance(result, list)]
    assert errors == []
    decisions = [decision for per_client in results for decision in per_client]
    assert len(decisions) == CALLS
    admitted = [decision for decision in decisions if decision.allowed]
    refused = [decision for decision in decisions if not decision.allowed]
    assert len(admitted) == QUOTA
    assert len(refused) == CALLS - QUOTA
    midnight = (int(NOW // DAY) + 1) * DAY
    assert set(refused) == {RateDecision(False, retry_after=midnight - int(NOW), limit="day")}
    if limiter_backend == "database":
        counts = dict(RateCounter.objects.filter(project=project).values_list("period", "count"))
        assert counts == {"s": QUOTA, "d": QUOTA}


def test_exactly_the_per_second_limit_is_admitted_under_concurrency(run_in_threads, limiter_backend):
    # given
    project = ProjectFactory(rate_limit_per_second=50, rate_limit_per_day=100_000)

    def client(index: int) -> list[RateDecision]:
        return [rate_limit_hit(project, now=NOW) for _ in range(4)]

    # when
    results = run_in_threads(client, 32)

    # then
    decisions = [decision for per_client in results for decision in per_client]
    assert len(decisions) == 128
    assert sum(decision.allowed for decision in decisions) == 50
    assert {decision for decision in decisions if not decision.allowed} == {
        RateDecision(False, retry_after=1, limit="second")
    }
    if limiter_backend == "database":
        counts = dict(RateCounter.objects.filter(project=project).values_list("period", "count"))
        assert counts == {"s": 50, "d": 50}
