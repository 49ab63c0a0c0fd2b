"""The project setting ``webhook_url`` (spec §4.1), registered from ``WebhooksConfig.ready``.
The dashboard, ``manage.py configure_project PID webhook_url=…`` and any later API all validate
through :func:`clean_webhook_url`. Secure Data Transfer of the bodies is a project setting
(``projects.secure_transfer_settings``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from idcheck.lib import http
from projects.models import Project
from projects.settings_registry import ProjectSetting, register

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


def register_webhook_settings() -> None:
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
