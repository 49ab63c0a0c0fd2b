"""What receivers get: the spec's fields filled in at the first attempt, Secure Data Transfer."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json

import pytest
import time_machine
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from standardwebhooks.webhooks import Webhook

from idcheck.lib.crypto import DecryptionError, payload_decrypt, payload_decrypt_gcm
from projects.actors import Actor
from projects.services import project_settings_update, secret_key_issue
from submissions.models import Submission
from submissions.services import SubmissionDetails, submission_create, submission_process
from tests.submissions.api.helpers import passport_case
from tests.webhooks.conftest import emit, endpoint_at, send_due
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_secrets_live

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
ACTOR = Actor.system("test")
ANSWER = {"id": "q1", "inputValue": "", "answer": "Yes", "blockType": "radio"}


def _received(receiver) -> dict[str, dict]:
    return {json.loads(r.body)["webhook_trigger"]: json.loads(r.body) for r in receiver.requests}


def test_an_approved_submission_sends_the_spec_fields_filled_from_its_sealed_data(project, receiver):
    # given
    project.credits = 1
    project.save()
    endpoint_at(project, receiver.url)
    case = passport_case()
    submission = submission_create(
        project=project,
        source="api",
        actor=ACTOR,
        images={"id_front": case.front, "selfie": case.selfie},
        details=SubmissionDetails(email="p@example.com", userid="u-7", cf1="crm-7"),
        additional_list=[ANSWER],
    )
    submission_process(submission_id=submission.id)
    submission.refresh_from_db()

    # when
    with time_machine.travel(T0, tick=False):
        assert send_due() == ["delivered"]
        assert send_due() == ["delivered"]

    # then
    received = _received(receiver)
    assert received["created"] == {
        "webhook_trigger": "created",
        "submission_id": submission.id,
        "kyc_result": {"status": "incomplete"},
        "cf": {"cf1": "crm-7"},
        "userid": "u-7",
        "sequence": 1,
    }
    approved = received["approved"]
    assert approved["sequence"] == 2
    assert {key: approved[key] for key in ("submission_id", "email", "cf", "applicant_id")} == {
        "submission_id": submission.id,
        "email": "p@example.com",
        "cf": {"cf1": "crm-7"},
        "applicant_id": submission.applicant_id,
    }
    assert approved["kyc_result"]["status"] == "approved"
    assert approved["last_name"] == "HORVATH"
    assert approved["additional_list"] == [ANSWER]
    assert set(approved) >= {"full_name", "first_name", "gender", "date_of_birth", "nationality"}
    assert "documentNumber" not in approved  # not a field of the approved payload (spec §4.5)


def test_a_submission_deleted_before_its_first_attempt_sends_only_the_thin_payload(project, receiver):
    # given
    project.credits = 1
    project.save()
    endpoint_at(project, receiver.url)
    submission = submission_create(
        project=project, source="api", actor=ACTOR, images={},
        details=SubmissionDetails(email="p@example.com", userid="u-7", cf1="crm-7"),
    )  # fmt: skip
    Submission.objects.filter(pk=submission.pk).update(wrapped_data_key=None, sealed_metadata=None)

    # when
    with time_machine.travel(T0, tick=False):
        send_due()

    # then
    assert _received(receiver)["created"] == {
        "webhook_trigger": "created",
        "submission_id": submission.id,
        "kyc_result": {"status": "incomplete"},
        "sequence": 1,
    }


def test_secure_data_transfer_sends_the_payload_encrypted_under_the_api_key_and_signed(project, issued_key, receiver):
    # given
    endpoint_at(project, receiver.url)
    project_settings_update(project=project, changes={"secure_transfer": True}, actor=ACTOR)
    emit(project, "created", "sub-1", kyc_result={"status": "incomplete"})

    # when
    with time_machine.travel(T0, tick=False):
        send_due()
        [request] = receiver.requests
        Webhook(webhook_secrets_live(WebhookEndpoint.objects.get(project=project))[0]).verify(
            request.body, request.headers
        )

    # then
    envelope = json.loads(request.body)
    assert list(envelope) == ["data"]
    key = hashlib.sha256(issued_key.plaintext.encode()).digest()
    assert json.loads(payload_decrypt(envelope["data"], key=key)) == {
        "webhook_trigger": "created",
        "submission_id": "sub-1",
        "kyc_result": {"status": "incomplete"},
        "sequence": 1,
    }


def test_secure_data_transfer_without_a_url_is_a_project_setting_that_creates_no_endpoint(project):
    # when
    changed = project_settings_update(project=project, changes={"secure_transfer": True}, actor=ACTOR)

    # then
    project.refresh_from_db()
    assert (changed, project.secure_transfer) == (["secure_transfer"], True)
    assert WebhookEndpoint.objects.count() == 0


def test_secure_data_transfer_under_the_secret_key_encrypts_the_webhook_with_it(project, issued_key, receiver):
    # given
    endpoint_at(project, receiver.url)
    secret_key = secret_key_issue(project=project, actor=ACTOR).plaintext
    changes = {"secure_transfer": True, "encryption_key": "secret_key"}
    project_settings_update(project=project, changes=changes, actor=ACTOR)
    emit(project, "created", "sub-1")

    # when
    with time_machine.travel(T0, tick=False):
        send_due()

    # then: it opens with SHA-256 of the secretKey, and not with the API key's
    data = json.loads(receiver.requests[0].body)["data"]
    key = hashlib.sha256(secret_key.encode()).digest()
    assert json.loads(payload_decrypt_gcm(data, key=key)) == {
        "webhook_trigger": "created",
        "submission_id": "sub-1",
        "sequence": 1,
    }
    with pytest.raises(DecryptionError):
        payload_decrypt_gcm(data, key=hashlib.sha256(issued_key.plaintext.encode()).digest())


def test_secure_data_transfer_without_a_live_api_key_fails_the_attempt_and_retries(project, receiver):
    # given
    endpoint_at(project, receiver.url)
    project_settings_update(project=project, changes={"secure_transfer": True}, actor=ACTOR)
    outbox = emit(project, "created", "sub-1")

    # when
    with time_machine.travel(T0, tick=False):
        assert send_due() == ["pending"]

    # then
    delivery = WebhookDelivery.objects.get(event=outbox)
    assert (delivery.attempts, delivery.sealed_body, delivery.last_error) == (
        1,
        None,
        "Secure Data Transfer needs a live API key to encrypt with.",
    )
    assert receiver.requests == []


def test_secure_data_transfer_in_the_original_compatible_cbc_mode(project, issued_key, receiver):
    # given
    endpoint_at(project, receiver.url)
    changes = {"secure_transfer": True, "secure_transfer_cipher": "cbc"}
    project_settings_update(project=project, changes=changes, actor=ACTOR)
    emit(project, "created", "sub-1")

    # when
    with time_machine.travel(T0, tick=False):
        send_due()

    # then: base64(16-byte IV | AES-256-CBC ciphertext), PKCS#7, key SHA-256 of the API key
    raw = base64.b64decode(json.loads(receiver.requests[0].body)["data"])
    key = hashlib.sha256(issued_key.plaintext.encode()).digest()
    decryptor = Cipher(algorithms.AES(key), modes.CBC(raw[:16])).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    plaintext = unpadder.update(decryptor.update(raw[16:]) + decryptor.finalize()) + unpadder.finalize()
    assert json.loads(plaintext) == {"webhook_trigger": "created", "submission_id": "sub-1", "sequence": 1}
    assert len(raw) == 16 + 80  # 66 bytes of JSON padded to 5 blocks
