"""Standard Webhooks conformance, checked with the reference library (G6)."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import time_machine
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from projects.actors import Actor
from tests.webhooks.conftest import emit, endpoint_at, send_due
from webhooks import signing
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookSecret
from webhooks.services import WebhookError, webhook_secret_rotate, webhook_secrets_live

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)
ACTOR = Actor.system("test")


def _secret(project) -> str:
    [secret] = webhook_secrets_live(WebhookEndpoint.objects.get(project=project))
    return secret


def test_a_new_endpoint_gets_a_whsec_secret_of_32_random_bytes_sealed_at_rest(project):
    # when
    endpoint = endpoint_at(project, "https://hooks.example.com/idcheck")

    # then
    secret = _secret(project)
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert secret.encode() not in bytes(WebhookSecret.objects.get(endpoint=endpoint).sealed_secret)
    other = endpoint_at(type(project).objects.create(name="Other"), "https://hooks.example.com/other")
    assert webhook_secrets_live(other) != [secret]


def test_500_deliveries_verify_with_the_reference_library_and_tampering_is_detected(project, receiver):
    # given
    endpoint_at(project, receiver.url)
    for n in range(500):
        emit(project, "approved", f"sub-{n}", kyc_result={"status": "approved", "reviewer": "system"})
    with time_machine.travel(T0, tick=False):
        assert send_due() == ["delivered"] * 500
    verifier = Webhook(_secret(project))

    with time_machine.travel(T0 + dt.timedelta(seconds=2), tick=False):
        # when
        verified = [verifier.verify(r.body, r.headers) for r in receiver.requests]
        tampered = 0
        for request in receiver.requests:
            body = bytearray(request.body)
            body[len(body) // 2] ^= 0x01
            variants = [
                (bytes(body), request.headers),
                (request.body, {**request.headers, "webhook-id": request.headers["webhook-id"] + "x"}),
                (request.body, {**request.headers, "webhook-timestamp": str(int(T0.timestamp()) + 1)}),
            ]
            for data, headers in variants:
                with pytest.raises(WebhookVerificationError):
                    verifier.verify(data, headers)
                tampered += 1

    # then
    assert [payload["submission_id"] for payload in verified] == [f"sub-{n}" for n in range(500)]
    assert tampered == 1500
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 500
    assert all("." not in r.headers["webhook-id"] for r in receiver.requests)


def test_a_six_minute_old_timestamp_fails_in_the_library(project, receiver):
    # given
    endpoint_at(project, receiver.url)
    emit(project, "created", "sub-1")
    with time_machine.travel(T0, tick=False):
        send_due()
    [request] = receiver.requests

    # when / then
    with time_machine.travel(T0 + dt.timedelta(minutes=6), tick=False), pytest.raises(WebhookVerificationError):
        Webhook(_secret(project)).verify(request.body, request.headers)


def test_during_a_rotation_receivers_with_either_secret_verify_and_after_24_hours_only_the_new_one(project, receiver):
    # given
    endpoint_at(project, receiver.url)
    old = _secret(project)
    with time_machine.travel(T0, tick=False):
        new = webhook_secret_rotate(project=project, actor=ACTOR)
    emit(project, "created", "sub-1")
    emit(project, "created", "sub-2")
    WebhookDelivery.objects.filter(resource_id="sub-2").update(next_attempt_at=T0 + dt.timedelta(hours=24, seconds=1))

    # when
    with time_machine.travel(T0 + dt.timedelta(hours=23), tick=False):
        send_due()
        during = receiver.requests[-1]
        assert Webhook(old).verify(during.body, during.headers)["submission_id"] == "sub-1"
        assert Webhook(new).verify(during.body, during.headers)["submission_id"] == "sub-1"
    with time_machine.travel(T0 + dt.timedelta(hours=24, seconds=1), tick=False):
        send_due()
        after = receiver.requests[-1]

        # then
        assert Webhook(new).verify(after.body, after.headers)["submission_id"] == "sub-2"
        with pytest.raises(WebhookVerificationError):
            Webhook(old).verify(after.body, after.headers)
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert len(after.headers["webhook-signature"].split(" ")) == 1


def test_rotating_without_an_endpoint_is_refused_and_creates_nothing(project):
    # when
    with pytest.raises(WebhookError):
        webhook_secret_rotate(project=project, actor=ACTOR)

    # then
    assert (WebhookEndpoint.objects.count(), WebhookSecret.objects.count()) == (0, 0)


def test_the_signature_is_hmac_sha256_over_id_timestamp_and_body():
    # given: the example of the Standard Webhooks specification
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    # when
    value = signing.signature(secret, msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp=1614265330,
                              body=b'{"test": 2432232314}')  # fmt: skip

    # then
    assert value == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
