"""The project settings ``webhook_url`` and ``webhook_secure_transfer`` (spec §4.1, §4.14),
registered from ``WebhooksConfig.ready``. The dashboard, ``manage.py configure_project PID
webhook_url=…`` and any later API all validate through :func:`clean_webhook_url`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from idcheck.lib import http
from projects.models import Project
from projects.settings_registry import ProjectSetting, clean_bool, parse_bool, register

MAX_URL_LENGTH = 2000
_URL = URLValidator(schemes=["http", "https"])


def clean_webhook_url(value: Any) -> str:
    """Empty (no webhooks) or an https URL whose host is not a refused address. The host's DNS
    answer is checked again at every delivery (``idcheck.lib.http``); this is the early, clear
    refusal of what can be judged from the text."""
    url = str(value).strip()
    if not url:
        return ""
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError(f"The webhook URL must have at most {MAX_URL_LENGTH:,} characters.")
    try:
        target = http.parse_target(url)
    except http.OutboundRefused as exc:
        raise ValidationError(f"This webhook URL is not allowed: {exc}.") from None
    address = http.literal_address(target.host)
    if address is None:
        try:
            _URL(url)
        except ValidationError:
            raise ValidationError("Enter a valid https:// URL.") from None
        if target.host.lower() == "localhost" or target.host.lower().endswith(".localhost"):
            raise ValidationError("This webhook URL is not allowed: localhost is a loopback address.")
    else:
        reason = http.address_refusal(address)
        if reason:
            raise ValidationError(f"This webhook URL is not allowed: {reason}.")
    return url


def _read_url(project: Project) -> str:
    from webhooks.services import webhook_url_of

    return webhook_url_of(project)


def _write_url(project: Project, value: str) -> None:
    from webhooks.services import webhook_endpoint_set

    webhook_endpoint_set(project=project, url=value)


def _endpoint_option(key: str, option: str) -> tuple[Callable[[Project], Any], Callable[[Project, Any], None]]:
    """Reader and writer of one option of the project's endpoint."""
    from webhooks.services import WebhookError, webhook_endpoint_option_of, webhook_endpoint_option_set

    def write(project: Project, value: Any) -> None:
        from projects.services import InvalidSettings

        try:
            webhook_endpoint_option_set(project=project, option=option, value=value)
        except WebhookError as exc:
            raise InvalidSettings({key: exc.message}) from None

    return (lambda project: webhook_endpoint_option_of(project, option)), write


CIPHERS = (("gcm", "AES-256-GCM (recommended)"), ("cbc", "AES-256-CBC, original-compatible"))


def clean_cipher(value: Any) -> str:
    cipher = str(value).strip().lower()
    if cipher not in dict(CIPHERS):
        raise ValidationError("Choose gcm or cbc.")
    return cipher


def register_webhook_settings() -> None:
    read_secure, write_secure = _endpoint_option("webhook_secure_transfer", "secure_transfer")
    read_cipher, write_cipher = _endpoint_option("webhook_secure_transfer_cipher", "secure_transfer_cipher")
    register(
        ProjectSetting(
            key="webhook_url",
            label="Webhook URL",
            help="Where every event is POSTed, signed per Standard Webhooks (https only); empty for none.",
            parse=str,
            clean=clean_webhook_url,
            read=_read_url,
            write=_write_url,
        )
    )
    register(
        ProjectSetting(
            key="webhook_secure_transfer",
            label="Secure Data Transfer (API bodies and webhooks)",
            help=(
                'true: webhook bodies and the /v3/ API\'s JSON requests and answers travel as {"data": "<ciphertext>"}, '
                "encrypted under the API key (spec §4.14, §5; docs/secure-data-transfer.md). Needs a webhook URL."
            ),
            parse=parse_bool,
            clean=clean_bool,
            read=read_secure,
            write=write_secure,
            render=lambda value: "true" if value else "false",
            choices=(("false", "Off"), ("true", "On")),
        )
    )
    register(
        ProjectSetting(
            key="webhook_secure_transfer_cipher",
            label="Secure Data Transfer cipher",
            help=(
                "gcm: base64(12-byte nonce | ciphertext | tag) both ways. cbc, the original's: API requests AES-256-ECB, "
                "answers and webhooks base64(16-byte IV | ciphertext), PKCS#7, for clients written for the original; "
                "neither has integrity of its own, so verify the webhook signature."
            ),
            parse=str,
            clean=clean_cipher,
            read=read_cipher,
            write=write_cipher,
            choices=CIPHERS,
        )
    )
