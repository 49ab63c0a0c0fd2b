"""The SMS seam (``idcheck.lib.sms``): the backend the setting names, the development backends'
marks, and the HTTP gateway's exact request through the SSRF-guarded client."""

from __future__ import annotations

import json
from unittest import mock

import pytest

from idcheck.checks import sms_backend_not_for_development
from idcheck.lib import http
from idcheck.lib.sms import (
    ConsoleBackend,
    FileBackend,
    HttpGatewayBackend,
    SmsMessage,
    SmsNotSent,
    sms_backend,
    sms_send,
)

MESSAGE = SmsMessage(to="+33612345678", text="Shop: your verification code is 123456.")
GATEWAY = "https://sms.example.com/v1/messages?account=42"


@pytest.fixture
def gateway(settings):
    settings.IDCHECK_SMS_BACKEND = "idcheck.lib.sms.HttpGatewayBackend"
    settings.IDCHECK_SMS_GATEWAY_URL = GATEWAY
    settings.IDCHECK_SMS_GATEWAY_TOKEN = "s3cret-token"
    settings.IDCHECK_SMS_SENDER = "IDCheck"


def _answer(status: int) -> http.Response:
    return http.Response(status=status, headers={}, duration_ms=12)


def test_the_setting_chooses_the_backend(settings):
    settings.IDCHECK_SMS_BACKEND = "idcheck.lib.sms.FileBackend"
    assert isinstance(sms_backend(), FileBackend)
    settings.IDCHECK_SMS_BACKEND = "idcheck.lib.sms.ConsoleBackend"
    assert isinstance(sms_backend(), ConsoleBackend)


def test_the_gateway_gets_one_json_post_with_the_token(gateway):
    with mock.patch("idcheck.lib.http.request", autospec=True, return_value=_answer(202)) as request:
        sms_send(MESSAGE)
    request.assert_called_once_with(
        "POST",
        GATEWAY,
        body=b'{"to":"+33612345678","text":"Shop: your verification code is 123456.","sender":"IDCheck"}',
        headers={"Content-Type": "application/json", "User-Agent": "ID Check SMS",
                 "Authorization": "Bearer s3cret-token"},
        timeout=10.0,
    )  # fmt: skip


def test_without_token_or_sender_the_request_carries_neither(gateway, settings):
    settings.IDCHECK_SMS_GATEWAY_TOKEN = ""
    settings.IDCHECK_SMS_SENDER = ""
    with mock.patch("idcheck.lib.http.request", autospec=True, return_value=_answer(200)) as request:
        HttpGatewayBackend().send(MESSAGE)
    kwargs = request.call_args.kwargs
    assert json.loads(kwargs["body"]) == {"to": "+33612345678", "text": MESSAGE.text}
    assert kwargs["headers"] == {"Content-Type": "application/json", "User-Agent": "ID Check SMS"}


@pytest.mark.parametrize("status", [301, 400, 401, 429, 500, 503])
def test_an_answer_other_than_2xx_is_not_sent(gateway, status):
    with (
        mock.patch("idcheck.lib.http.request", autospec=True, return_value=_answer(status)),
        pytest.raises(SmsNotSent) as refusal,
    ):
        sms_send(MESSAGE)
    assert refusal.value.reason == f"gateway answered HTTP {status}"


@pytest.mark.parametrize(
    "error", [http.OutboundFailed("no response within 10 s"), http.OutboundRefused("10.0.0.5 is a private address")]
)
def test_an_unreachable_or_refused_gateway_is_not_sent(gateway, error):
    with mock.patch("idcheck.lib.http.request", autospec=True, side_effect=error), pytest.raises(SmsNotSent) as refusal:
        sms_send(MESSAGE)
    assert refusal.value.reason == f"gateway unreachable: {error}"


def test_the_ssrf_guard_refuses_a_private_gateway_before_sending(gateway, settings):
    settings.IDCHECK_SMS_GATEWAY_URL = "https://sms.internal.example/"
    with (
        mock.patch("idcheck.lib.http.resolve", autospec=True, return_value=["10.0.0.5"]),
        pytest.raises(SmsNotSent) as refusal,
    ):
        sms_send(MESSAGE)
    assert refusal.value.reason == "gateway unreachable: 10.0.0.5 is a private address"


def test_a_gateway_without_url_sends_nothing(gateway, settings):
    settings.IDCHECK_SMS_GATEWAY_URL = ""
    with mock.patch("idcheck.lib.http.request", autospec=True) as request, pytest.raises(SmsNotSent):
        sms_send(MESSAGE)
    request.assert_not_called()


def test_the_console_backend_prints_the_message_marked_as_not_sent(capsys):
    ConsoleBackend().send(MESSAGE)
    assert capsys.readouterr().out == (
        "[DEVELOPMENT ONLY - this SMS was not sent]\nTo: +33612345678\n\nShop: your verification code is 123456.\n"
    )


def test_the_file_backend_writes_one_file_per_message(settings, tmp_path):
    settings.IDCHECK_SMS_FILE_PATH = str(tmp_path / "sms")
    FileBackend().send(MESSAGE)
    FileBackend().send(MESSAGE)
    files = sorted((tmp_path / "sms").iterdir())
    assert len(files) == 2
    assert all(path.suffix == ".sms" for path in files)
    assert files[0].read_text() == (
        "[DEVELOPMENT ONLY - this SMS was not sent]\nTo: +33612345678\n\nShop: your verification code is 123456.\n"
    )


@pytest.mark.parametrize(
    ("backend", "warned"),
    [
        ("idcheck.lib.sms.ConsoleBackend", True),
        ("idcheck.lib.sms.FileBackend", True),
        ("idcheck.lib.sms.HttpGatewayBackend", False),
    ],
)
def test_the_deploy_check_warns_about_a_development_backend(settings, backend, warned):
    settings.IDCHECK_SMS_BACKEND = backend
    ids = [message.id for message in sms_backend_not_for_development(None)]
    assert ids == (["idcheck.W005"] if warned else [])
