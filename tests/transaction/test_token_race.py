"""Private-mode tokens under concurrency (spec §6.5): phones racing for a single-use token, pool
registrations racing for the last places, cleanup workers running at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from projects.actors import Actor
from projects.models import LiveformToken
from projects.models.tokens import PrivateModeSettings
from projects.services import (
    TokenError,
    liveform_tokens_register,
)
from submissions.services import TokenRefused, liveform_token_use, liveform_tokens_expire_due
from tests.factories import ProjectFactory
from webhooks.models import WebhookOutbox

pytestmark = pytest.mark.django_db(transaction=True)
ACTOR = Actor.system("test")


def test_of_twenty_phones_opening_a_single_use_token_exactly_one_wins(run_in_threads):
    # given
    project = ProjectFactory()
    PrivateModeSettings.objects.create(project=project, mode="pool", expiry_uses=1)
    liveform_tokens_register(project=project, token_ids=["one-time-01"], actor=ACTOR)

    # when
    results = run_in_threads(lambda index: liveform_token_use(project=project, token_id="one-time-01"), 20)

    # then: one flow starts, nineteen are told the link expired, one token_expired webhook
    winners = [r for r in results if isinstance(r, LiveformToken)]
    refused = [r for r in results if isinstance(r, TokenRefused)]
    assert (len(winners), len(refused)) == (1, 19), results
    assert {r.reason for r in refused} == {"expired"}
    token = LiveformToken.objects.get(project=project)
    assert (token.use_count, token.expired_condition) == (1, "count")
    assert WebhookOutbox.objects.filter(project=project, event="token_expired").count() == 1


@pytest.mark.parametrize("uses", [2, 5])
def test_a_token_good_for_n_uses_admits_exactly_n_of_3n_concurrent_starts(run_in_threads, uses):
    # given
    project = ProjectFactory()
    PrivateModeSettings.objects.create(project=project, mode="pool", expiry_uses=uses)
    liveform_tokens_register(project=project, token_ids=["n-use-token"], actor=ACTOR)

    # when
    results = run_in_threads(lambda index: liveform_token_use(project=project, token_id="n-use-token"), 3 * uses)

    # then
    winners = [r for r in results if isinstance(r, LiveformToken)]
    refused = [r for r in results if isinstance(r, TokenRefused)]
    assert (len(winners), len(refused)) == (uses, 2 * uses), results
    assert {r.reason for r in refused} == {"expired"}
    assert sorted(winner.use_count for winner in winners) == list(range(1, uses + 1))
    token = LiveformToken.objects.get(project=project)
    assert (token.use_count, token.expired_condition) == (uses, "count")
    assert WebhookOutbox.objects.filter(project=project, event="token_expired").count() == 1


def test_concurrent_registrations_never_overfill_the_pool(run_in_threads, monkeypatch):
    # given: room for 5 more tokens, four callers with 2 new tokens each. The limit is patched
    # once, before the threads: a patch entered and left in each thread restores the value another
    # thread saved, so the limit would leak past this test (and vary within it).
    project = ProjectFactory()
    monkeypatch.setattr("projects.services.tokens.MAX_POOL", 5)

    def register(index: int):
        ids = [f"caller{index}-token-a", f"caller{index}-token-b"]
        return liveform_tokens_register(project=project, token_ids=ids, actor=ACTOR)

    # when
    results = run_in_threads(register, 4)

    # then: two fit, two are refused whole
    refused = [r for r in results if isinstance(r, TokenError)]
    assert len(refused) == 2, results
    assert {r.code for r in refused} == {"token_pool_limit_exceeded"}
    assert LiveformToken.objects.filter(project=project).count() == 4


def test_two_cleanup_workers_report_each_expiry_once(run_in_threads):
    # given: 1,200 tokens past their 24 hours (more than two batches)
    project = ProjectFactory()
    PrivateModeSettings.objects.create(project=project, mode="pool", expiry_hours=24)
    for start in range(0, 1200, 500):
        ids = [f"expiring-{n:05d}" for n in range(start, min(start + 500, 1200))]
        liveform_tokens_register(project=project, token_ids=ids, actor=ACTOR)
    LiveformToken.objects.update(updated_at=timezone.now() - dt.timedelta(hours=25))

    # when
    results = run_in_threads(lambda index: liveform_tokens_expire_due(), 2)

    # then
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sum(r.expired for r in results) == 1200
    assert LiveformToken.objects.filter(project=project, expired_condition="time").count() == 1200
    events = WebhookOutbox.objects.filter(project=project, event="token_expired")
    assert events.count() == 1200
    assert events.values("resource_id").distinct().count() == 1200
