"""Private mode's token pool services: registration, deletion, use at the Liveform's start,
expiry by count and by time with the ``token_expired`` webhook, and the settings (spec §2.10–§2.12,
§4.12, §6.5)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from idcheck.celery import app as celery_app
from projects.actors import Actor
from projects.models import AuditEvent, LiveformToken
from projects.models.tokens import PrivateModeSettings
from projects.services import (
    InvalidSettings,
    TokenError,
    TokenRefused,
    liveform_token_use,
    liveform_tokens_delete,
    liveform_tokens_delete_before,
    liveform_tokens_expire_due,
    liveform_tokens_register,
    project_settings_update,
)
from projects.settings_registry import get_setting
from projects.tasks import liveform_tokens_expire_due_task
from tests.factories import ProjectFactory
from webhooks.models import WebhookOutbox

ACTOR = Actor.system("test")
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


def _tokens(project) -> dict[str, tuple]:
    return {
        t.token_id: (t.use_count, t.first_used_at, t.expired_at, t.expired_condition)
        for t in LiveformToken.objects.filter(project=project)
    }


def _mode(project, mode: str, *, uses: int | None = None, hours: int | None = None) -> None:
    PrivateModeSettings.objects.update_or_create(
        project=project, defaults={"mode": mode, "expiry_uses": uses, "expiry_hours": hours}
    )


def _expired_events() -> list[dict]:
    return list(WebhookOutbox.objects.filter(event="token_expired").order_by("pk").values_list("payload", flat=True))


def test_it_registers_tokens_and_counts_the_pool(project):
    # given
    liveform_tokens_register(project=project, token_ids=["existing1"], actor=ACTOR)

    # when
    result = liveform_tokens_register(project=project, token_ids=["tokenA001", "tokenB.02", "existing1"], actor=ACTOR)

    # then: the one already there is overwritten, not counted twice
    assert (result.total_submitted, result.processed, result.current_count, result.failed) == (3, 3, 3, [])
    assert sorted(_tokens(project)) == ["existing1", "tokenA001", "tokenB.02"]
    assert AuditEvent.objects.filter(project=project, action="liveform_tokens.registered").count() == 2


def test_registering_again_starts_the_use_history_afresh(project):
    # given: a token used up
    _mode(project, "pool", uses=1)
    liveform_tokens_register(project=project, token_ids=["user0001"], actor=ACTOR)
    liveform_token_use(project=project, token_id="user0001", now=NOW)

    # when
    liveform_tokens_register(project=project, token_ids=["user0001"], actor=ACTOR)

    # then
    assert _tokens(project) == {"user0001": (0, None, None, "")}


def test_malformed_ids_are_reported_and_the_others_registered(project):
    # when
    result = liveform_tokens_register(
        project=project, token_ids=["good-token1", "short", "-starts-bad", "has space1", 12345678], actor=ACTOR
    )

    # then
    assert (result.total_submitted, result.processed, result.current_count) == (5, 1, 1)
    assert [(f.token_id, f.code) for f in result.failed] == [
        ("short", "invalid_token_id_format"),
        ("-starts-bad", "invalid_token_id_format"),
        ("has space1", "invalid_token_id_format"),
        (12345678, "invalid_token_id_format"),
    ]
    assert list(_tokens(project)) == ["good-token1"]


@pytest.mark.parametrize(
    ("token_ids", "code"),
    [
        ([], "invalid_token_id"),
        ("tokenA001", "invalid_token_id"),
        (None, "invalid_token_id"),
        (["bad"], "invalid_token_id_format"),
        ([f"token{n:05d}" for n in range(501)], "request_token_limit_exceeded"),
    ],
)
def test_a_refused_registration_writes_nothing(project, token_ids, code):
    # when
    with pytest.raises(TokenError) as refused:
        liveform_tokens_register(project=project, token_ids=token_ids, actor=ACTOR)

    # then
    assert refused.value.code == code
    assert _tokens(project) == {}
    assert not AuditEvent.objects.filter(action="liveform_tokens.registered").exists()


def test_the_pool_never_exceeds_its_limit(project):
    # given: a pool of 3 (the real limit is 100,000) holding 2
    liveform_tokens_register(project=project, token_ids=["token0001", "token0002"], actor=ACTOR)

    # when: two new tokens and one overwrite
    with mock.patch("projects.services.tokens.MAX_POOL", 3):
        with pytest.raises(TokenError) as refused:
            liveform_tokens_register(project=project, token_ids=["token0001", "token0003", "token0004"], actor=ACTOR)
        fits = liveform_tokens_register(project=project, token_ids=["token0001", "token0003"], actor=ACTOR)

    # then
    assert refused.value.code == "token_pool_limit_exceeded"
    assert fits.current_count == 3
    assert sorted(_tokens(project)) == ["token0001", "token0002", "token0003"]


def test_five_hundred_tokens_register_in_a_few_queries(project, django_assert_max_num_queries):
    # when / then: the lock, two counts and one upsert; the other 10 are the audit row and its chain's
    with django_assert_max_num_queries(15):
        result = liveform_tokens_register(project=project, token_ids=[f"bulk{n:06d}" for n in range(500)], actor=ACTOR)
    assert result.current_count == 500


def test_it_deletes_listed_tokens_and_names_those_not_found(project):
    # given: the spec's example, pool A, B, C; delete A, C, D
    liveform_tokens_register(project=project, token_ids=["tokenAAAA", "tokenBBBB", "tokenCCCC"], actor=ACTOR)

    # when
    result = liveform_tokens_delete(project=project, token_ids=["tokenAAAA", "tokenCCCC", "tokenDDDD"], actor=ACTOR)

    # then
    assert (result.total_submitted, result.deleted, result.not_found, result.failed) == (3, 2, ["tokenDDDD"], [])
    assert list(_tokens(project)) == ["tokenBBBB"]


def test_deleting_only_unknown_tokens_is_refused(project):
    # given
    liveform_tokens_register(project=project, token_ids=["tokenAAAA"], actor=ACTOR)
    other = ProjectFactory()
    liveform_tokens_register(project=other, token_ids=["tokenZZZZ"], actor=ACTOR)

    # when: another project's token is unknown here
    with pytest.raises(TokenError) as refused:
        liveform_tokens_delete(project=project, token_ids=["tokenZZZZ"], actor=ACTOR)

    # then
    assert (refused.value.code, refused.value.extra["details"]) == ("token_id_not_found", ["tokenZZZZ"])
    assert list(_tokens(project)) == ["tokenAAAA"]
    assert list(_tokens(other)) == ["tokenZZZZ"]


def test_time_based_deletion_removes_tokens_registered_before_the_instant(project):
    # given
    liveform_tokens_register(project=project, token_ids=["old-token1", "old-token2", "new-token1"], actor=ACTOR)
    LiveformToken.objects.filter(token_id__startswith="old").update(updated_at=NOW - dt.timedelta(days=3))
    LiveformToken.objects.filter(token_id="new-token1").update(updated_at=NOW)
    LiveformToken.objects.filter(token_id="old-token2").update(expired_at=NOW, expired_condition="count")

    # when
    before = NOW - dt.timedelta(days=1)
    only_expired = liveform_tokens_delete_before(project=project, updated_before=before, expired_only=True, actor=ACTOR)
    rest = liveform_tokens_delete_before(project=project, updated_before=before, expired_only=False, actor=ACTOR)

    # then
    assert (only_expired, rest) == (1, 1)
    assert list(_tokens(project)) == ["new-token1"]


def test_with_private_mode_off_any_link_opens_and_nothing_is_counted(project):
    # when
    used = liveform_token_use(project=project, token_id="", now=NOW)

    # then
    assert used is None
    assert _tokens(project) == {}


@pytest.mark.parametrize(
    ("token_id", "reason"), [("", "missing"), ("no", "invalid"), ("unknown-token", "not_registered")]
)
def test_the_pool_refuses_a_link_without_a_registered_token(project, token_id, reason):
    # given
    _mode(project, "pool")
    liveform_tokens_register(project=project, token_ids=["registered1"], actor=ACTOR)

    # when
    with pytest.raises(TokenRefused) as refused:
        liveform_token_use(project=project, token_id=token_id, now=NOW)

    # then
    assert refused.value.reason == reason
    assert _tokens(project) == {"registered1": (0, None, None, "")}


def test_a_single_use_token_expires_at_its_use_and_is_reported_once(project):
    # given
    _mode(project, "pool", uses=1)
    liveform_tokens_register(project=project, token_ids=["single-use1"], actor=ACTOR)

    # when
    liveform_token_use(project=project, token_id="single-use1", now=NOW)
    with pytest.raises(TokenRefused) as refused:
        liveform_token_use(project=project, token_id="single-use1", now=NOW + dt.timedelta(seconds=1))

    # then
    assert refused.value.reason == "expired"
    assert _tokens(project) == {"single-use1": (1, NOW, NOW, "count")}
    assert _expired_events() == [
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
    _mode(project, "pool")
    liveform_tokens_register(project=project, token_ids=["reusable01"], actor=ACTOR)

    # when
    liveform_token_use(project=project, token_id="reusable01", now=NOW)
    liveform_token_use(project=project, token_id="reusable01", now=NOW + dt.timedelta(hours=1))

    # then
    assert _tokens(project) == {"reusable01": (2, NOW, None, "")}
    assert _expired_events() == []


def test_a_token_past_its_hours_is_expired_when_met_and_refused(project):
    # given: registered 25 hours ago, tokens live 24
    _mode(project, "pool", hours=24)
    liveform_tokens_register(project=project, token_ids=["late-token"], actor=ACTOR)
    LiveformToken.objects.update(updated_at=NOW - dt.timedelta(hours=25))

    # when
    with pytest.raises(TokenRefused) as refused:
        liveform_token_use(project=project, token_id="late-token", now=NOW)

    # then: expired with its scheduled moment, the refusal's write kept
    assert refused.value.reason == "expired"
    assert _tokens(project) == {"late-token": (0, None, NOW - dt.timedelta(hours=1), "time")}
    assert [(e["token_id"], e["expired_condition"], e["expired_at"]) for e in _expired_events()] == [
        ("late-token", "time", "2026-11-26T11:00:00.000Z")
    ]


def test_usage_mode_takes_any_token_for_three_minutes_after_its_first_use(project):
    # given
    _mode(project, "usage")

    # when: a first use, a second browser within the window, a third after it
    liveform_token_use(project=project, token_id="any-token-1", now=NOW)
    liveform_token_use(project=project, token_id="any-token-1", now=NOW + dt.timedelta(minutes=3))
    with pytest.raises(TokenRefused) as refused:
        liveform_token_use(project=project, token_id="any-token-1", now=NOW + dt.timedelta(minutes=3, seconds=1))

    # then
    assert refused.value.reason == "expired"
    assert _tokens(project) == {"any-token-1": (2, NOW, None, "")}


def test_the_cleanup_expires_tokens_by_time_once_however_often_it_runs(project):
    # given: two tokens past 24 hours, one not yet, and a project without time expiry
    _mode(project, "pool", hours=24)
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
    assert _tokens(project) == {
        "due-token1": (0, None, NOW, "time"),
        "due-token2": (0, None, NOW, "time"),
        "fresh-token": (0, None, None, ""),
    }
    assert sorted(e["token_id"] for e in _expired_events()) == ["due-token1", "due-token2"]
    assert _tokens(untimed) == {"untimed-01": (0, None, None, "")}


def test_the_cleanup_deletes_tokens_expired_a_day_ago_but_keeps_the_usage_history(project):
    # given: a pool project's tokens expired 25 h and 1 h ago, a usage project's expired 25 h ago
    _mode(project, "pool", uses=1)
    liveform_tokens_register(project=project, token_ids=["old-expired", "new-expired"], actor=ACTOR)
    LiveformToken.objects.filter(token_id="old-expired").update(expired_at=NOW - dt.timedelta(hours=25))
    LiveformToken.objects.filter(token_id="new-expired").update(expired_at=NOW - dt.timedelta(hours=1))
    usage = ProjectFactory()
    _mode(usage, "usage", uses=1)
    liveform_token_use(project=usage, token_id="usage-token", now=NOW - dt.timedelta(hours=25))

    # when
    run = liveform_tokens_expire_due(now=NOW)

    # then
    assert (run.expired, run.deleted) == (0, 1)
    assert list(_tokens(project)) == ["new-expired"]
    assert list(_tokens(usage)) == ["usage-token"]


def test_the_settings_are_changed_through_the_registry(project):
    # when
    changed = project_settings_update(
        project=project,
        changes={"liveform_private_mode": "pool", "liveform_token_expiry_uses": 1, "liveform_token_expiry_hours": 24},
        actor=ACTOR,
    )

    # then
    assert changed == ["liveform_private_mode", "liveform_token_expiry_uses", "liveform_token_expiry_hours"]
    settings = PrivateModeSettings.objects.get(project=project)
    assert (settings.mode, settings.expiry_uses, settings.expiry_hours) == ("pool", 1, 24)
    assert get_setting("liveform_token_expiry_hours").parse("off") is None


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("liveform_private_mode", "private"),
        ("liveform_token_expiry_uses", 0),
        ("liveform_token_expiry_uses", True),
        ("liveform_token_expiry_hours", 24 * 367),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(project, key, value):
    # when
    with pytest.raises(InvalidSettings):
        project_settings_update(project=project, changes={key: value}, actor=ACTOR)

    # then
    assert not PrivateModeSettings.objects.filter(project=project).exists()


def test_a_setting_typed_as_text_is_parsed_or_refused():
    # when / then
    setting = get_setting("liveform_token_expiry_uses")
    assert (setting.parse("3"), setting.parse("off"), setting.render(None)) == (3, None, "off")
    with pytest.raises(ValidationError):
        setting.parse("three")


def test_now_is_the_default_moment(project):
    # given
    _mode(project, "usage")

    # when
    before = timezone.now()
    liveform_token_use(project=project, token_id="defaulted1")

    # then
    assert LiveformToken.objects.get(token_id="defaulted1").first_used_at >= before


def test_beat_runs_the_cleanup_every_five_minutes(project):
    # given
    _mode(project, "pool", hours=1)
    liveform_tokens_register(project=project, token_ids=["beat-token1"], actor=ACTOR)
    LiveformToken.objects.update(updated_at=timezone.now() - dt.timedelta(hours=2))
    entry = celery_app.conf.beat_schedule["projects-expire-tokens"]

    # when
    liveform_tokens_expire_due_task()

    # then
    assert (entry["task"], entry["schedule"]) == ("projects.tasks.liveform_tokens_expire_due_task", 300.0)
    assert _tokens(project)["beat-token1"][3] == "time"


def test_usage_mode_refuses_a_token_whose_submission_is_decided_and_time_wins(project):
    # given: a token first used at NOW, whose submission is approved
    _mode(project, "usage")
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
    assert _tokens(project) == {"decided-01": (1, NOW, None, "")}
