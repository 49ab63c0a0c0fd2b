"""Secure Data Transfer of /v3/ bodies (spec §5, §2.4; RELIABILITY.md G18).

A project turns it on with the project setting that also encrypts its webhooks (``secure_transfer``,
the dashboard's Security page), as the original has one Secure Data Transmission toggle for both;
it needs no webhook URL. Then every JSON request body arrives as ``{"data": "<ciphertext>"}`` and
every JSON answer leaves as one, under the project's payload key (``encryption_key``: SHA-256 of
the API key that authenticated the call, or of the project's secretKey). The cipher follows
``secure_transfer_cipher``: ``gcm`` (our layout both ways) or ``cbc``, the original's mode
(requests AES-256-ECB, answers and webhooks AES-256-CBC with a random IV).

Three DRF defaults make it one layer that no view knows about: the content negotiation swaps a
JSON view's parser for :class:`SecureTransferParser`, the renderer encrypts, and the exception
handler answers every failed decryption with the one plain body :data:`DECRYPTION_FAILED_BODY`.
Multipart and urlencoded bodies (image uploads) stay plain. docs/secure-data-transfer.md says
all of it for integrators.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils import json

from idcheck.api_errors import exception_handler as gateway_exception_handler
from idcheck.lib.crypto import (
    DecryptionError,
    payload_decrypt,
    payload_decrypt_gcm,
    payload_encrypt_cbc,
    payload_encrypt_gcm,
)

logger = logging.getLogger("idcheck.api")

ARGOS_CIPHER = "cbc"  # the value of secure_transfer_cipher that selects the original's modes
DECRYPTION_FAILED = "Decryption is Failed. Please check the api-key."
DECRYPTION_FAILED_BODY = {"errorCode": DECRYPTION_FAILED}
ENVELOPE_MEMBERS = {"data", "isEncrypted"}
_CACHE = "_idcheck_secure_transfer"
_UNKNOWN = object()


@dataclass(frozen=True)
class Transfer:
    """A project's Secure Data Transfer: its cipher and its 32-byte payload key for this call."""

    cipher: str
    key: bytes

    def decrypt(self, text: str) -> bytes:
        if self.cipher == ARGOS_CIPHER:
            return payload_decrypt(text, key=self.key)  # ECB, as the original's clients send
        return payload_decrypt_gcm(text, key=self.key)

    def encrypt(self, plaintext: bytes) -> str:
        if self.cipher == ARGOS_CIPHER:
            return payload_encrypt_cbc(plaintext, key=self.key)
        return payload_encrypt_gcm(plaintext, key=self.key)


class DecryptionFailed(exceptions.APIException):
    """Not a ParseError: the views answer those in their own words, and a failed decryption must
    read the same whatever its cause and whichever endpoint it reached."""

    status_code = 400
    default_detail = DECRYPTION_FAILED


class PlainAnswer(Response):
    """An answer the renderer leaves unencrypted: the client's key is what is in doubt."""


def transfer_of(request: Request) -> Transfer | None:
    """The Secure Data Transfer of the project that authenticated ``request``; None when it is off
    or nobody authenticated. It reads the request's own attributes rather than ``request.user``,
    which would run the authentication of a request refused before it (a 406, say)."""
    attributes = vars(request)
    cached = attributes.get(_CACHE, _UNKNOWN)
    if cached is not _UNKNOWN:
        return cached
    from idcheck.api_auth import ApiClient

    client = attributes.get("_user")
    if not isinstance(client, ApiClient):
        return None
    transfer = _project_transfer(client)
    setattr(request, _CACHE, transfer)
    return transfer


def _project_transfer(client: Any) -> Transfer | None:
    from projects.selectors import project_payload_key

    project = client.project
    if not project.secure_transfer:
        return None
    # With the API key as the source, the key that authenticated this call, not a fresh read of
    # the live one: a rotation during the call must not leave it without a key or answer it under
    # another.
    key = project_payload_key(project=project, api_key=client.api_key)
    if key is None:
        # The secretKey source without a secretKey, which the setting refuses: only a row changed
        # behind the services could get here. Fail closed: nobody holds this key, so requests
        # fail to decrypt and answers stay unreadable rather than plain.
        logger.error("secure transfer: project %s has no key of its source %s", project.pid, project.encryption_key)
        key = secrets.token_bytes(32)
    return Transfer(cipher=project.secure_transfer_cipher, key=key)


class SecureTransferParser(JSONParser):
    """``{"data": "<ciphertext>"}`` (``isEncrypted: true`` may come along, spec §2.3) in JSON or
    text/plain, handed on as the decrypted JSON. Anything else is :class:`DecryptionFailed`.
    A JSONParser so that DRF hands it the body through ``request.body``, which enforces
    DATA_UPLOAD_MAX_MEMORY_SIZE, rather than the unbounded stream."""

    media_type = "application/json"

    def __init__(self, transfer: Transfer) -> None:
        self.transfer = transfer

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        try:
            envelope = json.loads(stream.read().decode("utf-8"))
            if not isinstance(envelope, dict) or set(envelope) - ENVELOPE_MEMBERS:
                raise DecryptionError
            if not isinstance(envelope.get("data"), str) or envelope.get("isEncrypted", True) is not True:
                raise DecryptionError
            return json.loads(self.transfer.decrypt(envelope["data"]).decode("utf-8"))
        except (DecryptionError, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            request = (parser_context or {}).get("request")
            logger.info("secure transfer: a request body of project %s did not decrypt", _pid(request))
            raise DecryptionFailed() from None


def _pid(request: Request | None) -> str:
    client = vars(request).get("_user") if request is not None else None
    return getattr(getattr(client, "project", None), "pid", "?")


class SecureTransferNegotiation(DefaultContentNegotiation):
    """A JSON view of a project with Secure Data Transfer parses with the envelope parser, from
    ``application/json`` or ``text/plain`` (even where the view takes only the former)."""

    def select_parser(self, request: Request, parsers: list[BaseParser]) -> BaseParser | None:
        parser = super().select_parser(request, parsers)
        if not any(isinstance(candidate, JSONParser) for candidate in parsers):
            return parser
        transfer = transfer_of(request)
        if transfer is None:
            return parser
        plain_text = parser is None and (request.content_type or "").split(";")[0].strip().lower() == "text/plain"
        if isinstance(parser, JSONParser) or plain_text:
            return SecureTransferParser(transfer)
        return parser  # multipart and urlencoded uploads stay plain


class SecureTransferJSONRenderer(JSONRenderer):
    """JSON, or for a project with Secure Data Transfer ``{"data": "<ciphertext of that JSON>"}``,
    successes and refusals alike (except the :class:`PlainAnswer`)."""

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: dict[str, Any] | None = None
    ) -> bytes:
        body = super().render(data, accepted_media_type, renderer_context)
        context = renderer_context or {}
        request = context.get("request")
        if not body or not isinstance(request, Request) or isinstance(context.get("response"), PlainAnswer):
            return body
        transfer = transfer_of(request)
        if transfer is None:
            return body
        return super().render({"data": transfer.encrypt(body)}, accepted_media_type, renderer_context)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    if isinstance(exc, DecryptionFailed):
        return PlainAnswer(DECRYPTION_FAILED_BODY, status=DecryptionFailed.status_code)
    return gateway_exception_handler(exc, context)


# --- The warnings about the original's modes (G18): the dashboard's Security page and check --deploy.

ARGOS_CIPHER_WARNING = (
    "Secure Data Transfer uses the original's modes: request bodies AES-256-ECB, answers and webhooks "
    "AES-256-CBC, none with integrity of its own. Choose gcm once your integration can."
)


def argos_cipher_in_use(project: Any) -> bool:
    return bool(project.secure_transfer and project.secure_transfer_cipher == ARGOS_CIPHER)


def argos_cipher_pids() -> list[str]:
    from projects.models import Project

    projects = Project.objects.filter(secure_transfer=True, secure_transfer_cipher=ARGOS_CIPHER)
    return list(projects.order_by("pid").values_list("pid", flat=True))
