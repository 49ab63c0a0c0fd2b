"""Issuing, rotating and revoking API keys; nothing usable is stored in the clear (G20)."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import IntegrityError, connection, transaction

from idcheck.lib import crypto
from idcheck.lib.crypto import DecryptionError, unseal
from projects.actors import Actor
from projects.models import ApiKey, AuditEvent
from projects.selectors import api_key_authenticate
from projects.services import api_key_issue, api_key_revoke
from projects.services.api_keys import PAYLOAD_KEY_PURPOSE, payload_key_aad
from tests.factories import ProjectFactory, UserFactory

ACTOR = Actor.system("test")


def _row_text(api_key: ApiKey) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(k)::text FROM projects_apikey k WHERE id = %s", [api_key.id])
        return cursor.fetchone()[0]


def test_it_issues_a_40_character_alphanumeric_key(project):
    # when
    issued = api_key_issue(project=project, actor=ACTOR)

    # then
    key = issued.plaintext
    assert len(key) == 40
    assert key.isascii()
    assert key.isalnum()
    assert issued.api_key.prefix == key[:8]
    assert api_key_authenticate(key) == issued.api_key


def test_keys_are_random(db):
    keys = {api_key_issue(project=ProjectFactory(), actor=ACTOR).plaintext for _ in range(20)}

    assert len(keys) == 20


def test_the_database_holds_neither_the_key_nor_its_sha256(project):
    # given
    issued = api_key_issue(project=project, actor=ACTOR)
    key = issued.plaintext
    digest = hashlib.sha256(key.encode()).digest()

    # when
    row = _row_text(issued.api_key)
    stored = ApiKey.objects.get(pk=issued.api_key.pk)

    # then
    assert key not in row
    assert digest.hex() not in row.lower()
    assert digest not in bytes(stored.payload_key_sealed)
    assert stored.key_hash != digest.hex()
    audit_rows = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert key not in audit_rows
    assert digest.hex() not in audit_rows


def test_the_payload_key_unseals_to_the_sha256_of_the_key(project):
    # given
    issued = api_key_issue(project=project, actor=ACTOR)
    stored = ApiKey.objects.get(pk=issued.api_key.pk)

    # when
    payload_key = unseal(bytes(stored.payload_key_sealed), purpose=PAYLOAD_KEY_PURPOSE, aad=payload_key_aad(stored.id))

    # then
    assert payload_key == hashlib.sha256(issued.plaintext.encode()).digest()


def test_the_payload_key_does_not_unseal_with_another_rows_aad(project):
    # given
    mine = api_key_issue(project=project, actor=ACTOR).api_key
    theirs = api_key_issue(project=ProjectFactory(), actor=ACTOR).api_key
    stored = ApiKey.objects.get(pk=mine.pk)

    # when / then
    with pytest.raises(DecryptionError):
        unseal(bytes(stored.payload_key_sealed), purpose=PAYLOAD_KEY_PURPOSE, aad=payload_key_aad(theirs.id))


def test_rotation_leaves_exactly_one_live_key(project):
    # given
    user = UserFactory()
    first = api_key_issue(project=project, actor=ACTOR)

    # when
    second = api_key_issue(project=project, actor=Actor(user=user, label=f"user:{user.pk}"))

    # then
    assert list(ApiKey.objects.filter(project=project, revoked_at__isnull=True)) == [second.api_key]
    assert ApiKey.objects.filter(project=project).count() == 2
    assert api_key_authenticate(first.plaintext) is None
    assert api_key_authenticate(second.plaintext) == second.api_key
    assert second.api_key.created_by == user
    rotated = AuditEvent.objects.get(project=project, action="api_key.rotated")
    assert rotated.target_id == str(second.api_key.id)
    assert rotated.details == {"revoked_previous": 1}
    assert AuditEvent.objects.filter(project=project, action="api_key.created").count() == 1


def test_revoking_leaves_no_live_key(project):
    # given
    issued = api_key_issue(project=project, actor=ACTOR)

    # when
    revoked = api_key_revoke(project=project, actor=ACTOR)

    # then
    assert revoked == 1
    assert not ApiKey.objects.filter(project=project, revoked_at__isnull=True).exists()
    assert api_key_authenticate(issued.plaintext) is None
    event = AuditEvent.objects.get(project=project, action="api_key.revoked")
    assert event.target_id == str(issued.api_key.id)


def test_revoking_without_a_live_key_changes_nothing(project):
    # when
    revoked = api_key_revoke(project=project, actor=ACTOR)

    # then
    assert revoked == 0
    assert not AuditEvent.objects.filter(project=project).exists()


def test_the_database_refuses_a_second_live_key(project):
    # given
    live = api_key_issue(project=project, actor=ACTOR).api_key

    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiKey.objects.create(project=project, prefix=live.prefix, key_hash="0" * 64, payload_key_sealed=b"x")


@pytest.mark.parametrize("presented", ["", "short", "a" * 41, "é" * 40, "a" * 39 + "-", "٣" * 40])
def test_it_authenticates_nothing_of_the_wrong_shape(project, presented):
    api_key_issue(project=project, actor=ACTOR)

    assert api_key_authenticate(presented) is None


def test_keys_keep_working_after_a_master_key_rotation(settings, project):
    # given
    issued = api_key_issue(project=project, actor=ACTOR)
    settings.IDCHECK_MASTER_KEY_PREVIOUS = [settings.IDCHECK_MASTER_KEY]
    settings.IDCHECK_MASTER_KEY = crypto.generate_master_key()
    crypto.reset_key_cache()

    # when
    found = api_key_authenticate(issued.plaintext)

    # then
    assert found == issued.api_key
    stored = ApiKey.objects.get(pk=issued.api_key.pk)
    payload_key = unseal(bytes(stored.payload_key_sealed), purpose=PAYLOAD_KEY_PURPOSE, aad=payload_key_aad(stored.id))
    assert payload_key == hashlib.sha256(issued.plaintext.encode()).digest()
