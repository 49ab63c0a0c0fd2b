"""Management commands: seed_demo, configure_project, create_project."""

from __future__ import annotations

import base64
import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from projects.models import ApiKey, AuditEvent, CreditLedgerEntry, Membership, Project, Role, User
from projects.selectors import api_key_authenticate
from projects.services.demo import DEMO_ADMIN_EMAIL, DEMO_PROJECT_NAME
from tests.conftest import TEST_HOST
from tests.factories import UserFactory

SEED_KEYS = {"pid", "api_key", "admin_email", "admin_password", "totp_secret", "liveform_url", "dashboard_url"}


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _seed() -> dict:
    return json.loads(_run("seed_demo", "--json"))


def _list_submissions(key: str):
    return Client(HTTP_HOST=TEST_HOST, HTTP_X_API_KEY=key).get("/v3/submission")


def test_seed_demo_prints_one_json_object_whose_key_works(db, settings):
    # when
    facts = _seed()

    # then
    assert set(facts) == SEED_KEYS
    project = Project.objects.get(name=DEMO_PROJECT_NAME)
    assert facts["pid"] == project.pid
    assert facts["admin_email"] == DEMO_ADMIN_EMAIL
    assert facts["liveform_url"] == f"{settings.IDCHECK_PUBLIC_URL}/form/?pid={project.pid}"
    assert facts["dashboard_url"] == f"{settings.IDCHECK_PUBLIC_URL}/dashboard/"
    device = TOTPDevice.objects.get(user__email=DEMO_ADMIN_EMAIL, confirmed=True)
    assert base64.b32decode(facts["totp_secret"]) == device.bin_key
    assert User.objects.get(email=DEMO_ADMIN_EMAIL).check_password(facts["admin_password"])
    response = _list_submissions(facts["api_key"])
    assert response.status_code == 200
    assert response.json() == {"Items": []}


def test_seed_demo_twice_finds_the_same_demo_again(db):
    # given
    first = _seed()

    # when
    second = _seed()

    # then
    assert second["pid"] == first["pid"]
    assert second["totp_secret"] == first["totp_secret"]
    assert Project.objects.filter(name=DEMO_PROJECT_NAME).count() == 1
    project = Project.objects.get(name=DEMO_PROJECT_NAME)
    assert User.objects.filter(email=DEMO_ADMIN_EMAIL).count() == 1
    assert TOTPDevice.objects.filter(user__email=DEMO_ADMIN_EMAIL, confirmed=True).count() == 1
    assert project.credits == 1000
    assert CreditLedgerEntry.objects.filter(project=project).count() == 1
    assert ApiKey.objects.filter(project=project, revoked_at__isnull=True).count() == 1
    assert Membership.objects.filter(project=project).count() == 1
    assert api_key_authenticate(first["api_key"]) is None
    assert _list_submissions(second["api_key"]).status_code == 200


def test_seed_demo_prints_readable_facts_without_json(db):
    # when
    output = _run("seed_demo", "--password", "a demo password of some length")

    # then
    assert "Demo project ready (created)" in output
    assert User.objects.get(email=DEMO_ADMIN_EMAIL).check_password("a demo password of some length")


def test_configure_project_sets_and_shows_the_canonical_allowlist(project):
    # when
    _run("configure_project", project.pid, "api_ip_allowlist=10.0.0.0/8,2001:db8::/32")
    shown = json.loads(_run("configure_project", project.pid, "--show", "--json"))

    # then
    assert shown["pid"] == project.pid
    assert shown["api_ip_allowlist"] == ["10.0.0.0/8", "2001:db8::/32"]
    project.refresh_from_db()
    assert project.api_ip_allowlist == ["10.0.0.0/8", "2001:db8::/32"]
    event = AuditEvent.objects.get(project=project)
    assert (event.action, event.actor_label, event.details) == (
        "project.settings_changed",
        "cli",
        {
            "changed": ["api_ip_allowlist"],
            "before": {"api_ip_allowlist": []},
            "after": {"api_ip_allowlist": ["10.0.0.0/8", "2001:db8::/32"]},
        },
    )


def test_configure_project_canonicalises_what_it_is_given(project):
    _run("configure_project", project.pid, "api_ip_allowlist=2001:0DB8:0::/32, ::ffff:10.0.0.0/104,10.0.0.0/8")

    project.refresh_from_db()
    assert project.api_ip_allowlist == ["2001:db8::/32", "10.0.0.0/8"]


def test_configure_project_shows_every_setting_as_text(project):
    output = _run("configure_project", project.pid)

    assert "api_ip_allowlist = \n" in output
    assert "rate_limit_per_day = default\n" in output
    assert f"name = {project.name}\n" in output


@pytest.mark.parametrize(
    "assignment",
    [
        "api_ip_allowlist=10.0.0.1/8",
        "api_ip_allowlist=10.0.0.0/8,garbage",
        "rate_limit_per_second=fast",
        "emergency_stop=maybe",
        "status=ARCHIVED",
        "bogus=1",
        "no-equals-sign",
    ],
)
def test_configure_project_refuses_a_bad_value_and_changes_nothing(project, assignment):
    # given
    before = Project.objects.filter(pk=project.pk).values().get()

    # when / then
    with pytest.raises(CommandError):
        _run("configure_project", project.pid, "name=Renamed", assignment)
    assert Project.objects.filter(pk=project.pk).values().get() == before
    assert not AuditEvent.objects.exists()


def test_configure_project_refuses_an_unknown_pid(db):
    with pytest.raises(CommandError, match="No project"):
        _run("configure_project", "zzzzzzzzzz", "--show")


def test_create_project_prints_a_working_key_once(db):
    # given
    owner = UserFactory(email="owner@example.com")

    # when
    output = _run("create_project", "Acme KYC", "--owner", "Owner@Example.com", "--credits", "10")

    # then
    match = re.fullmatch(r"pid\s+(?P<pid>[a-z0-9]{10})\napi_key\s+(?P<key>[A-Za-z0-9]{40})\s+\(shown once\)\n", output)
    assert match, output
    project = Project.objects.get(pid=match["pid"])
    assert (project.name, project.status, project.credits) == ("Acme KYC", "TEST", 10)
    assert Membership.objects.get(project=project).user == owner
    assert Membership.objects.get(project=project).role == Role.OWNER
    assert list(CreditLedgerEntry.objects.filter(project=project).values_list("delta", flat=True)) == [10]
    assert api_key_authenticate(match["key"]).project == project
    actions = set(AuditEvent.objects.filter(project=project).values_list("action", flat=True))
    assert actions == {"project.created", "credits.topped_up", "api_key.created"}


def test_create_project_without_owner_or_credits(db):
    _run("create_project", "Bare")

    project = Project.objects.get(name="Bare")
    assert project.credits == 0
    assert not Membership.objects.filter(project=project).exists()
    assert not CreditLedgerEntry.objects.filter(project=project).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Acme", "--owner", "nobody@example.com"], "No user"),
        (["Acme", "--credits", "-5"], "negative"),
        (["   "], "name"),
    ],
)
def test_create_project_refuses_bad_input_and_creates_nothing(db, args, message):
    with pytest.raises(CommandError, match=message):
        _run("create_project", *args)

    assert not Project.objects.exists()
    assert not ApiKey.objects.exists()
    assert not AuditEvent.objects.exists()
