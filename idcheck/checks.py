"""Deployment checks of our own, run by ``manage.py check --deploy`` (G21)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def master_key_from_environment(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if settings.IDCHECK_MASTER_KEY_FROM_ENV:
        return []
    return [
        Warning(
            "IDCHECK_MASTER_KEY is not set: the key-encryption key lives in a local file beside the data.",
            hint="Set IDCHECK_MASTER_KEY (or IDCHECK_MASTER_KEY_FILE) from a secret store; see .env.example.",
            id="idcheck.W001",
        )
    ]


@register(Tags.security, deploy=True)
def api_docs_not_public(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if not settings.IDCHECK_PUBLIC_API_DOCS:
        return []
    return [
        Warning(
            "The OpenAPI schema and docs page are public.",
            hint="Set IDCHECK_PUBLIC_API_DOCS=false in production.",
            id="idcheck.W002",
        )
    ]


@register(Tags.security, deploy=True)
def outbound_local_not_allowed(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if not settings.IDCHECK_OUTBOUND_ALLOW_LOCAL:
        return []
    return [
        Warning(
            "IDCHECK_OUTBOUND_ALLOW_LOCAL is on: webhooks may use http:// and reach this machine.",
            hint="It is for `make run` and the tests only; unset it in production (G8).",
            id="idcheck.W003",
        )
    ]


@register(Tags.security, deploy=True)
def argos_cipher_not_in_use(app_configs: Any, **kwargs: Any) -> list[Warning]:
    from django.db import DatabaseError

    from idcheck.secure_transfer import ARGOS_CIPHER_WARNING, argos_cipher_pids

    try:
        pids = argos_cipher_pids()
    except DatabaseError:
        return []  # no database yet (an image build): nothing can be using it
    if not pids:
        return []
    shown = ", ".join(pids[:10]) + (f" and {len(pids) - 10} more" if len(pids) > 10 else "")
    return [
        Warning(
            f"{len(pids)} project(s) use the original-compatible Secure Data Transfer cipher: {shown}.",
            hint=f"{ARGOS_CIPHER_WARNING} (manage.py configure_project PID secure_transfer_cipher=gcm; G18)",
            id="idcheck.W004",
        )
    ]


@register(Tags.security, deploy=True)
def sms_backend_not_for_development(app_configs: Any, **kwargs: Any) -> list[Warning]:
    from idcheck.lib.sms import DEVELOPMENT_BACKENDS

    if settings.IDCHECK_SMS_BACKEND not in DEVELOPMENT_BACKENDS:
        return []
    return [
        Warning(
            "IDCHECK_SMS_BACKEND is a development backend: phone-number codes are printed or written, not sent.",
            hint="Set IDCHECK_SMS_BACKEND=idcheck.lib.sms.HttpGatewayBackend and IDCHECK_SMS_GATEWAY_URL "
            "when Liveform links use auxidField=phoneNumber; see .env.example.",
            id="idcheck.W005",
        )
    ]
