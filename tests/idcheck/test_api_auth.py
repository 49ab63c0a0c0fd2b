"""``x-api-key`` authentication and the API IP allow-list, through ``/v3/submission`` (G9, G20, G22)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from projects.actors import Actor
from projects.models import AuditEvent, RateCounter
from projects.services import api_key_issue, api_key_revoke
from tests.conftest import TEST_HOST
from tests.factories import ProjectFactory, SubmissionFactory

URL = "/v3/submission"
FORBIDDEN = {"message": "Forbidden"}
EXPLICIT_DENY = {"message": "User is not authorized to access this resource with an explicit deny"}


def _get(key: str | None, path: str = URL, **extra: str):
    headers = {"HTTP_X_API_KEY": key} if key is not None else {}
    return Client(HTTP_HOST=TEST_HOST).get(path, **headers, **extra)


def _other_char(char: str) -> str:
    return "b" if char == "a" else "a"


def test_it_accepts_the_live_key(issued_key):
    # when
    response = _get(issued_key.plaintext)

    # then
    assert response.status_code == 200
    assert response.json() == {"Items": []}


def test_it_refuses_a_missing_key(project):
    # when
    response = _get(None)

    # then
    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert "WWW-Authenticate" not in response


def test_it_refuses_a_wrong_key_of_the_right_length(issued_key):
    # given: same lookup prefix, one character off at the end
    key = issued_key.plaintext
    wrong = key[:-1] + _other_char(key[-1])

    # when
    response = _get(wrong)

    # then
    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert "WWW-Authenticate" not in response


def test_it_refuses_another_random_key(issued_key):
    response = _get("A" * 40)

    assert response.status_code == 403
    assert response.json() == FORBIDDEN


@pytest.mark.parametrize("mangle", ["longer", "shorter", "empty", "non_ascii", "punctuation"])
def test_it_refuses_a_key_of_the_wrong_shape(issued_key, mangle):
    # given
    key = issued_key.plaintext
    wrong = {
        "longer": key + "x",
        "shorter": key[:-1],
        "empty": "",
        "non_ascii": key[:-1] + "é",
        "punctuation": key[:-1] + "-",
    }[mangle]

    # when
    response = _get(wrong)

    # then
    assert response.status_code == 403
    assert response.json() == FORBIDDEN


def test_it_refuses_a_revoked_key(project, issued_key):
    # given
    api_key_revoke(project=project, actor=Actor.system("test"))

    # when
    response = _get(issued_key.plaintext)

    # then
    assert response.status_code == 403
    assert response.json() == FORBIDDEN


def test_it_refuses_the_old_key_after_rotation_and_accepts_the_new_one(project, issued_key):
    # given
    rotated = api_key_issue(project=project, actor=Actor.system("test"))

    # when
    old = _get(issued_key.plaintext)
    new = _get(rotated.plaintext)

    # then
    assert old.status_code == 403
    assert old.json() == FORBIDDEN
    assert new.status_code == 200
    assert new.json() == {"Items": []}


@pytest.mark.parametrize("name", ["api_key", "x-api-key", "apikey", "x_api_key"])
def test_it_refuses_a_key_in_the_query_string_even_with_a_valid_header(issued_key, name):
    # given
    key = issued_key.plaintext
    events_before = AuditEvent.objects.count()

    # when
    response = _get(key, path=f"{URL}?{name}={key}")

    # then
    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert AuditEvent.objects.count() == events_before + 1
    event = AuditEvent.objects.get(action="api.key_in_query_string_refused")
    assert event.project is None
    assert event.actor_api_key is None
    assert event.details == {}
    stored = json.dumps(AuditEvent.objects.filter(pk=event.pk).values().get(), default=str)
    assert key not in stored
    assert key[:8] not in stored


@pytest.mark.parametrize("name", ["X-Api-Key", "API_KEY"])
def test_it_refuses_a_key_in_the_query_string_whatever_its_case(issued_key, name):
    # given
    key = issued_key.plaintext

    # when
    response = _get(key, path=f"{URL}?{name}={key}")

    # then
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="api.key_in_query_string_refused").count() == 1


def test_it_admits_an_address_inside_the_allowlist(project, issued_key):
    # given
    project.api_ip_allowlist = ["10.0.0.0/8"]
    project.save()

    # when
    response = _get(issued_key.plaintext, REMOTE_ADDR="10.1.2.3")

    # then
    assert response.status_code == 200
    assert response.json() == {"Items": []}


def test_it_denies_an_address_outside_the_allowlist(settings, project, issued_key):
    # given: database counters, so the test can see that nothing was counted
    settings.REDIS_URL = ""
    project.api_ip_allowlist = ["10.0.0.0/8"]
    project.save()
    SubmissionFactory(project=project)

    # when
    response = _get(issued_key.plaintext, REMOTE_ADDR="192.168.1.1")

    # then
    assert response.status_code == 403
    assert response.json() == EXPLICIT_DENY
    assert "WWW-Authenticate" not in response
    event = AuditEvent.objects.get(action="api.ip_denied")
    assert event.project == project
    assert event.ip_address == "192.168.1.1"
    assert event.actor_api_key == issued_key.api_key
    assert not RateCounter.objects.filter(project=project).exists()


def test_it_checks_the_key_before_the_address(project, issued_key):
    # given
    project.api_ip_allowlist = ["10.0.0.0/8"]
    project.save()

    # when
    response = _get("A" * 40, REMOTE_ADDR="192.168.1.1")

    # then
    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert not AuditEvent.objects.filter(action="api.ip_denied").exists()


def test_it_ignores_a_spoofed_forwarded_for_without_trusted_proxies(settings, project, issued_key):
    # given
    settings.IDCHECK_TRUSTED_PROXY_DEPTH = 0
    project.api_ip_allowlist = ["10.0.0.0/8"]
    project.save()

    # when
    response = _get(issued_key.plaintext, REMOTE_ADDR="192.168.1.1", HTTP_X_FORWARDED_FOR="10.1.2.3")

    # then
    assert response.status_code == 403
    assert response.json() == EXPLICIT_DENY


@pytest.mark.parametrize(
    ("forwarded_for", "status"),
    [
        ("192.168.1.1, 10.1.2.3", 200),
        ("10.1.2.3, 192.168.1.1", 403),
        ("", 403),
    ],
)
def test_it_uses_the_right_hand_forwarded_for_behind_one_proxy(settings, project, issued_key, forwarded_for, status):
    # given
    settings.IDCHECK_TRUSTED_PROXY_DEPTH = 1
    project.api_ip_allowlist = ["10.0.0.0/8"]
    project.save()

    # when
    response = _get(issued_key.plaintext, REMOTE_ADDR="172.16.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)

    # then
    assert response.status_code == status
    assert response.json() == ({"Items": []} if status == 200 else EXPLICIT_DENY)


def test_it_admits_an_ipv4_mapped_client(project, issued_key):
    # given
    project.api_ip_allowlist = ["10.0.0.0/8"]
    project.save()

    # when
    response = _get(issued_key.plaintext, REMOTE_ADDR="::ffff:10.1.2.3")

    # then
    assert response.status_code == 200


def test_it_shows_nothing_of_another_projects_submission(issued_key):
    # given
    other = SubmissionFactory(project=ProjectFactory())

    # when
    response = _get(issued_key.plaintext, path=f"{URL}?submission_id={other.id}")

    # then
    assert response.status_code == 200
    assert response.json() == {"Items": []}


def test_it_lists_only_the_callers_submissions(project, issued_key):
    # given
    mine = SubmissionFactory(project=project)
    SubmissionFactory(project=ProjectFactory())

    # when
    response = _get(issued_key.plaintext)

    # then
    assert [item["submission_id"] for item in response.json()["Items"]] == [mine.id]


def test_another_projects_key_cannot_read_with_a_cursor_from_this_one(project, issued_key):
    # given
    theirs = ProjectFactory()
    their_key = api_key_issue(project=theirs, actor=Actor.system("test"))
    mine = SubmissionFactory(project=project)
    cursor = "nextpage_id=zzzzzzzzzzzzzzz_zz&nextpage_date=2999-01-01-00-00-00-000"

    # when
    response = _get(their_key.plaintext, path=f"{URL}?{cursor}")

    # then
    assert response.status_code == 200
    assert mine.id not in response.content.decode()
    assert response.json() == {"Items": []}
