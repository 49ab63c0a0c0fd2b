"""Guessing private-mode tokens (G24): wrong tokens are recorded per address and throttled, a
throttled address learns nothing even from a right token, and a token of another project is
refused exactly like one that was never registered."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from projects.actors import Actor
from projects.models import AuditEvent, LiveformToken
from projects.services import audit_record, liveform_tokens_register, project_settings_update
from submissions.flow.state import SESSION_KEY
from submissions.services.liveform_tokens import (
    MAX_GUESSES_PER_ADDRESS,
    MAX_GUESSES_PER_PROJECT,
    TOKEN_REFUSED,
    TOKEN_THROTTLED,
)
from tests.factories import ProjectFactory
from tests.submissions.flow.helpers import flow_client, nothing_written
from webhooks.models import WebhookOutbox

ACTOR = Actor.system("test")
GUESSER = "203.0.113.66"
NEIGHBOUR = "198.51.100.7"


def _pool(project, *token_ids: str) -> None:
    project_settings_update(project=project, changes={"liveform_private_mode": "pool",
                                                      "liveform_token_expiry_uses": 1}, actor=ACTOR)  # fmt: skip
    liveform_tokens_register(project=project, token_ids=list(token_ids), actor=ACTOR)


def _open(project, token: str, address: str) -> tuple[str, int, str]:
    """The page a link leads to: (location, its status, its text)."""
    client = flow_client()
    response = client.get("/form/", {"pid": project.pid, "token": token}, REMOTE_ADDR=address)
    assert response.status_code == 302
    if not response["Location"].startswith("/form/error-page/"):
        assert SESSION_KEY in client.session
        return response["Location"], 200, ""
    assert SESSION_KEY not in client.session
    page = client.get(response["Location"], REMOTE_ADDR=address)
    return response["Location"], page.status_code, page.content.decode()


def _events(project, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(project=project, action=action).order_by("sequence"))


@pytest.fixture
def pool_project(project):
    _pool(project, "right-token-1")
    return project


def test_a_hundred_wrong_tokens_from_one_address_in_a_minute_are_throttled_and_logged(pool_project):
    # when: 100 guesses (they take a few seconds)
    pages = [_open(pool_project, f"guess-{n:04d}", GUESSER)[:2] for n in range(100)]

    # then: the first 20 are told the token is unknown, the other 80 to wait
    assert pages[:MAX_GUESSES_PER_ADDRESS] == [("/form/error-page/token-not-found", 403)] * MAX_GUESSES_PER_ADDRESS
    assert pages[MAX_GUESSES_PER_ADDRESS:] == [("/form/error-page/token-throttled", 429)] * 80
    refused = _events(pool_project, TOKEN_REFUSED)
    assert len(refused) == MAX_GUESSES_PER_ADDRESS
    assert {(event.ip_address, event.actor_label, event.target_type) for event in refused} == {
        (GUESSER, "anonymous", "liveform_token")
    }
    assert {tuple(event.details.items()) for event in refused} == {(("reason", "not_registered"),)}
    assert all(event.request_id for event in refused)
    throttled = _events(pool_project, TOKEN_THROTTLED)
    assert [(event.ip_address, event.details) for event in throttled] == [
        (GUESSER, {"guesses_from_address": MAX_GUESSES_PER_ADDRESS})
    ]
    assert nothing_written(pool_project)


def test_a_throttled_address_learns_nothing_from_the_right_token(pool_project):
    # given
    for n in range(MAX_GUESSES_PER_ADDRESS):
        _open(pool_project, f"guess-{n:04d}", GUESSER)

    # when
    location, status, text = _open(pool_project, "right-token-1", GUESSER)

    # then: the token is neither used nor expired, and another address still opens it
    assert (location, status) == ("/form/error-page/token-throttled", 429)
    assert "TK-10007" in text
    assert LiveformToken.objects.get(project=pool_project).use_count == 0
    assert not WebhookOutbox.objects.filter(event="token_expired").exists()
    assert _open(pool_project, "right-token-1", NEIGHBOUR)[:2] == ("/form/consent", 200)


def test_malformed_and_expired_tokens_count_as_guesses_but_a_missing_one_does_not(pool_project):
    # given: the right token used once, so it is expired
    _open(pool_project, "right-token-1", NEIGHBOUR)

    # when
    pages = [_open(pool_project, token, GUESSER)[:2] for token in ("bad token", "right-token-1", "")]

    # then
    assert pages == [
        ("/form/error-page/token-invalid", 400),
        ("/form/error-page/token-expired", 403),
        ("/form/error-page/token-missing", 403),
    ]
    assert [event.details["reason"] for event in _events(pool_project, TOKEN_REFUSED)] == ["invalid", "expired"]


def test_the_throttle_lifts_once_the_guesses_are_ten_minutes_old(pool_project):
    # given
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(MAX_GUESSES_PER_ADDRESS):
            _open(pool_project, f"guess-{n:04d}", GUESSER)
        assert _open(pool_project, "right-token-1", GUESSER)[:2] == ("/form/error-page/token-throttled", 429)

    # when / then
    with time_machine.travel(start + dt.timedelta(minutes=9, seconds=59), tick=False):
        assert _open(pool_project, "right-token-1", GUESSER)[:2] == ("/form/error-page/token-throttled", 429)
    with time_machine.travel(start + dt.timedelta(minutes=10, seconds=1), tick=False):
        assert _open(pool_project, "right-token-1", GUESSER)[:2] == ("/form/consent", 200)
    assert len(_events(pool_project, TOKEN_THROTTLED)) == 1


def test_in_a_project_wide_storm_an_address_gets_one_wrong_guess(pool_project):
    # given: 500 wrong tokens from 500 addresses in the last minutes
    for n in range(MAX_GUESSES_PER_PROJECT):
        audit_record(actor=Actor(label="anonymous", ip_address=f"10.0.{n // 250}.{n % 250}"), action=TOKEN_REFUSED,
                     project=pool_project, target_type="liveform_token", details={"reason": "not_registered"})  # fmt: skip

    # when
    first, second = (_open(pool_project, token, GUESSER)[:2] for token in ("guess-0001", "right-token-1"))

    # then: a guesser of the storm is throttled after one guess; a visitor who never guessed wrong
    # opens the flow, and another project is untouched
    assert (first, second) == (("/form/error-page/token-not-found", 403), ("/form/error-page/token-throttled", 429))
    assert LiveformToken.objects.get(project=pool_project).use_count == 0
    other = ProjectFactory()
    _pool(other, "right-token-2")
    assert _open(other, "right-token-2", GUESSER)[:2] == ("/form/consent", 200)


def test_a_token_of_another_project_is_refused_like_an_unknown_token(pool_project):
    # given: project B's pool, and A's token never used
    other = ProjectFactory()
    _pool(other, "right-token-2")

    # when
    foreign = _open(other, "right-token-1", GUESSER)
    unknown = _open(other, "never-registered", NEIGHBOUR)

    # then: same page, same status, same text; nothing used or written in either project
    assert foreign == unknown
    assert foreign[:2] == ("/form/error-page/token-not-found", 403)
    assert LiveformToken.objects.get(project=pool_project).use_count == 0
    assert LiveformToken.objects.get(project=other).use_count == 0
    assert nothing_written(pool_project)
    assert nothing_written(other)
    assert [event.details for event in _events(other, TOKEN_REFUSED)] == [{"reason": "not_registered"}] * 2
    assert not _events(pool_project, TOKEN_REFUSED)
