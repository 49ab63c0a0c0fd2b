"""Secure Data Transfer as a project setting of its own (issue 9): a project with no webhook
endpoint encrypts its API bodies, and a project whose ``encryption_key`` is its secretKey
encrypts under SHA-256 of the secretKey, never the API key's."""

from __future__ import annotations

import hashlib
import json

import pytest

from idcheck.lib.crypto import DecryptionError, payload_decrypt_gcm, payload_encrypt_gcm
from projects.models import LiveformToken
from projects.services import secret_key_issue
from submissions.models import Submission
from tests.factories import MembershipFactory
from tests.idcheck.test_secure_transfer import ACTOR, FAILED, TOKENS, Integrator
from tests.submissions.test_submission_update import decided_submission
from webhooks.models import WebhookEndpoint

REGISTERED = {
    "success": True,
    "message": "All tokens are now in the pool",
    "summary": {"totalSubmitted": 1, "currentCount": 1, "processed": 1, "failed": 0},
}


@pytest.mark.parametrize("cipher", ["gcm", "cbc"])
def test_a_project_without_any_webhook_endpoint_encrypts_its_api_bodies(project, cipher):
    # given
    secure = Integrator(project, cipher)
    assert not WebhookEndpoint.objects.filter(project=project).exists()

    # when
    registered = secure.send("post", TOKENS, {"tokenId": ["tokenA001"]})
    raw = secure.client.get(f"{TOKENS}?tokenId=tokenA001")

    # then
    assert list(json.loads(registered.content)) == ["data"]
    assert secure.answer(registered) == (200, REGISTERED)
    status, answer = secure.answer(raw)
    assert (status, answer["data"]["tokenId"]) == (200, "tokenA001")
    assert list(LiveformToken.objects.filter(project=project).values_list("token_id", flat=True)) == ["tokenA001"]


def test_a_round_trip_under_the_secret_key(project):
    # given
    secure = Integrator(project, "gcm", secret_key=True)
    submission = decided_submission(project)
    admin = MembershipFactory(project=project).user
    body = {"submissionId": submission.pk, "admin": admin.email, "data": {"documentNumber": "M12345678"}}
    api_key_digest = hashlib.sha256(secure.client.defaults["HTTP_X_API_KEY"].encode()).digest()

    # when
    patched = secure.send("patch", "/v3/submission", body)
    read = secure.client.get(f"/v3/submission?submission_id={submission.pk}")

    # then: both answers open with SHA-256 of the secretKey, and not with the API key's
    assert secure.key == hashlib.sha256(secure.secret_key.encode()).digest()
    assert secure.answer(patched) == (200, {"message": "Data Processing Success."})
    status, answer = secure.answer(read)
    assert (status, answer["Items"][0]["data"]["documentNumber"]) == (200, "M12345678")
    with pytest.raises(DecryptionError):
        payload_decrypt_gcm(read.json()["data"], key=api_key_digest)


def test_a_body_under_the_api_key_is_refused_when_the_secret_key_is_the_key(project):
    # given
    secure = Integrator(project, "gcm", secret_key=True)
    submission = decided_submission(project)
    before = Submission.objects.values().get(pk=submission.pk)
    admin = MembershipFactory(project=project).user
    body = {"submissionId": submission.pk, "admin": admin.email, "data": {"documentNumber": "M12345678"}}
    api_key_digest = hashlib.sha256(secure.client.defaults["HTTP_X_API_KEY"].encode()).digest()
    envelope = json.dumps({"data": payload_encrypt_gcm(json.dumps(body).encode(), key=api_key_digest)})

    # when
    response = secure.client.patch("/v3/submission", envelope, content_type="application/json")

    # then
    assert (response.status_code, response.json()) == (400, FAILED)
    assert Submission.objects.values().get(pk=submission.pk) == before


def test_a_reissued_secret_key_replaces_the_old_one_at_once(project):
    # given
    secure = Integrator(project, "cbc", secret_key=True)
    old = secure.envelope({"tokenId": ["tokenA001"]})

    # when
    secure_key = secret_key_issue(project=project, actor=ACTOR).plaintext
    refused = secure.client.post(TOKENS, old, content_type="application/json")
    secure.key = hashlib.sha256(secure_key.encode()).digest()
    accepted = secure.send("post", TOKENS, {"tokenId": ["tokenB001"]})

    # then
    assert (refused.status_code, refused.json()) == (400, FAILED)
    assert secure.answer(accepted) == (200, REGISTERED)
    assert list(LiveformToken.objects.filter(project=project).values_list("token_id", flat=True)) == ["tokenB001"]
