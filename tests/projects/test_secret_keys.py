"""A project's secretKey (spec §5.1): issued from the CSPRNG, shown once, stored only as its
sealed SHA-256, reissued in place; the Security page issues it behind a fresh TOTP code; the
``encryption_key`` setting makes it the key of every encryption of the project."""

from __future__ import annotations

import hashlib
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from idcheck.lib.crypto import DecryptionError, unseal
from projects.actors import Actor
from projects.models import AuditEvent, ProjectSecretKey
from projects.models.secret_keys import SECRET_KEY_PAYLOAD_PURPOSE, secret_key_aad
from projects.selectors import project_payload_key
from projects.services import InvalidSettings, api_key_issue, project_settings_update, secret_key_issue
from tests.conftest import fresh_totp_code
from tests.factories import ProjectFactory
from tests.projects.settings.helpers import member_client, settings_events

ACTOR = Actor.system("test")
SHOWN = re.compile(r'<code class="secret key">([A-Za-z0-9]{40})</code>')


def _unsealed(project) -> bytes:
    row = ProjectSecretKey.objects.get(project=project)
    return unseal(bytes(row.payload_key_sealed), purpose=SECRET_KEY_PAYLOAD_PURPOSE, aad=secret_key_aad(project.pk))


def _issue_url(project) -> str:
    return f"/dashboard/p/{project.pid}/settings/security/secret-key/"


def test_it_is_40_letters_and_digits_kept_only_as_its_sealed_sha256(project):
    # when
    issued = secret_key_issue(project=project, actor=ACTOR)

    # then
    assert re.fullmatch(r"[A-Za-z0-9]{40}", issued.plaintext)
    row = ProjectSecretKey.objects.get(project=project)
    digest = hashlib.sha256(issued.plaintext.encode()).digest()
    assert _unsealed(project) == digest
    assert issued.plaintext.encode() not in bytes(row.payload_key_sealed)
    assert digest not in bytes(row.payload_key_sealed)
    assert list(AuditEvent.objects.filter(project=project).values_list("action", "target_type", "target_id")) == [
        ("secret_key.created", "secret_key", project.pid)
    ]


def test_two_issues_give_different_keys_and_do_not_unseal_under_another_project(project):
    # given
    first = secret_key_issue(project=project, actor=ACTOR)
    other = ProjectFactory()

    # when
    second = secret_key_issue(project=project, actor=ACTOR)

    # then: one row, the second key, logged as a reissue
    assert first.plaintext != second.plaintext
    assert ProjectSecretKey.objects.filter(project=project).count() == 1
    assert _unsealed(project) == hashlib.sha256(second.plaintext.encode()).digest()
    assert [e.action for e in AuditEvent.objects.filter(project=project).order_by("sequence")] == [
        "secret_key.created",
        "secret_key.rotated",
    ]
    row = ProjectSecretKey.objects.get(project=project)
    with pytest.raises(DecryptionError):
        unseal(bytes(row.payload_key_sealed), purpose=SECRET_KEY_PAYLOAD_PURPOSE, aad=secret_key_aad(other.pk))


def test_the_payload_key_follows_the_encryption_key_setting(project):
    # given
    api_key = api_key_issue(project=project, actor=ACTOR).plaintext
    secret_key = secret_key_issue(project=project, actor=ACTOR).plaintext
    assert project_payload_key(project=project) == hashlib.sha256(api_key.encode()).digest()

    # when
    changed = project_settings_update(project=project, changes={"encryption_key": "secret_key"}, actor=ACTOR)

    # then
    assert changed == ["encryption_key"]
    assert project_payload_key(project=project) == hashlib.sha256(secret_key.encode()).digest()
    assert settings_events(project) == [
        {
            "changed": ["encryption_key"],
            "before": {"encryption_key": "api_key"},
            "after": {"encryption_key": "secret_key"},
        }
    ]


def test_the_secret_key_cannot_be_chosen_before_one_is_issued(project):
    # when
    with pytest.raises(InvalidSettings) as refused:
        project_settings_update(project=project, changes={"encryption_key": "secret_key"}, actor=ACTOR)

    # then
    assert refused.value.errors == {"encryption_key": "Issue a secretKey first (Security page)."}
    project.refresh_from_db()
    assert project.encryption_key == "api_key"
    assert settings_events(project) == []


def test_an_unknown_key_source_is_refused(project):
    with pytest.raises(InvalidSettings) as refused:
        project_settings_update(project=project, changes={"encryption_key": "password"}, actor=ACTOR)
    assert refused.value.errors == {"encryption_key": "Choose api_key or secret_key."}


def test_the_security_page_issues_it_behind_a_fresh_code_and_shows_it_once(project, owner, dashboard_client):
    # given: a wrong code changes nothing
    refused = dashboard_client.post(_issue_url(project), {"code": "000000"})
    assert refused.status_code == 200
    assert "That code is not right" in refused.content.decode()
    assert ProjectSecretKey.objects.count() == 0

    # when
    response = dashboard_client.post(_issue_url(project), {"code": fresh_totp_code(owner)})

    # then
    shown = SHOWN.search(response.content.decode())
    assert shown is not None
    assert _unsealed(project) == hashlib.sha256(shown.group(1).encode()).digest()
    page = dashboard_client.get(f"/dashboard/p/{project.pid}/settings/security/").content.decode()
    assert shown.group(1) not in page
    assert "Reissue secretKey" in page
    assert AuditEvent.objects.filter(project=project, action="secret_key.created").count() == 1


def test_a_viewer_cannot_issue_it(project):
    # given
    client = member_client(project)

    # when
    response = client.post(_issue_url(project), {"code": "123456"})

    # then
    assert response.status_code == 403
    assert ProjectSecretKey.objects.count() == 0
    assert not AuditEvent.objects.filter(project=project, action__startswith="secret_key.").exists()


def test_the_command_issues_it_and_prints_it_once(project):
    # when
    out = StringIO()
    call_command("secret_key_issue", project.pid, stdout=out)

    # then
    shown = re.fullmatch(r"secretKey  ([A-Za-z0-9]{40})  \(shown once\)\n", out.getvalue())
    assert shown is not None
    assert _unsealed(project) == hashlib.sha256(shown.group(1).encode()).digest()
    assert AuditEvent.objects.filter(project=project, action="secret_key.created").count() == 1


def test_the_command_refuses_an_unknown_pid(db):
    with pytest.raises(CommandError, match="No project with pid 'nosuchpid0'."):
        call_command("secret_key_issue", "nosuchpid0")
    assert ProjectSecretKey.objects.count() == 0
