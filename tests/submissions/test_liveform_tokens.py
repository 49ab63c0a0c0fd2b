"""Private mode's tokens at work: use at the Liveform's start, expiry by count and by time with
the ``token_expired`` webhook, and the cleanup job (spec §4.12, §6.5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from idcheck.celery import app as celery_app
from projects.actors import Actor
from projects.models import LiveformToken
from projects.services import (
    liveform_tokens_register,
)
from submissions.services import TokenRefused, liveform_token_use, liveform_tokens_expire_due
from submissions.tasks import liveform_tokens_expire_due_task
from tests.factories import ProjectFactory
from tests.private_mode import expired_events, private_mode_set, tokens_state

ACTOR = Actor.system("test")
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


def test_with_private_mode_off_any_link_opens_and_nothing_is_counted(project):
    # when
    used = liveform_token_use(project=project, token_id="", now=NOW)

    # then
    assert used is None
    assert tokens_state(project) == {}


@pytest.mark.parametrize(
    ("token_id", "reason"), [("", "missing"), ("no", "invalid"), ("unknown-token", "not_registered")]
)
def test_the_pool_refuses_a_link_without_a_registered_token(project, token_id, reason):
    # given
    private_mode_set(project, "pool")
    liveform_tokens_register(project=project, token_ids=["registered1"], actor=ACTOR)

    # when
    with pytest.raises(TokenRefused) as refused:
        liveform_token_use(project=project, token_id=token_id, now=NOW)

    # then
    assert refused.value.reason == reason
    assert tokens_state(project) == {"registered1": (0, None, None, "")}


def test_a_single_use_token_expires_at_its_use_and_is_reported_once(project):
    # given
    private_mode_set(project, "pool", uses=1)
    liveform_tokens_register(project=project, token_ids=["single-use1"], actor=ACTOR)

    # when
    liveform_token_use(project=project, token_id="single-use1", now=NOW)
    with pytest.raises(TokenRefused) as refused:
        liveform_token_use(project=project, token_id="single-use1", now=NOW + dt.timedelta(seconds=1))

    # then
    assert refused.value.reason == "expired"
    assert tokens_state(project) == {"single-use1": (1, NOW, NOW, "count")}
    assert expired_events() == [
        {
            "webhook_trigger": "token_expired",
            "token_id": "single-use1",
            "expired_condition": "count",
            "expired_at": "2026-11-26T12:00:00.000Z",
            "service": "idCheck",
        }
    ]


def test_without_expiry_settings_a_pool_token_opens_again(project):
    # given
    private_mode_set(project, "pool")
    liveform_tokens_register(project=project, token_ids=["reusable01"], actor=ACTOR)

    # when
    liveform_token_use(project=project, token_id="reusable01", now=NOW)
    liveform_token_use(project=project, token_id="reusable01", now=NOW + dt.timedelta(hours=1))

    # then
    assert tokens_state(project) == {"reusable01": (2, NOW, None, "")}
    assert expired_events() == []


def test_a_token_past_its_hours_is_expired_when_met_and_refused(project):
    # given: registered 25 hours ago, tokens live 24
    private_mode_set(project, "pool", hours=24)
    liveform_tokens_register(project=project, token_ids=["late-token"], actor=ACTOR)
    LiveformToken.objects.update(updated_at=NOW - dt.timedelta(hours=25))

    # when
    with pytest.raises(TokenRefused) as refused:
        liveform_token_use(project=project, token_id="late-token", now=NOW)

    # then: expired with its scheduled moment, the refusal's write kept
    assert refused.value.reason == "expired"
    assert tokens_state(project) == {"late-token": (0, None, NOW - dt.timedelta(hours=1), "time")}
    assert [(e["token_id"], e["expired_condition"], e["expired_at"]) for e in expired_events()] == [
        ("late-token", "time", "2026-11-26T11:00:00.000Z")
    ]


def test_usage_mode_takes_any_token_for_three_minutes_after_its_first_use(project):
    # given
    private_mode_set(project, "usage")

    # when: a first use, a second browser within the window, a third after it
    liveform_token_use(project=project, token_id="any-token-1", now=NOW)
    liveform_token_use(project=project, token_id="any-token-1", now=NOW + dt.timedelta(minutes=3))
    with pytest.raises(TokenRefused) as refused:
        liveform_token_use(project=project, token_id="any-token-1", now=NOW + dt.timedelta(minutes=3, seconds=1))

    # then
    assert refused.value.reason == "expired"
    assert tokens_state(project) == {"any-token-1": (2, NOW, None, "")}


def test_the_cleanup_expires_tokens_by_time_once_however_often_it_runs(project):
    # given: two tokens past 24 hours, one not yet, and a project without time expiry
    private_mode_set(project, "pool", hours=24)
    liveform_tokens_register(project=project, token_ids=["due-token1", "due-token2", "fresh-token"], actor=ACTOR)
    LiveformToken.objects.filter(token_id__startswith="due").update(updated_at=NOW - dt.timedelta(hours=24))
    untimed = ProjectFactory()
    liveform_tokens_register(project=untimed, token_ids=["untimed-01"], actor=ACTOR)
    LiveformToken.objects.filter(project=untimed).update(updated_at=NOW - dt.timedelta(days=30))

    # when
    first = liveform_tokens_expire_due(now=NOW)
    second = liveform_tokens_expire_due(now=NOW + dt.timedelta(minutes=5))

    # then
    assert (first.expired, second.expired) == (2, 0)
    assert tokens_state(project) == {
        "due-token1": (0, None, NOW, "time"),
        "due-token2": (0, None, NOW, "time"),
        "fresh-token": (0, None, None, ""),
    }
    assert sorted(e["token_id"] for e in expired_events()) == ["due-token1", "due-token2"]
    assert tokens_state(untimed) == {"untimed-01": (0, None, None, "")}


def test_the_cleanup_deletes_tokens_expired_a_day_ago_but_keeps_the_usage_history(project):
    # given: a pool project's tokens expired 25 h and 1 h ago, a usage project's expired 25 h ago
    private_mode_set(project, "pool", uses=1)
    liveform_tokens_register(project=project, token_ids=["old-expired", "new-expired"], actor=ACTOR)
    LiveformToken.objects.filter(token_id="old-expired").update(expired_at=NOW - dt.timedelta(hours=25))
    LiveformToken.objects.filter(token_id="new-expired").update(expired_at=NOW - dt.timedelta(hours=1))
    usage = ProjectFactory()
    private_mode_set(usage, "usage", uses=1)
    liveform_token_use(project=usage, token_id="usage-token", now=NOW - dt.timedelta(hours=25))

    # when
    run = liveform_tokens_expire_due(now=NOW)

    # then
    assert (run.expired, run.deleted) == (0, 1)
    assert list(tokens_state(project)) == ["new-expired"]
    assert list(tokens_state(usage)) == ["usage-token"]


def test_now_is_the_default_moment(project):
    # given
    private_mode_set(project, "usage")

    # when
    before = timezone.now()
    liveform_token_use(project=project, token_id="defaulted1")

    # then
    assert LiveformToken.objects.get(token_id="defaulted1").first_used_at >= before


def test_beat_runs_the_cleanup_every_five_minutes(project):
    # given
    private_mode_set(project, "pool", hours=1)
    liveform_tokens_register(project=project, token_ids=["beat-token1"], actor=ACTOR)
    LiveformToken.objects.update(updated_at=timezone.now() - dt.timedelta(hours=2))
    entry = celery_app.conf.beat_schedule["expire-liveform-tokens"]

    # when
    liveform_tokens_expire_due_task()

    # then
    assert (entry["task"], entry["schedule"]) == ("submissions.tasks.liveform_tokens_expire_due_task", 300.0)
    assert tokens_state(project)["beat-token1"][3] == "time"


def test_usage_mode_refuses_a_token_whose_submission_is_decided_and_time_wins(project):
    # given: a token first used at NOW, whose submission is approved
    private_mode_set(project, "usage")
    liveform_token_use(project=project, token_id="decided-01", now=NOW)
    asked: list[dt.datetime] = []

    def approved(since: dt.datetime) -> str:
        asked.append(since)
        return "approved"

    # when: within the window, then after it
    with pytest.raises(TokenRefused) as within:
        liveform_token_use(project=project, token_id="decided-01", now=NOW + dt.timedelta(minutes=1),
                           decided_status=approved)  # fmt: skip
    with pytest.raises(TokenRefused) as after:
        liveform_token_use(project=project, token_id="decided-01", now=NOW + dt.timedelta(minutes=4),
                           decided_status=approved)  # fmt: skip

    # then
    assert (within.value.reason, after.value.reason) == ("approved", "expired")
    assert asked == [NOW]
    assert tokens_state(project) == {"decided-01": (1, NOW, None, "")}
