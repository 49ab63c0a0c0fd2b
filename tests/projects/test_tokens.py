"""Private mode's token pool services: registration, deletion and the settings (spec §2.10–§2.12,
§6.5). Using and expiring tokens: tests/submissions/test_liveform_tokens.py."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from io import StringIO
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from projects.actors import Actor
from projects.models import AuditEvent, LiveformToken
from projects.models.tokens import PrivateModeSettings
from projects.services import (
    InvalidSettings,
    TokenError,
    liveform_tokens_delete,
    liveform_tokens_delete_before,
    liveform_tokens_register,
    project_settings_update,
)
from projects.services.tokens import GENERATED_ALPHABET, GENERATED_LENGTH, token_id_generate, token_id_valid
from projects.settings_registry import get_setting
from submissions.services import liveform_token_use
from tests.factories import ProjectFactory
from tests.private_mode import private_mode_set, tokens_state

ACTOR = Actor.system("test")
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


def test_it_registers_tokens_and_counts_the_pool(project):
    # given
    liveform_tokens_register(project=project, token_ids=["existing1"], actor=ACTOR)

    # when
    result = liveform_tokens_register(project=project, token_ids=["tokenA001", "tokenB.02", "existing1"], actor=ACTOR)

    # then: the one already there is overwritten, not counted twice
    assert (result.total_submitted, result.processed, result.current_count, result.failed) == (3, 3, 3, [])
    assert sorted(tokens_state(project)) == ["existing1", "tokenA001", "tokenB.02"]
    assert AuditEvent.objects.filter(project=project, action="liveform_tokens.registered").count() == 2


def test_registering_again_starts_the_use_history_afresh(project):
    # given: a token used up
    private_mode_set(project, "pool", uses=1)
    liveform_tokens_register(project=project, token_ids=["user0001"], actor=ACTOR)
    liveform_token_use(project=project, token_id="user0001", now=NOW)

    # when
    liveform_tokens_register(project=project, token_ids=["user0001"], actor=ACTOR)

    # then
    assert tokens_state(project) == {"user0001": (0, None, None, "")}


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
    assert list(tokens_state(project)) == ["good-token1"]


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
    assert tokens_state(project) == {}
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
    assert sorted(tokens_state(project)) == ["token0001", "token0002", "token0003"]


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
    assert list(tokens_state(project)) == ["tokenBBBB"]


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
    assert list(tokens_state(project)) == ["tokenAAAA"]
    assert list(tokens_state(other)) == ["tokenZZZZ"]


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
    assert list(tokens_state(project)) == ["new-token1"]


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


# --- generated Token IDs (G24, ASVS 11.5.1) -----------------------------------------------------


def test_generated_token_ids_carry_at_least_128_random_bits_and_follow_the_rules():
    # when
    token_ids = [token_id_generate() for _ in range(10_000)]

    # then
    assert GENERATED_LENGTH * math.log2(len(GENERATED_ALPHABET)) >= 128
    assert len(set(token_ids)) == 10_000
    assert all(len(token_id) == GENERATED_LENGTH and token_id_valid(token_id) for token_id in token_ids)
    assert set("".join(token_ids)) == set(GENERATED_ALPHABET)
    # every character about equally likely: 240,000 draws of 62, about 3,871 each (a biased
    # source, e.g. one taking bytes modulo 62, shows up as a few characters far off)
    counts = Counter("".join(token_ids))
    assert min(counts.values()) > 3_500, counts
    assert max(counts.values()) < 4_250, counts


def test_the_command_registers_and_prints_fresh_token_ids(project):
    # given
    out = StringIO()

    # when
    call_command("liveform_tokens_generate", project.pid, "--count", "1200", stdout=out)

    # then
    printed = out.getvalue().split()
    assert len(printed) == len(set(printed)) == 1200
    assert set(LiveformToken.objects.filter(project=project).values_list("token_id", flat=True)) == set(printed)
    events = AuditEvent.objects.filter(project=project, action="liveform_tokens.registered")
    assert sorted(event.details["processed"] for event in events) == [200, 500, 500]


@pytest.mark.parametrize("count", ["0", "10001"])
def test_the_command_refuses_a_bad_count_and_registers_nothing(project, count):
    with pytest.raises(CommandError, match="Generate 1 to 10,000 Token IDs at a time"):
        call_command("liveform_tokens_generate", project.pid, "--count", count)
    assert not LiveformToken.objects.filter(project=project).exists()


def test_the_command_refuses_an_unknown_project(db):
    with pytest.raises(CommandError, match="No project with pid 'nope'"):
        call_command("liveform_tokens_generate", "nope")


def test_a_generation_that_would_overfill_the_pool_registers_nothing(project, monkeypatch):
    monkeypatch.setattr("projects.services.tokens.MAX_POOL", 600)
    with pytest.raises(CommandError, match="at most 600 tokens"):
        call_command("liveform_tokens_generate", project.pid, "--count", "700")
    assert not LiveformToken.objects.filter(project=project).exists()
