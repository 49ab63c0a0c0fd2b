"""Sending a text message (SMS): one small backend interface, chosen by a setting, like Django's
``EMAIL_BACKEND``.

``IDCHECK_SMS_BACKEND`` names the backend class by its dotted path:

* :class:`ConsoleBackend` (the default) prints each message to the standard output, marked as
  not sent: for development and ``make run``;
* :class:`FileBackend` writes each message to its own file in ``IDCHECK_SMS_FILE_PATH``, also
  marked as not sent: for development and the browser tests, which read the code from it;
* :class:`HttpGatewayBackend` POSTs each message as JSON to the operator's SMS gateway,
  ``IDCHECK_SMS_GATEWAY_URL``, through the one outbound HTTP client and its SSRF guard
  (``idcheck.lib.http``): ``{"to": "+E164", "text": "…", "sender": "…"}`` with
  ``Authorization: Bearer <IDCHECK_SMS_GATEWAY_TOKEN>`` when a token is set. Any 2xx answer
  means the gateway took the message; anything else is :class:`SmsNotSent`. No vendor SDK: an
  operator points it at their provider's HTTP API or at a small relay of their own.

An operator may name a class of their own with the same ``send(message)`` method. ``manage.py
check --deploy`` warns while a development backend is configured (``idcheck.W005``).
Messages carry a one-time code, never other personal data; logs name the backend and the
outcome, never the number or the text.
"""

from __future__ import annotations

import json
import logging
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from idcheck.lib import http

logger = logging.getLogger(__name__)
GATEWAY_TIMEOUT = 10.0  # seconds: the person waits on the page for the code
DEVELOPMENT_MARK = "DEVELOPMENT ONLY - this SMS was not sent"
DEVELOPMENT_BACKENDS = frozenset({"idcheck.lib.sms.ConsoleBackend", "idcheck.lib.sms.FileBackend"})


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164, "+" and digits
    text: str


class SmsNotSent(Exception):
    """The backend could not hand the message over; ``reason`` is for the logs (no number)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class SmsBackend(Protocol):
    def send(self, message: SmsMessage) -> None: ...


def sms_backend() -> SmsBackend:
    """An instance of the configured backend."""
    backend_class = import_string(settings.IDCHECK_SMS_BACKEND)
    return backend_class()


def sms_send(message: SmsMessage) -> None:
    """Send ``message`` with the configured backend; :class:`SmsNotSent` when it could not."""
    try:
        sms_backend().send(message)
    except SmsNotSent as refusal:
        logger.warning("SMS not sent by %s: %s", settings.IDCHECK_SMS_BACKEND, refusal.reason)
        raise


def _development_text(message: SmsMessage) -> str:
    return f"[{DEVELOPMENT_MARK}]\nTo: {message.to}\n\n{message.text}\n"


class ConsoleBackend:
    """Prints the message (development only: nothing leaves the machine)."""

    def send(self, message: SmsMessage) -> None:
        sys.stdout.write(_development_text(message))
        sys.stdout.flush()


class FileBackend:
    """Writes each message to a new file ``<time>-<random>.sms`` in ``IDCHECK_SMS_FILE_PATH``
    (development only)."""

    def send(self, message: SmsMessage) -> None:
        folder = Path(settings.IDCHECK_SMS_FILE_PATH)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{secrets.token_hex(4)}.sms"
            (folder / name).write_text(_development_text(message), encoding="utf-8")
        except OSError as exc:
            raise SmsNotSent(f"cannot write to {folder}: {exc.strerror}") from None


class HttpGatewayBackend:
    """POSTs the message as JSON to ``IDCHECK_SMS_GATEWAY_URL`` (see the module's docstring)."""

    def send(self, message: SmsMessage) -> None:
        url = settings.IDCHECK_SMS_GATEWAY_URL
        if not url:
            raise SmsNotSent("IDCHECK_SMS_GATEWAY_URL is not set")
        body = {"to": message.to, "text": message.text}
        if settings.IDCHECK_SMS_SENDER:
            body["sender"] = settings.IDCHECK_SMS_SENDER
        headers = {"Content-Type": "application/json", "User-Agent": "ID Check SMS"}
        if settings.IDCHECK_SMS_GATEWAY_TOKEN:
            headers["Authorization"] = f"Bearer {settings.IDCHECK_SMS_GATEWAY_TOKEN}"
        payload = json.dumps(body, separators=(",", ":")).encode()
        try:
            response = http.request("POST", url, body=payload, headers=headers, timeout=GATEWAY_TIMEOUT)
        except (http.OutboundRefused, http.OutboundFailed) as exc:
            raise SmsNotSent(f"gateway unreachable: {exc}") from None
        if not 200 <= response.status < 300:
            raise SmsNotSent(f"gateway answered HTTP {response.status}")
